// The add panel: the companies the selected user does not have yet, added one by one or several at once.

import { $, announce, el, num, plural, setMsg, userShort } from './dom.js';
import { api } from './api.js';
import { grantItems, rememberCompany, state } from './state.js';
import { button, focusRow, holdPinnedRow, keepFocus, pinRow, rowMessage, setBusy } from './rows.js';

const COMPANY_LIST_LIMIT = 100;

// The selected user's view draws this panel and removing sits above it too: manage.js hands both in.
let refreshUserCompanies = function () { return Promise.resolve(false); };
let removeGrant = function () {};
let cancelRemoval = function () {};
export function connectAdd(refreshUser, remove, keep) {
  refreshUserCompanies = refreshUser;
  removeGrant = remove;
  cancelRemoval = keep;
}

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
  var granted = new Map(grantItems().map(function (i) { return [i.company_id, i]; }));
  var rows = state.available;
  var grantedShown = rows.filter(function (c) { return granted.has(c.id); }).length;
  var status;
  var q = state.availableQuery;
  if (!rows.length) {
    status = q ? 'No company matches “' + q + '”.' : 'There are no companies yet.';
  } else if (grantedShown === rows.length) {
    status = userShort(state.user) + ' already has every company' + (q ? ' matching “' + q + '”.' : ' listed here.');
  } else if (state.availableTotal > rows.length) {
    status = 'Showing the first ' + num(rows.length) + ' of ' + num(state.availableTotal)
      + ' companies' + (q ? ' matching “' + q + '”' : '') + '. Type to narrow the list.';
  } else {
    status = plural(rows.length - grantedShown, 'company', 'companies') + ' can be added'
      + (grantedShown ? '; ' + num(grantedShown) + ' already granted (marked Granted)' : '') + '.';
  }
  $('company-filter-status').textContent = status;
  var list = $('available-list');
  keepFocus(list, function () {
    list.replaceChildren.apply(list, rows.map(function (c) { return availableRow(c, granted.get(c.id) || null); }));
  });
  holdPinnedRow();
  updateSelectedButton();
}

// A granted company keeps its row, so nothing moves under the pointer: "Granted" takes the place of Add,
// and its Remove sits to the left of it, where a second click meant for Add cannot land.
function availableRow(c, grant) {
  var id = c.id;
  var busy = state.busy.has(id);
  var msgId = 'add-msg-' + id;
  var checkId = 'pick-' + id;
  var li = el('li', { class: 'row' + (grant ? ' row-granted' : ''), 'data-company-id': id, 'data-company-name': c.name,
    'data-granted': grant ? 'true' : null, 'aria-busy': busy ? 'true' : null });
  var box = el('input', { type: 'checkbox', id: checkId, 'data-action': 'pick', 'aria-describedby': msgId,
    disabled: grant || busy ? true : null });
  box.checked = state.selected.has(id) && !grant;
  box.addEventListener('change', function () {
    if (box.checked) state.selected.set(id, c.name); else state.selected.delete(id);
    updateSelectedButton();
  });
  var name = el('span', {}, c.name);
  if (grant && grant.is_default) name.appendChild(el('span', { class: 'badge badge-default' }, 'Default'));
  var label = el('label', { for: checkId, class: 'row-title pick' }, box, name);
  var meta = el('span', { class: 'row-meta' }, plural(c.user_count || 0, 'user', 'users') + ' granted');
  li.appendChild(el('div', { class: 'row-main' }, label, meta));
  var actions = el('div', { class: 'row-actions' });
  if (!grant) {
    actions.appendChild(button('Add', c.name, 'btn btn-primary btn-small', 'add', function () { addCompany(c); }, msgId, busy));
  } else if (state.confirmRemove === id) {
    actions.appendChild(button('Remove anyway', c.name, 'btn btn-danger btn-small', 'confirm-remove', function () {
      removeGrant(grant, 'available');
    }, msgId, busy || Date.now() < state.confirmArmedAt));
    actions.appendChild(button('Keep it', c.name, 'btn btn-small', 'keep', function () { cancelRemoval(grant, 'available'); }, msgId, busy));
  } else {
    actions.appendChild(button('Remove', c.name, 'btn btn-danger btn-small', 'remove', function () {
      removeGrant(grant, 'available');
    }, msgId, busy));
    actions.appendChild(el('span', { class: 'badge badge-granted action-mark' }, 'Granted'));
  }
  li.appendChild(actions);
  li.appendChild(rowMessage(id, 'add-msg-', state.addMessages));
  return li;
}

export function updateSelectedButton() {
  var n = state.selected.size;
  var b = $('add-selected');
  b.disabled = n === 0;
  b.textContent = n ? 'Add selected (' + num(n) + ')' : 'Add selected';
  $('clear-selected').hidden = n === 0;
}

/** What a new grant means for the user's default company, said when it happens. */
function defaultNote(grant, u) {
  if (!grant || !grant.is_default) return '';
  return ' It is now the default company of ' + userShort(u) + ' (the first one they were granted); change it with Make default.';
}

function addCompany(c) {
  var u = state.user;
  var id = c.id;
  if (state.busy.has(id)) return;
  state.addMessages.delete(id);
  state.currentMessages.delete(id);
  setMsg($('add-msg-' + id) || document.createElement('p'), '');
  pinRow('available-list', id);
  setBusy(id, true);
  api('POST', 'users/' + encodeURIComponent(u.id) + '/companies', Object.assign({ company_id: id }, grantTerms())).then(function (grant) {
    setBusy(id, false);
    if (state.user !== u) return;
    state.selected.delete(id);
    state.removed.delete(id);
    var text = 'Added ' + c.name + ' to ' + userShort(u) + '.' + defaultNote(grant, u);
    state.addMessages.set(id, { text: text, kind: 'success' });
    announce(text);
    pinRow('available-list', id);
    return refreshAll().then(function () { focusRow('available-list', id, 'remove'); });
  }, function (e) {
    setBusy(id, false);
    if (state.user !== u || e.status === 401) return;
    var text;
    if (e.code === 'already_has_access') {
      text = e.message + ' (someone else added it meanwhile; the lists are now up to date).';
    } else if (e.code === 'company_not_found') {
      text = e.message + ': it was deleted meanwhile. Nothing was added.';
    } else if (e.code === 'user_not_found') {
      text = e.message + ': this user was deleted meanwhile. Nothing was added.';
    } else if (e.status === 0) {
      text = c.name + ' was not added. ' + e.message;
    } else {
      text = 'Could not add ' + c.name + ': ' + e.message;
    }
    state.addMessages.set(id, { text: text, kind: 'error' });
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
  setMsg(message, 'Adding ' + plural(ids.length, 'company', 'companies') + '…', 'info');
  api('POST', 'users/' + encodeURIComponent(u.id) + '/companies', Object.assign({ company_ids: ids }, grantTerms())).then(function (res) {
    if (state.user !== u) return;
    state.selected.clear();
    var added = res.added.map(function (x) { return x.company_name; });
    var already = res.already_present.map(function (id) { return state.companyNames.get(id) || id; });
    var text = added.length ? 'Added ' + added.join(', ') + ' to ' + userShort(u) + '.' : 'Nothing new to add.';
    if (already.length) text += ' Already had access: ' + already.join(', ') + '.';
    var madeDefault = res.added.filter(function (x) { return x.is_default; })[0];
    if (madeDefault) text += ' ' + madeDefault.company_name + ' is now their default company (the first one they were granted).';
    setMsg(message, text, 'success');
    announce(text);
    // Focus stays by the button that was used, with the outcome read out there.
    return refreshAll().then(function () { message.focus(); });
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
