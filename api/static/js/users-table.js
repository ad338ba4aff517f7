// The users view of the Users tab: a table filtered by name, role, status, company and number of companies,
// sorted by its column buttons and paged with a jump; users created, renamed, deactivated and reactivated in
// place, and picked with checkboxes for a change to many at once (js/bulk.js).

import { $, announce, cell, debounce, el, num, plural, setMsg, userShort } from './dom.js';
import { api } from './api.js';
import { rememberUser, state } from './state.js';
import { roleLabel } from './labels.js';
import { refreshUserCompanies, selectUser } from './user.js';
import { USERNAME, createUser } from './user-create.js';
import {
  actionsCell, companyFilter, dayEl, editKeys, fillRoles, focusInRow, loadFiltered, loadTableOnce, offsetOfPage,
  readTableAddress, renderTable, resetTableView, rowAction, selectIf, setupCreateForm, setupPager,
  setupTableSort, startRowChange, tellRow, writeTableAddress
} from './table.js';

// A pause this long in typing applies the filter: with the server's answer the rows show within 300 ms of the
// last keystroke (tests/browser/test_page_scale.py), while a word typed at speed is still one request.
const FILTER_DELAY_MS = 150;

const view = {
  sort: 'username', order: 'asc', offset: 0, limit: 25, total: 0, items: [],
  seq: 0, loaded: false,
  editing: null,          // id of the user whose row is being renamed
  busy: new Set(),        // user ids with a change in flight
  messages: new Map()     // user id -> {text, kind}: the outcome of the last action on the row
};
// Users picked for a change to many at once: id -> {id, username, full_name}. They stay picked across pages.
const picked = new Map();
let picksChanged = function () {};

export function pickedUsers() { return Array.from(picked.values()); }
export function onPicksChanged(handler) { picksChanged = handler; }
export function clearPicks() {
  picked.clear();
  $('users-body').querySelectorAll('input[data-action="pick"]').forEach(function (b) { b.checked = false; });
  picksDone();
}

/** Loads the table the first time the tab is shown after sign-in (or again when `force`). */
export function loadUsersTable(force) {
  $('user-new').hidden = !state.canWrite;
  $('users-table').classList.toggle('no-pick', !state.canWrite);
  return loadTableOnce(view, force, followTableAddress, load);
}

const SORTS = ['username', 'full_name', 'company_count', 'created'];

/** Opens the table as the address left it (a reload, a shared link). */
function followTableAddress() {
  var a = readTableAddress('users');
  $('users-q').value = a.q || '';
  selectIf($('users-role'), a.role);
  selectIf($('users-active'), a.active);
  $('users-company').value = a.company || '';
  $('users-min').value = /^[0-9]{1,9}$/.test(a.min || '') ? a.min : '';
  // A phone shows each row as a card: fewer of them to a page keeps the pager within reach.
  $('users-size').value = String(defaultSize());
  selectIf($('users-size'), a.size);
  view.limit = Number($('users-size').value) || 25;
  if (SORTS.indexOf(a.sort) >= 0) view.sort = a.sort;
  view.order = a.order === 'desc' ? 'desc' : 'asc';
  view.offset = offsetOfPage(a.page, view.limit);
}

function defaultSize() { return window.matchMedia('(max-width: 40rem)').matches ? 10 : 25; }

function writeUsersAddress() {
  writeTableAddress('users', {
    q: $('users-q').value.trim(), role: $('users-role').value, active: $('users-active').value,
    company: $('users-company').value.trim(), min: query().get('min_companies'),
    sort: view.sort === 'username' ? null : view.sort, order: view.order === 'asc' ? null : view.order,
    page: view.offset ? Math.floor(view.offset / view.limit) + 1 : null, size: view.limit === defaultSize() ? null : view.limit
  });
}

export function resetUsersTable() {
  picked.clear();
  companyOfFilter.reset();
  resetTableView('users', 'user', view);
  renderPicks();
}

function query() {
  var p = new URLSearchParams();
  var q = $('users-q').value.trim();
  if (q) p.set('q', q);
  if ($('users-role').value) p.set('role', $('users-role').value);
  if ($('users-active').value) p.set('is_active', $('users-active').value);
  var min = $('users-min').value.trim();
  if (/^[0-9]+$/.test(min) && Number(min) > 0) p.set('min_companies', min);
  p.set('sort', view.sort);
  p.set('order', view.order);
  p.set('limit', String(view.limit));
  return p;
}

// The company the filter names: null for none, undefined when no company has that name.
const companyOfFilter = companyFilter('users-company');

