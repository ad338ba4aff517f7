/* Company Access: the /manage-user-companies page; this entry module wires the views together.
 *
 * Plain JavaScript modules, no dependencies. Runs under a strict Content-Security-Policy: no inline script or
 * style, no eval. Data from the server is only ever written with textContent / attributes, never as HTML.
 * The API key lives in sessionStorage (this tab only) and travels only in the Authorization header.
 *
 * The modules under js/ import only downwards, from the helpers up to the views. Where two views call each
 * other, one of the calls goes through a handler set here, so no module imports one that imports it back.
 */
import { $, debounce, setMsg } from './js/dom.js';
import { onUnauthorized } from './js/api.js';
import { state } from './js/state.js';
import { addSelected, connectAdd, loadAvailable, updateSelectedButton } from './js/add.js';
import { connectRemove, keepCompany, removeCompany } from './js/remove.js';
import { onOpenReview, refreshUserCompanies, renderCurrent, selectUser } from './js/user.js';
import { onOpenUser, openCompany, setupReview } from './js/review.js';
import { loadStats, onOpenBar, renderCharts } from './js/stats.js';
import { presetAudit, setupAuditView } from './js/audit-view.js';
import { onOpenAudit } from './js/history.js';
import { selectTab, setupTabs } from './js/tabs.js';
import { SEARCH_DELAY_MS, setupSearches } from './js/combobox.js';
import { onSignedIn, resumeSession, signIn, signOut } from './js/session.js';
import { loadTree, onOpenCompany } from './js/tree.js';
import { onImported, setupImport } from './js/import.js';
import { followAddress, setupRouter } from './js/router.js';
import { refreshUsersTable, setupUsersTable } from './js/users-table.js';
import { refreshCompaniesTable, setupCompaniesTable } from './js/companies-table.js';
import { onBulkApplied, setupBulk } from './js/bulk.js';

function init() {
  onUnauthorized(signOut);
  onSignedIn(followAddress);
  setupRouter();
  connectAdd(refreshUserCompanies, removeCompany, keepCompany);
  connectRemove(refreshUserCompanies, renderCurrent);
  onOpenReview(function (id, name) {
    selectTab('companies', false);
    $('company-search').value = name;
    openCompany(id, 0, true);
  });
  onOpenCompany(function (id, name) {
    $('company-search').value = name;
    openCompany(id, 0, true);
  });
  onImported(function () {
    loadTree(true);
    refreshUsersTable();
    refreshCompaniesTable();
    if (state.user) refreshUserCompanies();
    if (state.company) openCompany(state.company.id, state.membersOffset, false);
  });
  setupImport();
  setupUsersTable();
  setupCompaniesTable();
  setupBulk();
  onBulkApplied(function () {
    refreshUsersTable();
    refreshCompaniesTable();
    loadTree(true);
    if (state.user) refreshUserCompanies();
    if (state.company) openCompany(state.company.id, state.membersOffset, false);
  });
  onOpenUser(function (user) {
    selectTab('users', false);
    $('user-search').value = user.username;
    return selectUser(user);
  });
  setupTabs();
  setupSearches();

  $('signin-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var key = $('api-key').value.trim();
    if (!key) {
      setMsg($('signin-error'), 'Paste your API key first.', 'error');
      $('api-key').setAttribute('aria-invalid', 'true');
      $('api-key').focus();
      return;
    }
    signIn(key, true);
  });
  $('sign-out').addEventListener('click', function () { signOut(); });

  var filter = debounce(function () { state.addMessages.clear(); loadAvailable($('company-filter').value.trim()); }, SEARCH_DELAY_MS);
  $('company-filter').addEventListener('input', filter);
  $('add-selected').addEventListener('click', addSelected);
  $('clear-selected').addEventListener('click', function () {
    state.selected.clear();
    $('available-list').querySelectorAll('input[type="checkbox"]').forEach(function (b) { b.checked = false; });
    updateSelectedButton();
    $('company-filter').focus();
  });

  setupReview();
  setupAuditView();
  // A card's "full history" opens the audit view filtered to it; a chart's bar opens its company's review.
  onOpenAudit(function (filter) {
    presetAudit(filter);
    selectTab('audit', false);
    $('audit-log-title').focus();
  });
  onOpenBar(function (id, name) {
    selectTab('companies', false);
    $('company-search').value = name;
    openCompany(id, 0, true);
  });
  $('stats-refresh').addEventListener('click', function () { loadStats(); });
  $('tree-refresh').addEventListener('click', function () { loadTree(true); });
  var lastWidth = window.innerWidth;
  window.addEventListener('resize', debounce(function () {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    if (state.tab === 'stats' && state.stats) renderCharts();
  }, 200));

  resumeSession();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
