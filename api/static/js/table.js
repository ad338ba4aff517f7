// What the users and companies tables share: sortable headers (aria-sort), a pager with a jump to a page,
// role choices, company names typed into a field (with suggestions) turned into ids, and small request helpers.

import { $, el, num, setMsg, srOnly } from './dom.js';
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
