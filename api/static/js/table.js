// What the users and companies tables share: sortable headers (aria-sort), a pager with a jump to a page,
// role choices, company names typed into a field (with suggestions) turned into ids, small request helpers,
// and the life of an editable table (load once, reset, redraw, a change to a row and its message).

import { $, announce, cell, el, num, setMsg, srOnly } from './dom.js';
import { api } from './api.js';
import { rememberCompany, state } from './state.js';
import { roleLabel } from './labels.js';
import { ROLES } from './vocabulary.js';
import { readAddress, writeAddress } from './address.js';

/** Wires the sort buttons of a table's header; `onSort(key)` is told which column was asked for. */
export function setupSortHeaders(tableId, onSort) {
  $(tableId).querySelectorAll('th[data-sort] button.sort').forEach(function (b) {
    b.addEventListener('click', function () { onSort(b.closest('th').getAttribute('data-sort')); });
  });
}

/** Marks the sorted column: only it carries aria-sort, so a screen reader names one order, the one in force. */
export function renderSortHeaders(tableId, sort, order) {
  $(tableId).querySelectorAll('th[data-sort]').forEach(function (th) {
    var key = th.getAttribute('data-sort');
    var button = th.querySelector('button.sort');
    if (key === sort) {
      th.setAttribute('aria-sort', order === 'desc' ? 'descending' : 'ascending');
      button.setAttribute('aria-label', button.textContent + ', sorted ' + (order === 'desc' ? 'descending' : 'ascending')
        + '; activate to reverse');
    } else {
      th.removeAttribute('aria-sort');
      button.setAttribute('aria-label', button.textContent + ', activate to sort by it');
    }
  });
}

/** The next (sort, order) after a click on `key`: the same column turns round, another starts ascending. */
export function nextSort(current, key) {
  if (current.sort === key) return { sort: key, order: current.order === 'asc' ? 'desc' : 'asc' };
  return { sort: key, order: 'asc' };
}

/**
 * A pager: Previous, Next and a page number to jump to. Ids are `<prefix>-prev`, `-next`, `-range`,
 * `-page`, `-pages` and `-jump`; `go(offset)` loads a page.
 */
export function setupPager(prefix, view, go) {
  $(prefix + '-prev').addEventListener('click', function () { go(Math.max(0, view.offset - view.limit)); });
  $(prefix + '-next').addEventListener('click', function () { go(view.offset + view.limit); });
  $(prefix + '-jump').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = $(prefix + '-page');
    var pages = Math.max(1, Math.ceil(view.total / view.limit));
    var wanted = Number(input.value);
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > pages) {
      input.setAttribute('aria-invalid', 'true');
      $(prefix + '-range').textContent = 'There are pages 1 to ' + num(pages) + '; page ' + (input.value || '(empty)')
        + ' does not exist.';
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    go((wanted - 1) * view.limit);
  });
}

export function renderPager(prefix, view) {
  var pages = Math.max(1, Math.ceil(view.total / view.limit));
  var page = Math.floor(view.offset / view.limit) + 1;
  var from = view.total ? view.offset + 1 : 0;
  var to = Math.min(view.total, view.offset + view.limit);
  $(prefix + '-range').textContent = view.total
    ? num(from) + '–' + num(to) + ' of ' + num(view.total) + ' · page ' + num(page) + ' of ' + num(pages) : '';
  $(prefix + '-prev').disabled = view.offset <= 0;
  $(prefix + '-next').disabled = to >= view.total;
  var input = $(prefix + '-page');
  input.value = String(page);
  input.max = String(pages);
  input.removeAttribute('aria-invalid');
  $(prefix + '-pages').textContent = 'of ' + num(pages);
  $(prefix + '-prev').closest('.pager').hidden = view.total === 0;
}

/**
 * Fills a role <select> from the server's roles. `first`: 'any' (a filter: no role), 'own' (a grant: the
 * user's own role, and no super admin, which is never a grant's role), or a role to preselect.
 */
export function fillRoles(select, first) {
  if (select.options.length) return;
  var roles = ROLES;
  if (first === 'any') select.appendChild(el('option', { value: '' }, 'Any role'));
  if (first === 'own') {
    select.appendChild(el('option', { value: '' }, 'Each user’s own role'));
    roles = ROLES.filter(function (r) { return r !== 'super_admin'; });
  }
  roles.forEach(function (r) { select.appendChild(el('option', { value: r }, roleLabel(r))); });
  if (first !== 'any' && first !== 'own') select.value = first;
}

// Suggestions for every field that names a company; the field is still checked against the server.
const SUGGESTIONS = 500;
let namesLoading = null;

/** Loads the company names the fields suggest (once per sign-in, or again when `force`). */
export function loadCompanyNames(force) {
  if (namesLoading && !force) return namesLoading;
  namesLoading = api('GET', 'companies?sort=name&limit=' + SUGGESTIONS).then(function (page) {
    var list = $('company-names');
    list.replaceChildren.apply(list, page.items.map(function (c) {
      rememberCompany(c.id, c.name);
      return el('option', { value: c.name });
    }));
  }, function () { namesLoading = null; });
  return namesLoading;
}