function load(offset) {
  return loadFiltered('users', 'users', view, companyOfFilter, render, function (company, mine) {
    var p = query();
    if (company) p.set('company_id', company.id);
    p.set('offset', String(offset));
    return api('GET', 'users?' + p.toString()).then(function (page) {
      if (mine !== view.seq) return;
      // A page past the end (the list shrank): show the last one that has rows.
      if (!page.items.length && page.total && offset > 0) { load(Math.floor((page.total - 1) / view.limit) * view.limit); return; }
      view.items = page.items;
      view.total = page.total;
      view.offset = offset;
      page.items.forEach(rememberUser);
      setMsg($('users-message'), '');
      render();
      writeUsersAddress();
      $('users-status').textContent = describe(company);
    });
  });
}

function describe(company) {
  var parts = [];
  if ($('users-q').value.trim()) parts.push('matching “' + $('users-q').value.trim() + '”');
  if ($('users-role').value) parts.push('with the role ' + roleLabel($('users-role').value));
  if ($('users-active').value) parts.push($('users-active').value === 'true' ? 'active' : 'inactive');
  if (company) parts.push('granted ' + company.name);
  if (query().has('min_companies')) parts.push('with at least ' + plural(Number($('users-min').value), 'company', 'companies'));
  return plural(view.total, 'user', 'users') + (parts.length ? ' ' + parts.join(', ') : '') + '.';
}

function render() {
  renderTable('users', view, row);
  renderPicks();
}

function row(u) {
  var editing = view.editing === u.id && state.canWrite;
  var busy = view.busy.has(u.id);
  var msgId = 'users-msg-' + u.id;
  var tr = el('tr', { 'data-user-id': u.id, 'data-username': u.username, 'aria-busy': busy ? 'true' : null,
    class: u.is_active ? null : 'row-inactive' });

  var pick = el('input', { type: 'checkbox', 'data-action': 'pick', 'aria-label': 'Pick ' + u.username });
  pick.checked = picked.has(u.id);
  pick.addEventListener('change', function () {
    if (pick.checked) picked.set(u.id, { id: u.id, username: u.username, full_name: u.full_name });
    else picked.delete(u.id);
    picksDone();
  });
  tr.appendChild(cell('Pick', pick));
  tr.lastChild.classList.add('col-pick');

  var usernameInput = null;
  var nameInput = null;
  if (editing) {
    usernameInput = el('input', { type: 'text', value: u.username, 'data-action': 'edit-username', autocomplete: 'off',
      spellcheck: 'false', 'aria-label': 'Username of ' + userShort(u), 'aria-describedby': msgId });
    nameInput = el('input', { type: 'text', value: u.full_name, 'data-action': 'edit-name', autocomplete: 'off',
      'aria-label': 'Full name of ' + u.username, 'aria-describedby': msgId });
    tr.appendChild(cell('Username', usernameInput));
    tr.appendChild(cell('Full name', nameInput));
  } else {
    var open = el('button', { type: 'button', class: 'link', 'data-action': 'open' }, u.username);
    open.addEventListener('click', function () { openUser(u); });
    tr.appendChild(cell('Username', open, el('span', { class: 'cell-sub' }, '#' + u.id)));
    tr.appendChild(cell('Full name', u.full_name || '—'));
  }
  tr.appendChild(cell('Role', roleLabel(u.role)));
  tr.appendChild(cell('Status', u.is_active ? 'Active' : el('span', { class: 'badge badge-warn' }, 'Inactive')));
  tr.appendChild(cell('Companies', num(u.company_count || 0)));
  tr.appendChild(cell('Created', dayEl(u.created_at)));

  var actions = el('div', { class: 'row-actions' });
  if (editing) {
    var save = function () { rename(u, usernameInput.value.trim(), nameInput.value.trim()); };
    var cancel = function () { view.editing = null; render(); focusInRow($('users-body'), 'data-user-id', u.id, 'rename'); };
    editKeys(usernameInput, save, cancel);
    editKeys(nameInput, save, cancel);
    actions.append(rowAction('Save', u.username, 'btn btn-primary btn-small', 'save', save, msgId, busy),
      rowAction('Cancel', u.username, 'btn btn-ghost btn-small', 'cancel', cancel, msgId, busy));
  } else if (state.canWrite) {
    actions.append(rowAction('Rename', u.username, 'btn btn-small', 'rename', function () {
      view.editing = u.id;
      view.messages.delete(u.id);
      render();
      focusInRow($('users-body'), 'data-user-id', u.id, 'edit-name');
    }, msgId, busy));
    actions.append(u.is_active
      ? rowAction('Deactivate', u.username, 'btn btn-danger btn-small', 'deactivate', function () { setActive(u, false); }, msgId, busy)
      : rowAction('Reactivate', u.username, 'btn btn-small', 'reactivate', function () { setActive(u, true); }, msgId, busy));
  }
  tr.appendChild(actionsCell(view, u.id, msgId, actions));
  return tr;
}

