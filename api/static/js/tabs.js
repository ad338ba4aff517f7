// The tabs between the users, companies and statistics views.

import { $ } from './dom.js';
import { state } from './state.js';
import { loadStats } from './stats.js';

const TABS = ['users', 'companies', 'stats'];

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
}

export function setupTabs() {
  TABS.forEach(function (t, i) {
    var tab = $('tab-' + t);
    tab.addEventListener('click', function () { selectTab(t, false); });
    tab.addEventListener('keydown', function (e) {
      var next = null;
      if (e.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
      else if (e.key === 'ArrowLeft') next = TABS[(i + TABS.length - 1) % TABS.length];
      else if (e.key === 'Home') next = TABS[0];
      else if (e.key === 'End') next = TABS[TABS.length - 1];
      if (next) { e.preventDefault(); selectTab(next, true); }
    });
  });
}
