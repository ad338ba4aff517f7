// The company view: everyone who can act in a company (the access review), filtered, sorted and paged by the
// server, so a review of thousands is never read whole into the page; its filters live in the address.

import { $, announce, cell, debounce, el, formatDate, num, plural, setMsg, timeEl } from './dom.js';
import { api } from './api.js';
import { rememberCompany, state } from './state.js';
import { roleLabel, sourceLabel } from './labels.js';
import { nextSort, renderPager, renderSortHeaders, setupPager, setupSortHeaders } from './table.js';
import { readAddress, writeAddress } from './address.js';
import { exportReview } from './review-csv.js';
import { loadHistory } from './history.js';

export const MEMBERS_PAGE = 100;
// A pause this long in typing applies the filter: with the server's answer the rows show within 300 ms of the
// last keystroke (tests/browser/test_page_scale.py), while a word typed at speed is still one request.
const FILTER_DELAY_MS = 150;
const SORTS = ['user_id', 'username', 'full_name', 'role', 'source', 'granted_at'];
const SOURCES = ['grant', 'branch', 'super_admin'];
const ROLES = ['super_admin', 'admin', 'hr_manager', 'finance_manager', 'employee'];

// What the open review shows: its company, filters, order and page. `total` is the filtered count.
const view = { id: null, q: '', role: '', source: '', sort: 'user_id', order: 'asc', offset: 0, limit: MEMBERS_PAGE, total: 0 };

// The selected user's view can open this one too, so this view may not import it: manage.js hands the way there in.
let openUser = function () { return Promise.resolve(); };
export function onOpenUser(handler) { openUser = handler; }

function filtered() { return !!(view.q || view.role || view.source); }

/** The query of a review (`v`: its company, filters and order) for one page, of the table or of the export. */
function reviewQuery(v, offset, limit) {
  var p = new URLSearchParams();
  if (v.q) p.set('q', v.q);
  if (v.role) p.set('role', v.role);
  if (v.source) p.set('source', v.source);
  if (v.sort !== 'user_id') p.set('sort', v.sort);
  if (v.order === 'desc') p.set('order', 'desc');
  p.set('limit', String(limit));
  p.set('offset', String(offset));
  return 'companies/' + encodeURIComponent(v.id) + '/users?' + p.toString();
}

/** The filters an address names, each checked: a value the page does not know is left out. */
function filtersFrom(a) {
  var page = Number(a.page);
  return {
    q: (a.name || '').trim(),
    role: ROLES.indexOf(a.role) >= 0 ? a.role : '',
    source: SOURCES.indexOf(a.source) >= 0 ? a.source : '',
    sort: SORTS.indexOf(a.sort) >= 0 ? a.sort : 'user_id',
    order: a.order === 'desc' ? 'desc' : 'asc',
    offset: Number.isInteger(page) && page > 1 ? (page - 1) * MEMBERS_PAGE : 0
  };
}

function showFilters() {
  $('review-q').value = view.q;
  $('review-role').value = view.role;
  $('review-source').value = view.source;
  $('review-clear').hidden = !filtered();
}

function writeReviewAddress(push) {
  // A review refreshed behind another tab (after a bulk change) does not take the address from that tab.
  if (state.tab !== 'companies') return;
  // The audit view's filters are left out: the address names the open view's filters only.
  writeAddress({
    view: 'review', user_id: '', company_id: '', actor: '', action: '', from: '', to: '',
    company: view.id, name: view.q, role: view.role, source: view.source,
    sort: view.sort === 'user_id' ? '' : view.sort, order: view.order === 'desc' ? 'desc' : '',
    page: view.offset ? Math.floor(view.offset / MEMBERS_PAGE) + 1 : ''
  }, push);
}

/**
 * Opens a company's review. The filters come from the address when it names this company (a reload, Back,
 * a shared link, a refresh after an import); a company opened from elsewhere starts unfiltered at `offset`.
 */
