// The views follow the address: after signing in, on a reload, a shared link and Back/Forward, the page opens the
// view, user and company the query string names (?user=<id>, ?company=<id>, ?view=companies|review|stats|audit).
// Each view writes its own part of the address as it opens (js/address.js); this module only reads it.

import { $, announce, setMsg } from './dom.js';
import { api } from './api.js';
import { rememberUser, state } from './state.js';
import { followingAddress, onAddressChange, readAddress, writeAddress } from './address.js';
import { selectTab } from './tabs.js';
import { closeUser, selectUser } from './user.js';
import { openCompany } from './review.js';

const TAB_OF_VIEW = { users: 'users', companies: 'companies', review: 'companies', stats: 'stats', audit: 'audit' };

/** The view an address names: without `view`, a user's card when it names a user, else a company's review. */
function viewOf(a) {
  if (a.view && TAB_OF_VIEW[a.view]) return a.view;
  if (a.user) return 'users';
  if (a.company) return 'review';
  return 'users';
}

/** Opens what the address names. Used after signing in and when Back or Forward changes the address. */
export function followAddress() {
  if (!state.key || !state.canRead) return Promise.resolve();
  var a = readAddress();
  var view = viewOf(a);
  var tab = TAB_OF_VIEW[view];
  if ($('tab-' + tab).hidden) tab = 'users'; // a view this key may not open (a delegate's statistics)
  var opening = [];
  followingAddress(function () {
    if (state.tab !== tab || tab === 'audit') selectTab(tab, false);
    if (tab === 'users') opening.push(followUser(a.user));
    if (tab === 'companies') {
      if (a.company && /^[0-9a-fA-F-]{36}$/.test(a.company)) opening.push(openCompany(a.company.toLowerCase(), 0, false));
      else closeCompany();
    }
  });
  return Promise.all(opening);
}

/** Back to the companies tab as it was before a review was opened. */
function closeCompany() {
  if (!state.company) return;
  state.company = null;
  state.companySeq++;
  $('company-view').hidden = true;
}

function followUser(idText) {
  if (!idText) {
    if (state.user) closeUser();
    return Promise.resolve();
  }
  if (!/^[0-9]{1,10}$/.test(idText)) return Promise.resolve();
  var id = Number(idText);
  if (state.user && state.user.id === id) return Promise.resolve();
  var asked = ++state.addressSeq;
  $('user-search').value = '';
  setMsg($('user-search-status'), 'Opening user #' + id + '…', 'info');
  return api('GET', 'users/' + id).then(function (u) {
    if (asked !== state.addressSeq) return null;
    rememberUser(u);
    setMsg($('user-search-status'), '');
    $('user-search').value = u.username;
    return followingAddress(function () { return selectUser(u); });
  }, function (e) {
    if (asked !== state.addressSeq || e.status === 401) return;
    var text = e.status === 404 ? 'The address names user #' + id + ', who does not exist (deleted?). Search for someone else.'
      : 'Could not open user #' + id + ': ' + e.message;
    setMsg($('user-search-status'), text, 'error');
    announce(text);
    writeAddress({ user: '' }, false);
  });
}

export function setupRouter() {
  onAddressChange(function () { followAddress(); });
}
