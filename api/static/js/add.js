// The add panel: the companies the selected user does not have yet, added one by one or several at once.

import { $, announce, el, num, plural, setMsg, userShort } from './dom.js';
import { api } from './api.js';
import { grantItems, rememberCompany, state } from './state.js';
import { button, focusRow, keepFocus, rowIndex, setBusy } from './rows.js';

const COMPANY_LIST_LIMIT = 100;

// The selected user's view draws this panel, so it sits above this module: manage.js hands its reload in.
let refreshUserCompanies = function () { return Promise.resolve(false); };
export function connectAdd(refreshUser) { refreshUserCompanies = refreshUser; }

/** Reloads the selected user's companies and (quietly) the add panel, whose user counts just changed. */
export function refreshAll() {
  var both = [refreshUserCompanies()];
  if (state.canWrite) both.push(loadAvailable(state.availableQuery, true));
  return Promise.all(both).then(function (results) { return results[0]; });
}

/** The terms the add panel gives new grants; nothing when left as they are (the user's role, no window). */
function grantTerms() {
  var terms = {};
  var role = $('grant-role').value;
  if (role) terms.role = role;
  if ($('grant-from').value) terms.valid_from = $('grant-from').value + 'T00:00:00Z';
  if ($('grant-until').value) terms.valid_until = $('grant-until').value + 'T00:00:00Z';
  if ($('grant-branches').checked) terms.include_branches = true;
  return terms;
}

export function loadAvailable(q, quiet) {
  var mine = ++state.availableSeq;
  var status = $('company-filter-status');
  if (!quiet) status.textContent = 'Loading companies…';
  var url = 'companies?sort=name&limit=' + COMPANY_LIST_LIMIT + (q ? '&q=' + encodeURIComponent(q) : '');
  return api('GET', url).then(function (page) {
    if (mine !== state.availableSeq) return;
    state.available = page.items;
    state.availableTotal = page.total;
    state.availableQuery = q;
    page.items.forEach(function (c) { rememberCompany(c.id, c.name); });
    renderAvailable();
  }, function (e) {
    if (mine !== state.availableSeq || e.status === 401) return;
    status.textContent = 'Could not load the companies: ' + e.message;
  });
}

export function renderAvailable() {
  if (!state.canWrite || !state.user || !state.userCompanies) return;
  var granted = new Set(grantItems().map(function (i) { return i.company_id; }));
  var rows = state.available.filter(function (c) { return !granted.has(c.id) || state.addErrors.has(c.id); });
  var hiddenGranted = state.available.length - rows.length;
  var status;
  var q = state.availableQuery;
  if (!state.available.length) {
    status = q ? 'No company matches “' + q + '”.' : 'There are no companies yet.';
  } else if (!rows.length) {
    status = userShort(state.user) + ' already has every company' + (q ? ' matching “' + q + '”.' : ' listed here.');
  } else if (state.availableTotal > state.available.length) {
    status = 'Showing the first ' + num(state.available.length) + ' of ' + num(state.availableTotal)
      + ' companies' + (q ? ' matching “' + q + '”' : '') + '. Type to narrow the list.';
  } else {
    status = plural(rows.length, 'company', 'companies') + ' can be added'
      + (hiddenGranted ? ' (' + num(hiddenGranted) + ' already granted not shown)' : '') + '.';
  }
  $('company-filter-status').textContent = status;
  var list = $('available-list');
  keepFocus(list, function () {
    list.replaceChildren.apply(list, rows.map(function (c) { return availableRow(c, granted.has(c.id)); }));
  });
  updateSelectedButton();
}

function availableRow(c, alreadyGranted) {
  var id = c.id;
  var busy = state.busy.has(id);
  var msgId = 'add-msg-' + id;
  var checkId = 'pick-' + id;
  var li = el('li', { class: 'row', 'data-company-id': id, 'data-company-name': c.name, 'aria-busy': busy ? 'true' : null });
  var box = el('input', { type: 'checkbox', id: checkId, 'data-action': 'pick', 'aria-describedby': msgId,
    disabled: alreadyGranted || busy ? true : null });
  box.checked = state.selected.has(id) && !alreadyGranted;
  box.addEventListener('change', function () {
    if (box.checked) state.selected.set(id, c.name); else state.selected.delete(id);
    updateSelectedButton();
  });
  var label = el('label', { for: checkId, class: 'row-title pick' }, box, el('span', {}, c.name));
  var meta = el('span', { class: 'row-meta' }, plural(c.user_count || 0, 'user', 'users') + ' granted');
  li.appendChild(el('div', { class: 'row-main' }, label, meta));
  var actions = el('div', { class: 'row-actions' });
  if (!alreadyGranted) {
    actions.appendChild(button('Add', c.name, 'btn btn-primary btn-small', 'add', function () { addCompany(c); }, msgId, busy));
  } else {
    actions.appendChild(el('span', { class: 'badge' }, 'Already granted'));
  }
  li.appendChild(actions);
  var msg = el('p', { id: msgId, class: 'msg row-msg' });
  if (state.addErrors.has(id)) setMsg(msg, state.addErrors.get(id), 'error');
  li.appendChild(msg);
  return li;
}

