// The selected user: their header and current companies.

import { $, announce, append, el, num, plural, setMsg, timeEl, userShort } from './dom.js';
import { api } from './api.js';
import { grantItems, rememberCompany, rememberUser, state } from './state.js';
import { roleLabel } from './labels.js';
import { button, holdPinnedRow, keepFocus, rowMessage } from './rows.js';
import { loadAvailable, renderAvailable, updateSelectedButton } from './add.js';
import { keepCompany, makeDefault, removeCompany, undoRemove } from './remove.js';
import { loadHistory } from './history.js';
import { writeAddress } from './address.js';

// The access review can open a user too, so this view may not import it: manage.js hands the way there in.
let openReview = function () {};
export function onOpenReview(handler) { openReview = handler; }

export function selectUser(u) {
  // Opening another user is a step Back can undo; the same user again (a refresh) is not.
  writeAddress({ view: '', user: u.id }, !state.user || state.user.id !== u.id);
  // However the user was opened (search, table, review, address), the search box names the user on the card.
  $('user-search').value = u.username;
  state.addressSeq++; // an address still being followed asked for an older user
  state.user = u;
  rememberUser(u);
  state.userCompanies = null;
  state.selected.clear();
  state.addMessages.clear();
  state.currentMessages.clear();
  state.removed.clear();
  state.confirmRemove = null;
  state.busy.clear();
  $('user-view').hidden = false;
  setMsg($('current-message'), '');
  setMsg($('add-selected-message'), '');
  renderUserHeader();
  $('current-title').textContent = 'Current companies';
  $('user-superadmin').hidden = true;
  $('current-list').replaceChildren();
  $('current-empty').hidden = false;
  $('current-empty').textContent = 'Loading…';
  $('add-section').hidden = !state.canWrite;
  $('available-list').replaceChildren();
  updateSelectedButton();
  var loaded = refreshUserCompanies().then(function (ok) {
    if (ok) {
      var grants = grantItems().length;
      announce('Showing ' + userShort(state.user) + ': ' + plural(grants, 'company', 'companies') + '.');
    }
  });
  if (state.canWrite) loadAvailable($('company-filter').value.trim());
  return loaded;
}

/** Closes the user's card (Back to before any user was opened). */
export function closeUser() {
  state.user = null;
  state.userCompanies = null;
  state.userSeq++;
  state.addressSeq++;
  state.selected.clear();
  state.busy.clear();
  $('user-view').hidden = true;
  $('user-search').value = '';
}

function renderUserHeader() {
  var u = state.user;
  $('user-title').textContent = u.full_name ? u.full_name : u.username;
  var meta = ['Username: ' + u.username, 'Role: ' + roleLabel(u.role), 'User #' + u.id];
  if (u.home_company_name) meta.push('Home company: ' + u.home_company_name);
  $('user-meta').textContent = meta.join(' · ');
  var inactive = $('user-inactive');
  inactive.hidden = u.is_active !== false;
  inactive.textContent = u.is_active === false
    ? 'This user is inactive: access checks refuse them in every company until they are reactivated.' : '';
}

/** Reloads the selected user's companies and redraws both lists. Resolves true when it worked. */
export function refreshUserCompanies() {
  var u = state.user;
  if (!u) return Promise.resolve(false);
  var mine = ++state.userSeq;
  return api('GET', 'users/' + encodeURIComponent(u.id) + '/companies').then(function (data) {
    if (mine !== state.userSeq || state.user !== u) return false;
    state.userCompanies = data;
    Object.keys(data.user).forEach(function (k) { u[k] = data.user[k]; });
    data.items.forEach(function (i) { rememberCompany(i.company_id, i.company_name); });
    renderUserHeader();
    renderCurrent();
    renderAvailable();
    // Read after the companies, so a change just made on the card is in the history below it.
    loadHistory('user', u.id);
    return true;
  }, function (e) {
    if (mine !== state.userSeq || state.user !== u) return false;
    if (e.status === 404) {
      setMsg($('current-message'), 'This user no longer exists (deleted meanwhile). Search for someone else.', 'error');
      $('current-list').replaceChildren();
      $('current-empty').hidden = true;
      $('add-section').hidden = true;
    } else if (e.status !== 401) {
      setMsg($('current-message'), 'Could not load the companies of ' + userShort(u) + ': ' + e.message, 'error');
      $('current-empty').hidden = true;
    }
    return false;
  });
}

export function renderCurrent() {
  var data = state.userCompanies;
  var u = state.user;
  if (!data) return;
  var grants = grantItems();
  var viaRole = data.items.length - grants.length;
  $('current-title').textContent = 'Current companies (' + num(grants.length) + ')';

  var sa = $('user-superadmin');
  if (data.all_companies) {
    sa.hidden = false;
    sa.textContent = userShort(u) + ' is a super admin and can act in every company'
      + (viaRole ? ' (' + num(viaRole + grants.length) + ' today)' : '')
      + ', including companies created later. Companies granted explicitly are listed below and stay if the role changes.';
  } else {
    sa.hidden = true;
    sa.textContent = '';
  }

  var empty = $('current-empty');
  if (!grants.length) {
    empty.hidden = false;
    empty.textContent = data.all_companies
      ? 'No explicit grants: not needed while the role is super admin.'
      : userShort(u) + ' has no companies yet.' + (state.canWrite ? ' Add one below.' : '');
  } else {
    empty.hidden = true;
    empty.textContent = '';
  }

  var list = $('current-list');
  keepFocus(list, function () {
    list.replaceChildren.apply(list, withRemoved(grants).map(currentRow));
  });
  holdPinnedRow();
}

