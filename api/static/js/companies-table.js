// The companies view of the Companies tab: a table filtered by name and by parent, sorted by name or creation
// and paged with a jump; companies created, renamed and moved (under another parent, or to the top) in place.

import { $, announce, cell, debounce, el, num, plural, setMsg } from './dom.js';
import { api } from './api.js';
import { rememberCompany, state } from './state.js';
import { openCompany } from './review.js';
import { loadTree } from './tree.js';
import {
  actionsCell, companyByName, companyFilter, dayEl, editKeys, focusInRow, loadCompanyNames, loadFiltered, loadTableOnce,
  namesOf, offsetOfPage, readTableAddress, renderTable, resetTableView, rowAction, setupCreateForm,
  setupPager, setupTableSort, startRowChange, tellRow, writeTableAddress
} from './table.js';

// A pause this long in typing applies the filter: with the server's answer the rows show within 300 ms of the
// last keystroke (tests/browser/test_page_scale.py), while a word typed at speed is still one request.
const FILTER_DELAY_MS = 150;

const view = {
  sort: 'name', order: 'asc', offset: 0, limit: 25, total: 0, items: [],
  seq: 0, loaded: false,
  editing: null,          // {id, mode: 'rename' | 'move'}: the row being changed
  busy: new Set(),
  messages: new Map()     // company id -> {text, kind}
};
// The parent the filter names: null for none, undefined when no company has that name.
const parentOfFilter = companyFilter('companies-parent');

export function loadCompaniesTable(force) {
  $('company-new').hidden = !state.canWrite;
  return loadTableOnce(view, force, followTableAddress, load);
}

/** Opens the table as the address left it (a reload, a shared link). */
function followTableAddress() {
  var a = readTableAddress('companies');
  $('companies-q').value = a.q || '';
  $('companies-parent').value = a.parent || '';
  if (a.sort === 'name' || a.sort === 'created') view.sort = a.sort;
  view.order = a.order === 'desc' ? 'desc' : 'asc';
  view.offset = offsetOfPage(a.page, view.limit);
}

function writeCompaniesAddress() {
  writeTableAddress('companies', {
    q: $('companies-q').value.trim(), parent: $('companies-parent').value.trim(),
    sort: view.sort === 'name' ? null : view.sort, order: view.order === 'asc' ? null : view.order,
    page: view.offset ? Math.floor(view.offset / view.limit) + 1 : null
  });
}

export function resetCompaniesTable() {
  parentOfFilter.reset();
  resetTableView('companies', 'company', view);
}

function load(offset) {
  return loadFiltered('companies', 'companies', view, parentOfFilter, render, function (parent, mine) {
    var p = new URLSearchParams();
    var q = $('companies-q').value.trim();
    if (q) p.set('q', q);
    if (parent) p.set('parent_id', parent.id);
    p.set('sort', view.sort);
    p.set('order', view.order);
    p.set('limit', String(view.limit));
    p.set('offset', String(offset));
    return api('GET', 'companies?' + p.toString()).then(function (page) {
      if (mine !== view.seq) return null;
      if (!page.items.length && page.total && offset > 0) return load(Math.floor((page.total - 1) / view.limit) * view.limit);
      page.items.forEach(function (c) { rememberCompany(c.id, c.name); });
      return namesOf(page.items.map(function (c) { return c.parent_id; })).then(function () {
        if (mine !== view.seq) return;
        view.items = page.items;
        view.total = page.total;
        view.offset = offset;
        setMsg($('companies-message'), '');
        render();
        writeCompaniesAddress();
        $('companies-status').textContent = plural(page.total, 'company', 'companies')
          + (q ? ' matching “' + q + '”' : '') + (parent ? ', branches of ' + parent.name : '') + '.';
      });
    });
  });
}

function render() {
  renderTable('companies', view, row);
}

function parentName(c) {
  if (!c.parent_id) return null;
  return state.companyNames.get(c.parent_id) || c.parent_id;
}