export function resetCompanyNames() {
  namesLoading = null;
  $('company-names').replaceChildren();
}

/** The company with exactly this name (any letter case), or null when there is none the key can see. */
export function companyByName(name) {
  return api('GET', 'companies?limit=1&name=' + encodeURIComponent(name)).then(function (page) {
    var c = page.items[0] || null;
    if (c) rememberCompany(c.id, c.name);
    return c;
  });
}

/** Names of companies by id, asking the server for those not met yet (a parent outside the page). */
export function namesOf(ids) {
  var missing = ids.filter(function (id, i) { return id && !state.companyNames.has(id) && ids.indexOf(id) === i; });
  return Promise.all(missing.map(function (id) {
    return api('GET', 'companies/' + encodeURIComponent(id)).then(function (c) { rememberCompany(c.id, c.name); },
      function () { /* out of reach or gone: shown by id */ });
  }));
}

/** Runs `tasks` (functions returning promises) at most `width` at a time; resolves with every outcome. */
export function runLimited(tasks, width) {
  var results = new Array(tasks.length);
  var next = 0;
  function worker() {
    if (next >= tasks.length) return Promise.resolve();
    var i = next++;
    return tasks[i]().then(function (value) { results[i] = { ok: true, value: value }; },
      function (error) { results[i] = { ok: false, error: error }; }).then(worker);
  }
  var workers = [];
  for (var w = 0; w < Math.min(width, tasks.length); w++) workers.push(worker());
  return Promise.all(workers).then(function () { return results; });
}

/** Puts focus back on the control `action` of the row `rowAttr=id` after a redraw, when it still exists. */
export function focusInRow(body, rowAttr, id, action) {
  var row = body.querySelector('tr[' + rowAttr + '="' + String(id).replace(/["\\]/g, '\\$&') + '"]');
  var target = row && row.querySelector('[data-action="' + action + '"]');
  if (target && !target.disabled) { target.focus(); return true; }
  return false;
}

/** A text field whose Enter saves and Escape cancels: the keyboard path of an edit in a row. */
export function editKeys(input, save, cancel) {
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { e.preventDefault(); save(); }
    if (e.key === 'Escape') { e.preventDefault(); cancel(); }
  });
  return input;
}

/** A row button whose accessible name says what it acts on ("Deactivate sarah"). */
export function rowAction(text, subject, cls, name, onClick, describedBy, disabled) {
  var b = el('button', { type: 'button', class: cls, 'data-action': name, 'aria-describedby': describedBy,
    disabled: disabled ? true : null }, text, srOnly(' ' + subject));
  b.addEventListener('click', onClick);
  return b;
}