// A company removed during this visit keeps its place, marked Removed with an Undo, so the rows below
// (and the add panel) do not move up under the pointer.
function withRemoved(grants) {
  var rows = grants.slice();
  var present = new Set(grants.map(function (i) { return i.company_id; }));
  Array.from(state.removed.entries()).sort(function (a, b) { return a[1].index - b[1].index; }).forEach(function (entry) {
    if (present.has(entry[0])) { state.removed.delete(entry[0]); return; }
    var removed = Object.assign({}, entry[1].item, { removed: true, is_default: false });
    rows.splice(Math.min(entry[1].index, rows.length), 0, removed);
  });
  return rows;
}

function currentRow(item) {
  var id = item.company_id;
  var name = item.company_name;
  var busy = state.busy.has(id);
  var msgId = 'current-msg-' + id;
  var cls = 'row' + (item.is_default ? ' row-default' : '') + (item.removed ? ' row-removed' : '');
  var li = el('li', { class: cls, 'data-company-id': id, 'data-company-name': name,
    'data-removed': item.removed ? 'true' : null, 'aria-busy': busy ? 'true' : null });
  var title = el('span', { class: 'row-title' }, name);
  if (item.is_default) title.appendChild(el('span', { class: 'badge badge-default' }, 'Default'));
  if (item.state === 'scheduled') title.appendChild(el('span', { class: 'badge' }, 'Scheduled'));
  if (item.state === 'expired') title.appendChild(el('span', { class: 'badge' }, 'Expired'));
  var meta = el('span', { class: 'row-meta' });
  if (item.removed) {
    meta.textContent = 'Removed just now: ' + userShort(state.user) + ' can no longer act in ' + name + '.';
  } else {
    if (item.role) {
      append(meta, ['As ', el('span', { class: 'role' }, roleLabel(item.role)),
        item.source === 'grant' && !item.granted_role ? ' (their own role)' : '', ' · ']);
    }
    if (item.valid_from) append(meta, ['from ', timeEl(item.valid_from), ' · ']);
    if (item.valid_until) append(meta, ['until ', timeEl(item.valid_until), ' · ']);
    if (item.granted_at) append(meta, ['Since ', timeEl(item.granted_at)]);
    if (item.granted_by) append(meta, [item.granted_at ? ' · granted by ' : 'Granted by ', el('span', { class: 'actor' }, item.granted_by)]);
  }
  li.appendChild(el('div', { class: 'row-main' }, title, meta));
  li.appendChild(currentActions(item, msgId, busy));
  li.appendChild(rowMessage(id, 'current-msg-', state.currentMessages));
  return li;
}

// The rightmost place of a row is Remove; whatever replaces it after a click (the Removed mark, "Keep it")
// is harmless, so the second click of a double click never does something else.
function currentActions(item, msgId, busy) {
  var id = item.company_id;
  var name = item.company_name;
  var actions = el('div', { class: 'row-actions' });
  actions.appendChild(button('Access review', name, 'btn btn-ghost btn-small', 'review', function () {
    openReview(id, name);
  }, msgId));
  if (!state.canWrite) return actions;
  if (item.removed) {
    actions.appendChild(button('Undo', name, 'btn btn-small', 'undo', function () {
      var removed = state.removed.get(id);
      if (removed) undoRemove(removed.item);
    }, msgId, busy));
    actions.appendChild(el('span', { class: 'badge badge-removed action-mark' }, 'Removed'));
  } else if (state.confirmRemove === id) {
    actions.appendChild(button('Remove anyway', name, 'btn btn-danger btn-small', 'confirm-remove', function () {
      removeCompany(item, 'current');
    }, msgId, busy || Date.now() < state.confirmArmedAt));
    actions.appendChild(button('Keep it', name, 'btn btn-small', 'keep', function () { keepCompany(item, 'current'); }, msgId, busy));
  } else if (!item.is_default) {
    actions.appendChild(button('Make default', name, 'btn btn-small', 'default', function () { makeDefault(item); }, msgId, busy));
    actions.appendChild(button('Remove', name, 'btn btn-danger btn-small', 'remove', function () {
      removeCompany(item, 'current');
    }, msgId, busy));
  } else {
    // Where "Make default" was: once it is the default, a second click there must not land on Access review.
    actions.appendChild(el('span', { class: 'action-spacer', 'aria-hidden': 'true' }));
    actions.appendChild(button('Remove', name, 'btn btn-danger btn-small', 'remove', function () {
      removeCompany(item, 'current');
    }, msgId, busy));
  }
  return actions;
}
