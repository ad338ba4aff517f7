// Signing in and out with an API key, and what the key's scope lets the page show.

import { $, announce, setMsg } from './dom.js';
import { api } from './api.js';
import { state } from './state.js';
import { SCOPES } from './vocabulary.js';
import { resetSearches } from './combobox.js';
import { selectTab } from './tabs.js';
import { idleSeconds, idleText, startIdle, stopIdle } from './idle.js';
import { resetTree } from './tree.js';
import { resetImport } from './import.js';
import { resetAuditView } from './audit-view.js';
import { resetReview } from './review.js';
import { resetUsersTable } from './users-table.js';
import { resetCompaniesTable } from './companies-table.js';
import { resetBulk } from './bulk.js';
import { resetCompanyNames } from './table.js';

const KEY_STORAGE = 'companyAccess.apiKey';

// Opening what the address names sits above this module (it opens the views): manage.js hands it in.
let signedIn = function () {};
export function onSignedIn(handler) { signedIn = handler; }

function scopeAtLeast(scope, wanted) { return SCOPES.indexOf(scope) >= SCOPES.indexOf(wanted); }

/** Shows the sign-in form; `keepTyped` leaves what was typed in the key field (a refused key, to correct). */
function showSignIn(message, kind, keepTyped) {
  $('app').hidden = true;
  $('session').hidden = true;
  $('signin').hidden = false;
  setMsg($('signin-error'), kind === 'error' ? message : '', 'error');
  setMsg($('signin-info'), kind !== 'error' ? message : '', 'info');
  var input = $('api-key');
  if (!keepTyped) input.value = '';
  input.setAttribute('aria-invalid', kind === 'error' ? 'true' : 'false');
  input.focus();
  if (keepTyped) input.select();
}

/** Signs in with `key`; `typed` when a person typed it (kept in the field if it is refused). */
export function signIn(key, typed) {
  var button = $('signin-button');
  button.disabled = true;
  setMsg($('signin-error'), '');
  setMsg($('signin-info'), 'Checking the key…', 'info');
  return api('GET', 'whoami', undefined, { key: key, signingIn: true }).then(function (who) {
    state.key = key;
    state.whoami = who;
    try { sessionStorage.setItem(KEY_STORAGE, key); } catch (e) { /* storage disabled: keep it in memory */ }
    enterApp();
  }, function (e) {
    state.key = null;
    try { sessionStorage.removeItem(KEY_STORAGE); } catch (ignored) { /* nothing stored */ }
    var text = e.status === 401
      ? 'This key was not accepted. Check that you pasted all of it, or ask an administrator for a new one.'
      : 'Could not sign in: ' + e.message;
    showSignIn(text, 'error', !!typed);
  }).then(function () { button.disabled = false; });
}

export function signOut(message, kind) {
  stopIdle();
  try { sessionStorage.removeItem(KEY_STORAGE); } catch (e) { /* nothing stored */ }
  state.key = null;
  state.whoami = null;
  state.delegate = null;
  state.canRead = state.canWrite = false;
  state.user = state.userCompanies = state.company = state.stats = null;
  state.userSeq++; state.companySeq++; state.availableSeq++; state.statsSeq++;
  state.available = [];
  state.selected.clear(); state.addMessages.clear(); state.currentMessages.clear(); state.busy.clear();
  state.removed.clear(); state.confirmRemove = null;
  state.userNames.clear(); state.companyNames.clear();
  resetSearches();
  resetTree();
  resetImport();
  resetAuditView();
  resetReview();
  resetUsersTable();
  resetCompaniesTable();
  resetBulk();
  resetCompanyNames();
  $('company-filter').value = '';
  $('user-view').hidden = true;
  $('company-view').hidden = true;
  ['current-list', 'available-list', 'members-body', 'stats-figures', 'chart-per-user', 'chart-busiest',
    'chart-per-user-table', 'chart-busiest-table', 'audit-body'].forEach(function (id) { $(id).replaceChildren(); });
  if (state.csvUrl) { URL.revokeObjectURL(state.csvUrl); state.csvUrl = null; }
  $('csv-link').hidden = true;
  $('csv-link').removeAttribute('href');
  document.querySelectorAll('#app .msg').forEach(function (m) { setMsg(m, ''); });
  showSignIn(message || 'You are signed out. The key was removed from this browser.', kind || 'info');
}

function enterApp() {
  var who = state.whoami;
  state.canRead = scopeAtLeast(who.scope, 'read');
  state.canWrite = scopeAtLeast(who.scope, 'write');
  $('signin').hidden = true;
  setMsg($('signin-error'), '');
  setMsg($('signin-info'), '');
  $('api-key').value = '';
  $('app').hidden = false;
  $('session').hidden = false;
  // A key bound to a user acts as that administrator: the service answers only for their companies.
  state.delegate = who.user_id != null ? (who.username || ('user ' + who.user_id)) : null;
  $('session-label').textContent = 'Signed in with key “' + who.name + '” (' + who.scope + ')'
    + (state.delegate ? ', acting for ' + state.delegate : '');
  $('tab-stats').hidden = !!state.delegate;
  // The audit trail spans every company, so a key bound to a user may not read it.
  $('tab-audit').hidden = !!state.delegate;
  $('import-section').hidden = !state.canWrite;
  $('bulk-section').hidden = !state.canWrite;

  var banner = $('scope-banner');
  banner.className = 'notice';
  if (!state.canRead) {
    banner.classList.add('notice-error');
    banner.textContent = 'This key (“' + who.name + '”) has the check scope: it can only ask whether a user may act in a company. '
      + 'It cannot read users or companies, so there is nothing this page can show. Sign out and sign in with a key '
      + 'that has the read, write or admin scope.';
    banner.hidden = false;
    $('tabs').hidden = true;
    ['panel-users', 'panel-companies', 'panel-stats'].forEach(function (id) { $(id).hidden = true; });
    $('sign-out').focus();
    announce(banner.textContent);
    return;
  }
  if (!state.canWrite) {
    banner.classList.add('notice-warn');
    banner.textContent = 'Read-only: this key (“' + who.name + '”) has the read scope, so you can look but not change anything. '
      + 'To add or remove companies, sign out and sign in with a key that has the write or admin scope.';
    banner.hidden = false;
  } else if (state.delegate) {
    banner.classList.add('notice-info');
    banner.textContent = 'You manage the companies ' + state.delegate + ' administers: only they are listed, and only '
      + 'grants in them are shown or changed. Statistics and the audit trail cover every company, so they need a key '
      + 'not bound to a user.';
    banner.hidden = false;
  } else {
    banner.hidden = true;
    banner.textContent = '';
  }
  document.body.classList.toggle('read-only', !state.canWrite);
  $('tabs').hidden = false;
  selectTab('users', false);
  $('user-search').focus();
  startIdle(function () {
    signOut('You were signed out after ' + idleText(idleSeconds()) + ' without input, and the key was removed from '
      + 'this browser. Sign in again to go on.', 'info');
  });
  signedIn();
  announce('Signed in with key ' + who.name + ', scope ' + who.scope + '.'
    + (state.delegate ? ' Acting for ' + state.delegate + '.' : '') + (state.canWrite ? '' : ' Read-only.'));
}

/** Signs in again with the key this tab remembers, if any: a reload keeps the session. */
export function resumeSession() {
  var stored = null;
  try { stored = sessionStorage.getItem(KEY_STORAGE); } catch (e) { stored = null; }
  if (stored) {
    $('signin').hidden = true;
    signIn(stored);
  } else {
    showSignIn('', 'info');
  }
}