function row(c) {
  var mode = state.canWrite && view.editing && view.editing.id === c.id ? view.editing.mode : null;
  var busy = view.busy.has(c.id);
  var msgId = 'companies-msg-' + c.id;
  var tr = el('tr', { 'data-company-id': c.id, 'data-company-name': c.name, 'aria-busy': busy ? 'true' : null });
  var cancel = function () {
    var was = view.editing.mode;
    view.editing = null;
    render();
    focusInRow($('companies-body'), 'data-company-id', c.id, was);
  };
  var actions = el('div', { class: 'row-actions' });

  if (mode === 'rename') {
    var nameInput = el('input', { type: 'text', value: c.name, 'data-action': 'edit-name', autocomplete: 'off',
      'aria-label': 'New name of ' + c.name, 'aria-describedby': msgId });
    var saveName = function () { rename(c, nameInput.value.trim()); };
    editKeys(nameInput, saveName, cancel);
    tr.appendChild(cell('Name', nameInput));
    actions.append(rowAction('Save', c.name, 'btn btn-primary btn-small', 'save', saveName, msgId, busy));
  } else {
    var open = el('button', { type: 'button', class: 'link', 'data-action': 'open' }, c.name);
    open.addEventListener('click', function () {
      $('company-search').value = c.name;
      openCompany(c.id, 0, true);
    });
    tr.appendChild(cell('Name', open));
  }

  if (mode === 'move') {
    var parentInput = el('input', { type: 'text', value: c.parent_id ? parentName(c) : '', list: 'company-names',
      'data-action': 'edit-parent', autocomplete: 'off', 'aria-label': 'New parent of ' + c.name + ' (empty: top level)',
      'aria-describedby': msgId });
    var saveParent = function () { move(c, parentInput.value.trim()); };
    editKeys(parentInput, saveParent, cancel);
    tr.appendChild(cell('Branch of', parentInput));
    actions.append(rowAction('Move', c.name, 'btn btn-primary btn-small', 'save', saveParent, msgId, busy));
    if (c.parent_id) {
      actions.append(rowAction('Make top-level', c.name, 'btn btn-small', 'detach', function () { move(c, ''); }, msgId, busy));
    }
  } else {
    tr.appendChild(cell('Branch of', parentName(c) || '—'));
  }
  tr.appendChild(cell('Users', num(c.user_count || 0)));
  tr.appendChild(cell('Created', dayEl(c.created_at)));

  if (mode) {
    actions.append(rowAction('Cancel', c.name, 'btn btn-ghost btn-small', 'cancel', cancel, msgId, busy));
  } else if (state.canWrite) {
    actions.append(rowAction('Rename', c.name, 'btn btn-small', 'rename', function () { edit(c, 'rename', 'edit-name'); }, msgId, busy),
      rowAction('Move', c.name, 'btn btn-small', 'move', function () { edit(c, 'move', 'edit-parent'); }, msgId, busy));
  }
  tr.appendChild(actionsCell(view, c.id, msgId, actions));
  return tr;
}

function edit(c, mode, focusAction) {
  view.editing = { id: c.id, mode: mode };
  view.messages.delete(c.id);
  render();
  focusInRow($('companies-body'), 'data-company-id', c.id, focusAction);
}

function tell(c, text, kind, focusAction) {
  tellRow('companies', 'data-company-id', view, c.id, text, kind, focusAction);
}

/** The other views show names and parents too: the tree, the suggestions and an open access review. */
function refreshOthers(id) {
  loadTree(true);
  loadCompanyNames(true);
  if (state.company && state.company.id === id) openCompany(id, state.membersOffset, false);
}

function change(c, body, done, failedFocus) {
  if (!startRowChange(view, c.id, render)) return;
  api('PATCH', 'companies/' + encodeURIComponent(c.id), body).then(function (updated) {
    view.busy.delete(c.id);
    view.editing = null;
    rememberCompany(updated.id, updated.name);
    refreshOthers(c.id);
    return load(view.offset).then(function () { tell(updated, done(updated), 'success', body.name ? 'rename' : 'move'); });
  }, function (e) {
    view.busy.delete(c.id);
    if (e.status === 401) return;
    var text;
    if (e.code === 'hierarchy_cycle') text = c.name + ' was not moved: the new parent is one of its own branches.';
    else if (e.code === 'hierarchy_too_deep') text = c.name + ' was not moved: the tree would be deeper than 16 levels.';
    else if (e.code === 'company_name_taken') text = 'Not renamed: ' + e.message + '.';
    else if (e.code === 'company_not_found') text = e.message + ' (deleted meanwhile).';
    else text = 'Could not change ' + c.name + ': ' + e.message;
    render();
    tell(c, text, 'error', failedFocus);
  });
}

