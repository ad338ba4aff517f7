// The tabs between the users, companies, statistics and audit views.

import { $ } from './dom.js';
import { state } from './state.js';
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

export function setupTabs() {
  TABS.forEach(function (t, i) {
    var tab = $('tab-' + t);
    tab.addEventListener('click', function () { selectTab(t, false); });
    tab.addEventListener('keydown', function (e) {
      // Only the tabs this key may open: a key bound to a user has no statistics tab.
      var shown = TABS.filter(function (name) { return !$('tab-' + name).hidden; });
      var at = shown.indexOf(t);
      var next = null;
      if (e.key === 'ArrowRight') next = shown[(at + 1) % shown.length];
      else if (e.key === 'ArrowLeft') next = shown[(at + shown.length - 1) % shown.length];
      else if (e.key === 'Home') next = shown[0];
      else if (e.key === 'End') next = shown[shown.length - 1];
      if (next) { e.preventDefault(); selectTab(next, true); }
    });
  });
}