export function openCompany(id, offset, focusTitle) {
  var a = readAddress();
  var fresh = !state.company || state.company.id !== id;
  if ((a.company || '').toLowerCase() === id) Object.assign(view, filtersFrom(a));
  else if (fresh) Object.assign(view, filtersFrom({}), { offset: offset || 0 });
  else view.offset = offset || 0;
  view.id = id;
  showFilters();
  writeReviewAddress(fresh);
  var title = $('company-title');
  if (fresh) {
    setMsg($('export-message'), '');
    $('csv-link').hidden = true;
    title.textContent = state.companyNames.get(id) || 'Loading…';
    $('company-meta').textContent = '';
    $('members-body').replaceChildren();
  }
  // Every opening reads the history again: a refresh after a change (an import, a bulk grant) shows it.
  loadHistory('company', id);
  return loadReview(focusTitle ? title : null);
}

/** Loads the page `view` names; `focus` (if any) takes the focus once it is drawn. */
function loadReview(focus) {
  var mine = ++state.companySeq;
  $('company-view').hidden = false;
  setMsg($('members-message'), '');
  $('members-range').textContent = 'Loading…';
  var whole = filtered()
    ? api('GET', 'companies/' + encodeURIComponent(view.id) + '/users?limit=1').then(function (p) { return p.total; }, function () { return null; })
    : Promise.resolve(null);
  return Promise.all([api('GET', reviewQuery(view, view.offset, MEMBERS_PAGE)), whole]).then(function (both) {
    if (mine !== state.companySeq) return;
    var page = both[0];
    if (page.total && page.offset >= page.total) { // the last page shrank meanwhile: show the new last one
      view.offset = Math.floor((page.total - 1) / MEMBERS_PAGE) * MEMBERS_PAGE;
      return loadReview(focus);
    }
    state.company = page.company;
    state.membersOffset = view.offset;
    state.membersTotal = view.total = page.total;
    rememberCompany(page.company.id, page.company.name);
    renderMembers(page, both[1] === null ? page.total : both[1]);
    if (focus) focus.focus();
  }, function (e) {
    if (mine !== state.companySeq || e.status === 401) return;
    $('members-range').textContent = '';
    var text = e.code === 'company_not_found' ? e.message + ' (it was deleted meanwhile).' : 'Could not load the access review: ' + e.message;
    setMsg($('members-message'), text, 'error');
    announce(text);
  });
}

function renderMembers(page, everyone) {
  var c = page.company;
  $('company-title').textContent = c.name;
  var meta = plural(everyone, 'person', 'people') + ' can act in ' + c.name;
  if (filtered()) meta += '; ' + num(page.total) + ' match the filters';
  $('company-meta').textContent = meta + '. Company created ' + formatDate(c.created_at) + '.';
  $('members-caption').textContent = 'Who can act in ' + c.name + (filtered() ? ', filtered' : '');
  $('members-body').replaceChildren.apply($('members-body'), page.items.map(memberRow));
  $('members-empty').textContent = filtered() ? 'Nobody matches these filters.' : 'Nobody can act in this company yet.';
  $('members-empty').hidden = page.items.length > 0;
  $('members-table').hidden = page.items.length === 0;
  renderPager('members-top', view);
  renderPager('members', view);
  // The range alone ("1,001–1,100 of 6,017"): the page number is in the jump field beside it.
  var range = page.total ? num(view.offset + 1) + '–' + num(view.offset + page.items.length) + ' of ' + num(page.total) : '';
  $('members-top-range').textContent = range;
  $('members-range').textContent = range;
  renderSortHeaders('members-table', view.sort, view.order);
  $('export-csv').disabled = page.total === 0;
  $('export-csv').textContent = filtered() ? 'Export ' + plural(page.total, 'filtered row', 'filtered rows') + ' (CSV)' : 'Export CSV';
}