/** A "New …" button that opens and closes its form; Cancel closes it and hands focus back to the button. */
export function setupCreateForm(prefix, firstField, submit) {
  var button = $(prefix + '-new');
  var form = $(prefix + '-create');
  button.addEventListener('click', function () {
    form.hidden = !form.hidden;
    button.setAttribute('aria-expanded', form.hidden ? 'false' : 'true');
    if (!form.hidden) $(firstField).focus();
  });
  $(prefix + '-create-cancel').addEventListener('click', function () {
    form.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    setMsg($(prefix + '-create-message'), '');
    button.focus();
  });
  form.addEventListener('submit', submit);
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
/** A day for a narrow column; the exact time is in the title and the datetime attribute. */
export function dayEl(iso) {
  var d = new Date(iso);
  return el('time', { datetime: iso, title: isNaN(d.getTime()) ? iso : d.toISOString() },
    isNaN(d.getTime()) ? String(iso) : dayFormat.format(d));
}

/**
 * A table's filters, order and page in the address as `<prefix>_<name>`, so a reload or a shared link shows
 * the same rows. Only what differs from the defaults is written; a filter changing replaces the entry, so
 * Back still goes to the view before, not through every keystroke.
 */
export function writeTableAddress(prefix, values) {
  var params = {};
  Object.keys(values).forEach(function (name) { params[prefix + '_' + name] = values[name]; });
  writeAddress(params, false);
}

/** What the address says of the table `prefix`, by name without the prefix. */
export function readTableAddress(prefix) {
  var found = {};
  var address = readAddress();
  Object.keys(address).forEach(function (name) {
    if (name.indexOf(prefix + '_') === 0) found[name.slice(prefix.length + 1)] = address[name];
  });
  return found;
}

/** Sets a <select> to `value` when it is one of its options (an address may say anything). */
export function selectIf(select, value) {
  if (value !== undefined && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
    select.value = value;
  }
}

/** The offset of page `text` (1-based) when it is a page number, else 0. */
export function offsetOfPage(text, limit) {
  return /^[0-9]{1,7}$/.test(text || '') && Number(text) > 0 ? (Number(text) - 1) * limit : 0;
}

/*
 * An editable table keeps a `view`: {sort, order, offset, limit, total, items, seq, loaded, editing, busy,
 * messages}. Its elements are `<prefix>-table`, `-body`, `-empty`, `-status`, `-message`, `-filters` and
 * `-msg-<id>` beside each row; its create form is `<one>-new` / `<one>-create` (js/table.js setupCreateForm).
 */

/** Loads the table the first time it is shown after sign-in (or again when `force`), where the address says. */
export function loadTableOnce(view, force, followAddress, load) {
  if (view.loaded && !force) return Promise.resolve();
  if (!view.loaded) followAddress();
  view.loaded = true;
  loadCompanyNames(false);
  return load(view.offset);
}

/** Forgets what the table showed (a sign-out): a load still in flight is ignored when it answers. */
export function resetTableView(prefix, one, view) {
  view.seq++;
  view.loaded = false;
  view.offset = 0;
  view.items = [];
  view.editing = null;
  view.busy.clear();
  view.messages.clear();
  $(prefix + '-filters').reset();
  $(one + '-create').hidden = true;
  $(one + '-new').setAttribute('aria-expanded', 'false');
  $(prefix + '-body').replaceChildren();
}

/**
 * The company a filter field names, looked up once per name typed rather than once per page. The returned
 * function resolves to null for an empty field, undefined when no company has that name; `.reset()` forgets.
 */
export function companyFilter(fieldId) {
  var last = { name: null, company: null };
  function lookup() {
    var name = $(fieldId).value.trim();
    if (!name) return Promise.resolve(null);
    if (last.name === name && last.company) return Promise.resolve(last.company);
    return companyByName(name).then(function (c) {
      last = { name: name, company: c };
      return c || undefined;
    });
  }
  lookup.fieldId = fieldId;
  lookup.reset = function () { last = { name: null, company: null }; };
  return lookup;
}

/**
 * Loads a page of a table filtered by a company (`filter`, from companyFilter): `fetchPage(company, mine)` asks
 * for the rows once the company is known, and draws them unless `mine` is no longer `view.seq` (a newer load).
 */
export function loadFiltered(prefix, what, view, filter, render, fetchPage) {
  var mine = ++view.seq;
  $(prefix + '-status').textContent = 'Loading ' + what + '…';
  return filter().then(function (company) {
    if (mine !== view.seq) return null;
    if (refuseUnknownCompany(prefix, filter.fieldId, view, render, company)) return null;
    return fetchPage(company, mine);
  }).catch(function (e) {
    if (mine !== view.seq || e.status === 401) return;
    $(prefix + '-status').textContent = '';
    setMsg($(prefix + '-message'), 'Could not load the ' + what + ': ' + e.message, 'error');
  });
}

/** When the filter names no company (`company` undefined), marks the field and empties the table: true then. */
function refuseUnknownCompany(prefix, fieldId, view, render, company) {
  var field = $(fieldId);
  if (company !== undefined) {
    field.removeAttribute('aria-invalid');
    return false;
  }
  field.setAttribute('aria-invalid', 'true');
  view.items = [];
  view.total = 0;
  render();
  $(prefix + '-status').textContent = 'No company is named “' + field.value.trim() + '”: pick one of the suggestions.';
  return true;
}

/** Draws the rows (or the empty note), the sorted column and the pager. */
export function renderTable(prefix, view, row) {
  renderSortHeaders(prefix + '-table', view.sort, view.order);
  var body = $(prefix + '-body');
  body.replaceChildren.apply(body, view.items.map(row));
  $(prefix + '-empty').hidden = view.items.length > 0;
  $(prefix + '-table').hidden = view.items.length === 0;
  renderPager(prefix, view);
}

/** Sorting by a column button: reloads from the first page, keeps focus on the button and says the order. */
export function setupTableSort(prefix, noun, view, load) {
  setupSortHeaders(prefix + '-table', function (key) {
    var next = nextSort(view, key);
    view.sort = next.sort;
    view.order = next.order;
    load(0).then(function () {
      var b = $(prefix + '-table').querySelector('th[data-sort="' + key + '"] button');
      b.focus();
      announce(noun + ' sorted by ' + b.textContent + ', ' + (view.order === 'desc' ? 'descending' : 'ascending') + '.');
    });
  });
}

/** The last cell of a row: its action buttons and, below them, the outcome of the last action on it. */
export function actionsCell(view, id, msgId, actions) {
  var message = el('p', { id: msgId, class: 'msg row-msg' });
  var m = view.messages.get(id);
  if (m) setMsg(message, m.text, m.kind);
  return cell('Actions', actions, message);
}

/** Writes the outcome beside the row (or above the table when the row left the page) and reads it out. */
export function tellRow(prefix, rowAttr, view, id, text, kind, focusAction) {
  view.messages.set(id, { text: text, kind: kind });
  announce(text);
  var body = $(prefix + '-body');
  var shown = body.querySelector('tr[' + rowAttr + '="' + id + '"]');
  var line = $(prefix + '-msg-' + id);
  if (shown && line) setMsg(line, text, kind); else setMsg($(prefix + '-message'), text, kind);
  if (focusAction && !focusInRow(body, rowAttr, id, focusAction) && !shown) $(prefix + '-message').focus();
}

/** Marks the row busy before a change is sent; false when one is already in flight (a double click). */
export function startRowChange(view, id, render) {
  if (view.busy.has(id)) return false;
  view.busy.add(id);
  view.messages.delete(id);
  render();
  return true;
}
