// Removing a company (with a short window to undo it) and changing the default company.

import { $, announce, setMsg, srOnly, userShort } from './dom.js';
import { api } from './api.js';
import { state } from './state.js';
import { focusRow, setBusy } from './rows.js';
import { refreshAll } from './add.js';

const UNDO_SECONDS = 10;

// The selected user's view draws the buttons that call this module, so it sits above it:
// manage.js hands in its reload and its redraw of the current companies.
let refreshUserCompanies = function () { return Promise.resolve(false); };
let renderCurrent = function () {};
export function connectRemove(refreshUser, redrawCurrent) {
  refreshUserCompanies = refreshUser;
  renderCurrent = redrawCurrent;
}

export function removeCompany(item) {
  var u = state.user;
  var id = item.company_id;
  if (state.busy.has(id)) return;
  finishUndo();
  state.currentErrors.delete(id);
  setMsg($('current-message'), '');
  setBusy(id, true);
  api('DELETE', 'users/' + encodeURIComponent(u.id) + '/companies/' + encodeURIComponent(id)).then(function () {
    setBusy(id, false);
    if (state.user !== u) return;
    setMsg($('current-message'), '');
    startUndo(u, item);
    return refreshAll();
  }, function (e) {
    setBusy(id, false);
    if (state.user !== u || e.status === 401) return;
    if (e.code === 'access_not_found') {
      setMsg($('current-message'), item.company_name + ' was already removed (by someone else); the list is now up to date.', 'info');
      announce(item.company_name + ' was already removed.');
      return refreshUserCompanies().then(function () { $('current-title').focus(); });
    }
    var text = e.status === 0 ? item.company_name + ' was not removed. ' + e.message
      : 'Could not remove ' + item.company_name + ': ' + e.message;
    state.currentErrors.set(id, text);
    renderCurrent();
    announce(text);
    focusRow('current-list', id, 'remove');
  });
}

function startUndo(u, item) {
  var undo = { user: u, item: item, deadline: Date.now() + UNDO_SECONDS * 1000, timer: null, ticker: null, busy: false };
  state.undo = undo;
  $('undo-text').textContent = 'Removed ' + item.company_name + ' from ' + userShort(u) + '.';
  $('undo-button').disabled = false;
  var undoButton = $('undo-button');
  undoButton.replaceChildren('Undo', srOnly(' removing ' + item.company_name));
  $('undo-bar').hidden = false;
  tickUndo();
  undo.ticker = setInterval(tickUndo, 1000);
  undo.timer = setTimeout(function () { if (state.undo === undo && !undo.busy) finishUndo(); }, UNDO_SECONDS * 1000);
  undoButton.focus();
  announce('Removed ' + item.company_name + '. Undo is possible for ' + UNDO_SECONDS + ' seconds.');
}

function tickUndo() {
  var undo = state.undo;
  if (!undo) return;
  var left = Math.max(0, Math.ceil((undo.deadline - Date.now()) / 1000));
  $('undo-countdown').textContent = left + ' s';
}

/** Closes the undo window: the removal stays. */
export function finishUndo() {
  var undo = state.undo;
  if (!undo) return;
  clearTimeout(undo.timer);
  clearInterval(undo.ticker);
  state.undo = null;
  var bar = $('undo-bar');
  var hadFocus = bar.contains(document.activeElement);
  bar.hidden = true;
  if (hadFocus) $('current-title').focus();
}

export function runUndo() {
  var undo = state.undo;
  if (!undo || undo.busy) return;
  undo.busy = true;
  clearTimeout(undo.timer);
  clearInterval(undo.ticker);
  $('undo-button').disabled = true;
  $('undo-countdown').textContent = '';
  var u = undo.user;
  var item = undo.item;
  var base = 'users/' + encodeURIComponent(u.id) + '/companies';
  api('POST', base, { company_id: item.company_id }).catch(function (e) {
    if (e.code === 'already_has_access') return null; // it is back already: fine
    throw e;
  }).then(function () {
    if (!item.is_default) return null;
    return api('PATCH', base + '/' + encodeURIComponent(item.company_id), { is_default: true }).catch(function (e) {
      e.partial = true;
      throw e;
    });
  }).then(function () {
    if (state.undo === undo) state.undo = null;
    $('undo-bar').hidden = true;
    if (state.user !== u) return;
    setMsg($('current-message'), 'Restored ' + item.company_name + ' for ' + userShort(u) + '.', 'success');
    announce('Restored ' + item.company_name + '.');
    return refreshAll().then(function () {
      focusRow('current-list', item.company_id, 'remove');
      if (!$('current-list').contains(document.activeElement)) $('current-title').focus();
    });
  }, function (e) {
    if (state.undo === undo) state.undo = null;
    $('undo-bar').hidden = true;
    if (e.status === 401) return;
    var text = e.partial
      ? item.company_name + ' is back, but it could not be made the default again: ' + e.message
      : 'Could not undo: ' + e.message + (e.code === 'company_not_found' ? ' (the company was deleted meanwhile).' : '');
    setMsg($('current-message'), text, 'error');
    announce(text);
    $('current-title').focus();
    if (state.user === u) refreshUserCompanies();
  });
}

export function makeDefault(item) {
  var u = state.user;
  var id = item.company_id;
  if (state.busy.has(id)) return;
  state.currentErrors.delete(id);
  setMsg($('current-message'), '');
  setBusy(id, true);
  api('PATCH', 'users/' + encodeURIComponent(u.id) + '/companies/' + encodeURIComponent(id), { is_default: true }).then(function () {
    setBusy(id, false);
    if (state.user !== u) return;
    setMsg($('current-message'), item.company_name + ' is now the default company of ' + userShort(u) + '.', 'success');
    announce(item.company_name + ' is now the default company.');
    return refreshUserCompanies().then(function () { focusRow('current-list', id, 'remove'); });
  }, function (e) {
    setBusy(id, false);
    if (state.user !== u || e.status === 401) return;
    var text = e.code === 'access_not_found'
      ? e.message + ' (it was removed meanwhile; the list is now up to date).'
      : (e.status === 0 ? 'The default was not changed. ' + e.message
        : 'Could not make ' + item.company_name + ' the default: ' + e.message);
    state.currentErrors.set(id, text);
    announce(text);
    if (e.code === 'access_not_found') {
      state.currentErrors.delete(id);
      setMsg($('current-message'), text, 'error');
      refreshUserCompanies().then(function () { $('current-title').focus(); });
      return;
    }
    renderCurrent();
    focusRow('current-list', id, 'default');
  });
}