function renderPicks() {
  var n = picked.size;
  $('users-picked-bar').hidden = n === 0 || !state.canWrite;
  $('users-picked-count').textContent = plural(n, 'user picked', 'users picked');
  var boxes = Array.prototype.slice.call($('users-body').querySelectorAll('input[data-action="pick"]'));
  var all = $('users-pick-page');
  all.checked = boxes.length > 0 && boxes.every(function (b) { return b.checked; });
  all.indeterminate = !all.checked && boxes.some(function (b) { return b.checked; });
}

/** Redraws what shows the picks and tells the bulk form, whose report they make stale. */
function picksDone() {
  renderPicks();
  picksChanged();
}

function openUser(u) {
  $('user-search').value = u.username;
  return Promise.resolve(selectUser(u)).then(function () { $('user-title').focus(); });
}

function tell(u, text, kind, focusAction) {
  tellRow('users', 'data-user-id', view, u.id, text, kind, focusAction);
}

function change(u, body, done, focusAction) {
  if (!startRowChange(view, u.id, render)) return;
  api('PATCH', 'users/' + encodeURIComponent(u.id), body).then(function (updated) {
    view.busy.delete(u.id);
    view.editing = null;
    rememberUser(updated);
    if (state.user && state.user.id === u.id) refreshUserCompanies();
    return load(view.offset).then(function () { tell(updated, done(updated), 'success', focusAction); });
  }, function (e) {
    view.busy.delete(u.id);
    if (e.status === 401) return;
    var text = e.code === 'user_not_found' ? u.username + ' no longer exists (deleted meanwhile).'
      : 'Could not change ' + u.username + ': ' + e.message;
    render();
    tell(u, text, 'error', view.editing === u.id ? 'edit-username' : focusAction);
  });
}

function rename(u, username, fullName) {
  if (!USERNAME.test(username)) {
    tell(u, 'A username has 3 to 64 letters, digits, _ . - or @; “' + username + '” does not.', 'error', 'edit-username');
    render();
    focusInRow($('users-body'), 'data-user-id', u.id, 'edit-username');
    return;
  }
  var body = {};
  if (username !== u.username) body.username = username;
  if (fullName !== u.full_name) body.full_name = fullName;
  if (!Object.keys(body).length) { view.editing = null; render(); focusInRow($('users-body'), 'data-user-id', u.id, 'rename'); return; }
  change(u, body, function (v) {
    return 'Saved: ' + v.username + (v.full_name ? ' (' + v.full_name + ')' : '') + '.';
  }, 'rename');
}

function setActive(u, active) {
  change(u, { is_active: active }, function (v) {
    return active ? 'Reactivated ' + v.username + ': their grants give access again.'
      : 'Deactivated ' + v.username + ': access checks refuse them in every company until reactivated.';
  }, active ? 'deactivate' : 'reactivate');
}

export function setupUsersTable() {
  fillRoles($('users-role'), 'any');
  fillRoles($('new-role'), 'employee');
  setupTableSort('users', 'Users', view, load);
  setupPager('users', view, function (offset) { load(offset); });
  $('users-size').addEventListener('change', function () {
    view.limit = Number($('users-size').value) || 25;
    load(0);
  });
  var later = debounce(function () { load(0); }, FILTER_DELAY_MS);
  ['users-q', 'users-min'].forEach(function (id) { $(id).addEventListener('input', later); });
  ['users-role', 'users-active', 'users-company'].forEach(function (id) {
    $(id).addEventListener('change', function () { later.cancel(); load(0); });
  });
  $('users-filters').addEventListener('submit', function (e) { e.preventDefault(); later.cancel(); load(0); });
  // Several fields and no submit button: Enter would not submit the form on its own.
  ['users-q', 'users-company', 'users-min'].forEach(function (id) {
    $(id).addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); later.cancel(); load(0); } });
  });
  $('users-pick-page').addEventListener('change', function () {
    var on = $('users-pick-page').checked;
    view.items.forEach(function (u) {
      if (on) picked.set(u.id, { id: u.id, username: u.username, full_name: u.full_name }); else picked.delete(u.id);
    });
    $('users-body').querySelectorAll('input[data-action="pick"]').forEach(function (b) { b.checked = on; });
    picksDone();
    announce((on ? 'Picked ' : 'Unpicked ') + plural(view.items.length, 'user', 'users') + ' on this page; '
      + plural(picked.size, 'user', 'users') + ' picked in all.');
  });
  $('users-picked-clear').addEventListener('click', function () { clearPicks(); $('users-pick-page').focus(); });
  $('users-picked-bulk').addEventListener('click', function () {
    $('bulk-title').scrollIntoView({ block: 'start' });
    $('bulk-title').focus();
  });
  setupCreateForm('user', 'new-username', function (e) { createUser(e, function () { load(view.offset); }); });
}

/** After a change elsewhere (a bulk grant, an import), the counts in the table are stale: reload quietly. */
export function refreshUsersTable() {
  if (view.loaded) load(view.offset);
}
