// The tabs between the users, companies, statistics and audit views.

import { $ } from './dom.js';
import { state } from './state.js';
import { writeAddress } from './address.js';
import { loadStats } from './stats.js';
import { loadTree } from './tree.js';
import { loadUsersTable } from './users-table.js';
import { loadCompaniesTable } from './companies-table.js';
import { showAuditView } from './audit-view.js';

const TABS = ['users', 'companies', 'stats', 'audit'];

export function selectTab(name, focusTab) {
  state.tab = name;
  TABS.forEach(function (t) {
    var tab = $('tab-' + t);
    var active = t === name;
    tab.setAttribute('aria-selected', active ? 'true' : 'false');
    tab.tabIndex = active ? 0 : -1;
    $('panel-' + t).hidden = !active;
  });
  if (focusTab) $('tab-' + name).focus();
  if (name === 'stats') loadStats();
  if (name === 'audit') showAuditView();
  if (name === 'companies') { loadTree(false); loadCompaniesTable(false); }
  if (name === 'users') loadUsersTable(false);
}

/** What the address says when a person picks a tab: the view, and what that view shows now. */
function addressOfTab(tab) {
  if (tab === 'users') return { view: '', user: state.user ? state.user.id : '' };
  if (tab === 'companies') return state.company ? { view: 'review', company: state.company.id } : { view: 'companies' };
  return { view: tab };
}

/** A tab a person picks is a step Back can undo: it gets its own entry in the history, written before the view
 * opens (so a view that reads its filters from the address reads its own). */
function pickTab(name, focusTab) {
  if (state.tab !== name) writeAddress(addressOfTab(name), true);
  selectTab(name, focusTab);
}

export function setupTabs() {
  TABS.forEach(function (t, i) {
    var tab = $('tab-' + t);
    tab.addEventListener('click', function () { pickTab(t, false); });
    tab.addEventListener('keydown', function (e) {
      // Only the tabs this key may open: a key bound to a user has no statistics tab.
      var shown = TABS.filter(function (name) { return !$('tab-' + name).hidden; });
      var at = shown.indexOf(t);
      var next = null;
      if (e.key === 'ArrowRight') next = shown[(at + 1) % shown.length];
      else if (e.key === 'ArrowLeft') next = shown[(at + shown.length - 1) % shown.length];
      else if (e.key === 'Home') next = shown[0];
      else if (e.key === 'End') next = shown[shown.length - 1];
      if (next) { e.preventDefault(); pickTab(next, true); }
    });
  });
}