function memberRow(m) {
  var who = el('button', { type: 'button', class: 'link', 'data-user-id': m.user_id },
    m.full_name || m.username);
  who.addEventListener('click', function () {
    openUser({ id: m.user_id, username: m.username, full_name: m.full_name, role: m.role, is_active: m.is_active })
      .then(function () { $('user-title').focus(); });
  });
  var userCell = cell('User', who, el('span', { class: 'cell-sub' }, '@' + m.username + ' · #' + m.user_id));
  if (!m.is_active) userCell.appendChild(el('span', { class: 'badge badge-warn' }, 'Inactive'));
  var here = m.role_here || m.role;
  var roleCell = cell('Role here', roleLabel(here));
  if (here !== m.role) roleCell.appendChild(el('span', { class: 'cell-sub' }, 'own role: ' + roleLabel(m.role)));
  var sourceCell = cell('Access through', sourceLabel(m.source));
  if (m.source === 'branch' && m.via_company_id) {
    sourceCell.appendChild(el('span', { class: 'cell-sub' }, 'of ' + (state.companyNames.get(m.via_company_id) || m.via_company_id)));
  }
  if (m.state === 'scheduled') sourceCell.appendChild(el('span', { class: 'badge' }, 'Scheduled from ' + formatDate(m.valid_from)));
  return el('tr', { 'data-user-id': m.user_id, 'data-source': m.source, 'data-role': here },
    userCell,
    roleCell,
    sourceCell,
    cell('Default company', m.is_default ? 'Yes' : 'No'),
    cell('Granted', m.granted_at ? timeEl(m.granted_at) : '—'),
    cell('Granted by', m.granted_by || '—'));
}

/** Applies the filters as they are typed or chosen: back to the first page, the address kept up to date. */
function applyFilters() {
  var q = $('review-q').value.trim();
  var role = $('review-role').value;
  var source = $('review-source').value;
  if (q === view.q && role === view.role && source === view.source) return;
  Object.assign(view, { q: q, role: role, source: source, offset: 0 });
  $('review-clear').hidden = !filtered();
  setMsg($('export-message'), '');
  $('csv-link').hidden = true;
  writeReviewAddress(false);
  loadReview(null);
}

function go(offset, focus) {
  if (!view.id) return;
  view.offset = offset;
  writeReviewAddress(false);
  loadReview(focus);
}

export function setupReview() {
  var typed = debounce(applyFilters, FILTER_DELAY_MS);
  $('review-q').addEventListener('input', typed);
  $('review-filters').addEventListener('submit', function (e) { e.preventDefault(); typed.cancel(); applyFilters(); });
  $('review-role').addEventListener('change', applyFilters);
  $('review-source').addEventListener('change', applyFilters);
  $('review-clear').addEventListener('click', function () {
    $('review-q').value = '';
    $('review-role').value = '';
    $('review-source').value = '';
    typed.cancel();
    applyFilters();
    announce('Filters cleared.');
    $('review-q').focus();
  });
  // Both pagers stay where they are, so the focus stays on the button or field that was used.
  setupPager('members-top', view, function (offset) { go(offset, null); });
  setupPager('members', view, function (offset) { go(offset, null); });
  setupSortHeaders('members-table', function (key) {
    var next = nextSort(view, key);
    view.sort = next.sort;
    view.order = next.order;
    go(0, null);
    announce('Sorted by ' + key.replace('_', ' ') + (next.order === 'desc' ? ', descending.' : ', ascending.'));
  });
  $('export-csv').addEventListener('click', function () {
    if (!state.company) return;
    // The filters as they are now: changing them while the export runs does not change what it writes.
    var asShown = Object.assign({}, view);
    exportReview(state.company, function (offset, limit) { return reviewQuery(asShown, offset, limit); }, filtered());
  });
}

/** Forgets the open review (signing out). */
export function resetReview() {
  Object.assign(view, filtersFrom({}), { id: null, total: 0 });
  showFilters();
}