function rename(c, name) {
  if (!name) { tell(c, 'A company needs a name.', 'error'); render(); focusInRow($('companies-body'), 'data-company-id', c.id, 'edit-name'); return; }
  if (name === c.name) { view.editing = null; render(); focusInRow($('companies-body'), 'data-company-id', c.id, 'rename'); return; }
  change(c, { name: name }, function (v) { return 'Renamed ' + c.name + ' to ' + v.name + '.'; }, 'edit-name');
}

function move(c, parentText) {
  (parentText ? companyByName(parentText) : Promise.resolve(null)).then(function (parent) {
    if (parentText && !parent) {
      tell(c, 'No company is named “' + parentText + '”: pick one of the suggestions.', 'error');
      render();
      focusInRow($('companies-body'), 'data-company-id', c.id, 'edit-parent');
      return;
    }
    if ((parent ? parent.id : null) === (c.parent_id || null)) {
      view.editing = null;
      render();
      focusInRow($('companies-body'), 'data-company-id', c.id, 'move');
      return;
    }
    change(c, { parent_id: parent ? parent.id : null }, function (v) {
      return parent ? 'Moved ' + v.name + ' under ' + parent.name + ', with its branches.'
        : v.name + ' is now a top-level company.';
    }, 'edit-parent');
  }, function (e) {
    if (e.status !== 401) tell(c, 'Could not look up “' + parentText + '”: ' + e.message, 'error');
  });
}

function createCompany(e) {
  e.preventDefault();
  var message = $('company-create-message');
  var name = $('new-company-name').value.trim();
  if (!name) {
    $('new-company-name').setAttribute('aria-invalid', 'true');
    setMsg(message, 'A company needs a name.', 'error');
    $('new-company-name').focus();
    return;
  }
  $('new-company-name').removeAttribute('aria-invalid');
  var parentText = $('new-company-parent').value.trim();
  var submit = $('company-create-submit');
  submit.disabled = true;
  setMsg(message, 'Creating ' + name + '…', 'info');
  (parentText ? companyByName(parentText) : Promise.resolve(null)).then(function (parent) {
    if (parentText && !parent) {
      $('new-company-parent').setAttribute('aria-invalid', 'true');
      throw { status: 422, message: 'No company is named “' + parentText + '”.', field: 'new-company-parent' };
    }
    $('new-company-parent').removeAttribute('aria-invalid');
    var body = { name: name };
    if (parent) body.parent_id = parent.id;
    return api('POST', 'companies', body).then(function (c) { return { company: c, parent: parent }; });
  }).then(function (made) {
    var c = made.company;
    rememberCompany(c.id, c.name);
    var text = 'Created ' + c.name + (made.parent ? ', a branch of ' + made.parent.name : ', a top-level company') + '.';
    setMsg(message, text, 'success');
    announce(text);
    $('new-company-name').value = '';
    $('new-company-parent').value = '';
    $('new-company-name').focus();
    refreshOthers(c.id);
    load(view.offset);
  }, function (err) {
    if (err.status === 401) return;
    var text = 'Not created: ' + err.message;
    setMsg(message, text, 'error');
    announce(text);
    $(err.field || 'new-company-name').focus();
  }).then(function () { submit.disabled = false; });
}

export function setupCompaniesTable() {
  setupTableSort('companies', 'Companies', view, load);
  setupPager('companies', view, function (offset) { load(offset); });
  var later = debounce(function () { load(0); }, FILTER_DELAY_MS);
  $('companies-q').addEventListener('input', later);
  $('companies-parent').addEventListener('change', function () { later.cancel(); load(0); });
  $('companies-filters').addEventListener('submit', function (e) { e.preventDefault(); later.cancel(); load(0); });
  // Two fields and no submit button: Enter would not submit the form on its own.
  ['companies-q', 'companies-parent'].forEach(function (id) {
    $(id).addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); later.cancel(); load(0); } });
  });
  setupCreateForm('company', 'new-company-name', createCompany);
}

/** After a change elsewhere (an import), the user counts are stale: reload quietly. */
export function refreshCompaniesTable() {
  if (view.loaded) load(view.offset);
}
