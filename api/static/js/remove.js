// Removing a company (the default one only after a second word), undoing a removal in place, and changing
// the default company. Every outcome is written beside the row acted on and read out to screen readers.

import { announce, userShort } from './dom.js';
import { api } from './api.js';
import { grantItems, state } from './state.js';
import { focusRow, pinRow, rowIndex, setBusy } from './rows.js';
import { refreshAll, renderAvailable } from './add.js';

// "Remove anyway" appears where a second click of a double click on Remove may land: it ignores clicks until
// this long after it appeared, so only a deliberate click confirms.
export const CONFIRM_ARM_MS = 1000;

// The selected user's view draws the buttons that call this module, so it sits above it:
// manage.js hands in its reload and its redraw of the current companies.
let refreshUserCompanies = function () { return Promise.resolve(false); };
let renderCurrent = function () {};
export function connectRemove(refreshUser, redrawCurrent) {
  refreshUserCompanies = refreshUser;
  renderCurrent = redrawCurrent;
}

// Which list a row is in ('current' or 'available'), its message map and its list element's id.
function place(where) {
  return where === 'available'
    ? { messages: state.addMessages, list: 'available-list' }
    : { messages: state.currentMessages, list: 'current-list' };
}

function say(where, id, text, kind) {
  place(where).messages.set(id, { text: text, kind: kind });
  announce(text);
}

function redraw() {
  renderCurrent();
  renderAvailable();
}

/** Clears what the rows of both lists say, before a new action speaks. */
function quiet(id) {
  state.addMessages.delete(id);
  state.currentMessages.delete(id);
}

/**
 * Removes a company from the selected user. The default company is removed only after "Remove anyway":
 * without it the user has no default company until one is chosen.
 */
export function removeCompany(item, where) {
  var u = state.user;
  var id = item.company_id;
  if (state.busy.has(id)) return;
  var at = place(where);
  if (item.is_default && state.confirmRemove !== id) {
    quiet(id);
    state.confirmRemove = id;
    state.confirmArmedAt = Date.now() + CONFIRM_ARM_MS;
    var others = grantItems().length - 1;
    say(where, id, item.company_name + ' is the default company of ' + userShort(u) + '. Without it they have no default company'
      + (others > 0 ? ' until you make one of their other companies the default' : '') + '. Remove it anyway, or keep it?', 'error');
    redraw();
    focusRow(at.list, id, 'keep');
    // The confirmation becomes clickable once armed.
    setTimeout(function () { if (state.confirmRemove === id) redraw(); }, CONFIRM_ARM_MS + 20);
    return;
  }
  if (state.confirmRemove === id && Date.now() < state.confirmArmedAt) return;
  // Another removal answers an open question about the default company by leaving it: its words go too.
  if (state.confirmRemove !== null && state.confirmRemove !== id) quiet(state.confirmRemove);
  state.confirmRemove = null;
  quiet(id);
  var index = rowIndex('current-list', id);
  pinRow(at.list, id);
  setBusy(id, true);
  api('DELETE', 'users/' + encodeURIComponent(u.id) + '/companies/' + encodeURIComponent(id)).then(function () {
    setBusy(id, false);
    if (state.user !== u) return;
    state.removed.set(id, { item: item, index: index });
    var text = 'Removed ' + item.company_name + ' from ' + userShort(u) + '.'
      + (item.is_default ? ' They have no default company now.' : '')
      + (where === 'available' ? ' Add it again to undo.' : ' Undo puts it back.');
    say(where, id, text, item.is_default ? 'error' : 'success');
    if (where === 'available') state.currentMessages.set(id, { text: 'Removed.', kind: 'info' });
    pinRow(at.list, id);
    return refreshAll().then(function () {
      focusRow(at.list, id, where === 'available' ? 'add' : 'undo');
    });
  }, function (e) {
    setBusy(id, false);
    if (state.user !== u || e.status === 401) return;
    if (e.code === 'access_not_found') {
      state.removed.set(id, { item: item, index: index });
      say(where, id, item.company_name + ' was already removed (by someone else); the lists are now up to date.', 'info');
      return refreshAll();
    }
    say(where, id, e.status === 0 ? item.company_name + ' was not removed. ' + e.message
      : 'Could not remove ' + item.company_name + ': ' + e.message, 'error');
    redraw();
    focusRow(at.list, id, 'remove');
  });
}