export function updateSelectedButton() {
  var n = state.selected.size;
  var b = $('add-selected');
  b.disabled = n === 0;
  b.textContent = n ? 'Add selected (' + num(n) + ')' : 'Add selected';
  $('clear-selected').hidden = n === 0;
}

/** After a row leaves the add panel, keeps focus near where it was instead of dropping it on <body>. */
function focusAvailableNear(index) {
  var active = document.activeElement;
  if (active && active !== document.body && !$('available-list').contains(active)) return; // the user moved on
  var buttons = $('available-list').querySelectorAll('[data-action="add"]');
  if (buttons.length) buttons[Math.min(index, buttons.length - 1)].focus();
  else $('company-filter').focus();
}

function addCompany(c) {
  var u = state.user;
  var id = c.id;
  if (state.busy.has(id)) return;
  var index = rowIndex('available-list', id);
  state.addErrors.delete(id);
  setMsg($('current-message'), '');
  setMsg($('add-msg-' + id) || document.createElement('p'), '');
  setBusy(id, true);
  api('POST', 'users/' + encodeURIComponent(u.id) + '/companies', Object.assign({ company_id: id }, grantTerms())).then(function () {
    setBusy(id, false);
    if (state.user !== u) return;
    state.selected.delete(id);
    setMsg($('current-message'), 'Added ' + c.name + ' to ' + userShort(u) + '.', 'success');
    announce('Added ' + c.name + ' to ' + userShort(u) + '.');
    return refreshAll().then(function () { focusAvailableNear(index); });
  }, function (e) {
    setBusy(id, false);
    if (state.user !== u || e.status === 401) return;
    var text;
    if (e.code === 'already_has_access') {
      text = e.message + ' (someone else added it meanwhile; the list above is now up to date).';
    } else if (e.code === 'company_not_found') {
      text = e.message + ': it was deleted meanwhile. Nothing was added.';
    } else if (e.code === 'user_not_found') {
      text = e.message + ': this user was deleted meanwhile. Nothing was added.';
    } else if (e.status === 0) {
      text = c.name + ' was not added. ' + e.message;
    } else {
      text = 'Could not add ' + c.name + ': ' + e.message;
    }
    state.addErrors.set(id, text);
    announce('Could not add ' + c.name + '. ' + text);
    if (e.status === 0) { renderAvailable(); focusRow('available-list', id, 'add'); return; }
    return refreshUserCompanies().then(function (ok) {
      if (!ok) renderAvailable();
      focusRow('available-list', id, 'add');
    });
  });
}

export function addSelected() {
  var u = state.user;
  var ids = Array.from(state.selected.keys());
  if (!ids.length || !u) return;
  var b = $('add-selected');
  var message = $('add-selected-message');
  b.disabled = true;
  setMsg($('current-message'), '');
  setMsg(message, 'Adding ' + plural(ids.length, 'company', 'companies') + '…', 'info');
  api('POST', 'users/' + encodeURIComponent(u.id) + '/companies', Object.assign({ company_ids: ids }, grantTerms())).then(function (res) {
    if (state.user !== u) return;
    state.selected.clear();
    var added = res.added.map(function (x) { return x.company_name; });
    var already = res.already_present.map(function (id) { return state.companyNames.get(id) || id; });
    var text = added.length ? 'Added ' + added.join(', ') + ' to ' + userShort(u) + '.' : 'Nothing new to add.';
    if (already.length) text += ' Already had access: ' + already.join(', ') + '.';
    setMsg(message, text, 'success');
    announce(text);
    return refreshAll().then(function () { $('current-title').focus(); });
  }, function (e) {
    if (state.user !== u || e.status === 401) return;
    var text = 'Nothing was added: ' + e.message;
    if (e.code === 'company_not_found') text += ' One of the selected companies was deleted meanwhile; the list was reloaded.';
    setMsg(message, text, 'error');
    announce(text);
    if (e.code === 'company_not_found') {
      state.selected.clear();
      loadAvailable(state.availableQuery);
    }
    updateSelectedButton();
    b.focus();
  }).then(function () { updateSelectedButton(); }, function () { updateSelectedButton(); });
}