/** The answer "Keep it" to removing the default company. */
export function keepCompany(item, where) {
  if (state.confirmRemove !== item.company_id) return;
  state.confirmRemove = null;
  quiet(item.company_id);
  say(where, item.company_id, item.company_name + ' stays the default company of ' + userShort(state.user) + '.', 'info');
  redraw();
  focusRow(place(where).list, item.company_id, 'remove');
}

/** Puts back a company removed during this visit, as it was (the default again if it was the default). */
export function undoRemove(item) {
  var u = state.user;
  var id = item.company_id;
  if (state.busy.has(id)) return;
  quiet(id);
  var base = 'users/' + encodeURIComponent(u.id) + '/companies';
  var terms = { company_id: id };
  if (item.granted_role) terms.role = item.granted_role;
  if (item.valid_from) terms.valid_from = item.valid_from;
  if (item.valid_until) terms.valid_until = item.valid_until;
  if (item.include_branches) terms.include_branches = true;
  pinRow('current-list', id);
  setBusy(id, true);
  api('POST', base, terms).catch(function (e) {
    if (e.code === 'already_has_access') return null; // it is back already: fine
    throw e;
  }).then(function (grant) {
    if (!item.is_default || (grant && grant.is_default)) return null;
    return api('PATCH', base + '/' + encodeURIComponent(id), { is_default: true }).catch(function (e) {
      e.partial = true;
      throw e;
    });
  }).then(function () {
    setBusy(id, false);
    if (state.user !== u) return;
    state.removed.delete(id);
    say('current', id, 'Restored ' + item.company_name + ' for ' + userShort(u)
      + (item.is_default ? ', as their default company.' : '.'), 'success');
    state.addMessages.set(id, { text: 'Restored.', kind: 'info' });
    pinRow('current-list', id);
    return refreshAll().then(function () { focusRow('current-list', id, 'remove'); });
  }, function (e) {
    setBusy(id, false);
    if (state.user !== u || e.status === 401) return;
    if (e.partial) state.removed.delete(id);
    say('current', id, e.partial
      ? item.company_name + ' is back, but it could not be made the default again: ' + e.message
      : 'Could not undo: ' + e.message + (e.code === 'company_not_found' ? ' (the company was deleted meanwhile).' : ''), 'error');
    return refreshAll().then(function () { focusRow('current-list', id, e.partial ? 'default' : 'undo'); });
  });
}

export function makeDefault(item) {
  var u = state.user;
  var id = item.company_id;
  if (state.busy.has(id)) return;
  quiet(id);
  setBusy(id, true);
  api('PATCH', 'users/' + encodeURIComponent(u.id) + '/companies/' + encodeURIComponent(id), { is_default: true }).then(function () {
    setBusy(id, false);
    if (state.user !== u) return;
    say('current', id, item.company_name + ' is now the default company of ' + userShort(u) + '.', 'success');
    return refreshAll().then(function () { focusRow('current-list', id, 'remove'); });
  }, function (e) {
    setBusy(id, false);
    if (state.user !== u || e.status === 401) return;
    if (e.code === 'access_not_found') {
      say('current', id, e.message + ' (it was removed meanwhile; the lists are now up to date).', 'error');
      return refreshAll();
    }
    say('current', id, e.status === 0 ? 'The default was not changed. ' + e.message
      : 'Could not make ' + item.company_name + ' the default: ' + e.message, 'error');
    redraw();
    focusRow('current-list', id, 'default');
  });
}
