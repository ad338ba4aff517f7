// The audit view: the whole trail, filtered by user, company, key, action and dates, and paged by the server
// (GET /audit); its filters live in the address (?view=audit&actor=master&action=access.grant…).

import { $, announce, el, num, plural, setMsg } from './dom.js';
import { api } from './api.js';
import { rememberCompany, rememberUser, state } from './state.js';
import { actionLabel, auditActions } from './labels.js';
import { drawAudit, resolveNames } from './audit.js';
import { readAddress, writeAddress } from './address.js';
import { renderPager, setupPager } from './table.js';

const PAGE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIELDS = ['user_id', 'company_id', 'actor', 'action', 'from', 'to'];
// The review's filters, which an address of the audit view leaves out (it names the open view's filters only).
const OTHERS = { name: '', role: '', source: '', sort: '', order: '' };

const view = { user_id: '', company_id: '', actor: '', action: '', from: '', to: '', offset: 0, limit: PAGE, total: 0 };
let seq = 0;

function filtersFrom(a) {
  var page = Number(a.page);
  return {
    user_id: /^[0-9]{1,10}$/.test(a.user_id || '') ? a.user_id : '',
    company_id: /^[0-9a-fA-F-]{36}$/.test(a.company_id || '') ? a.company_id.toLowerCase() : '',
    actor: (a.actor || '').trim(),
    action: (a.action || '').trim(),
    from: DATE.test(a.from || '') ? a.from : '',
    to: DATE.test(a.to || '') ? a.to : '',
    offset: Number.isInteger(page) && page > 1 ? (page - 1) * PAGE : 0
  };
}

function writeAuditAddress(push) {
  var params = Object.assign({ view: 'audit', page: view.offset ? Math.floor(view.offset / PAGE) + 1 : '' }, OTHERS);
  FIELDS.forEach(function (f) { params[f] = view[f]; });
  writeAddress(params, push);
}

/** The day after a YYYY-MM-DD date, as the start of that day in UTC: `to` is inclusive. */
function dayAfter(date) {
  var d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

function auditQuery() {
  var p = new URLSearchParams();
  if (view.user_id) p.set('user_id', view.user_id);
  if (view.company_id) p.set('company_id', view.company_id);
  if (view.actor) p.set('actor', view.actor);
  if (view.action) p.set('action', view.action);
  if (view.from) p.set('since', view.from + 'T00:00:00Z');
  if (view.to) p.set('until', dayAfter(view.to));
  p.set('limit', String(PAGE));
  p.set('offset', String(view.offset));
  return 'audit?' + p.toString();
}

/** Shows the filters in the form; a user or company id shows as its name once the page knows it. */
function showFilters() {
  var u = view.user_id ? state.userNames.get(Number(view.user_id)) : null;
  $('audit-user').value = view.user_id ? (u ? u.username : '#' + view.user_id) : '';
  $('audit-company').value = view.company_id ? (state.companyNames.get(view.company_id) || view.company_id) : '';
  $('audit-actor').value = view.actor;
  $('audit-action').value = view.action;
  if ($('audit-action').value !== view.action) { // a prefix or action this page has no name for
    $('audit-action').appendChild(el('option', { value: view.action }, view.action));
    $('audit-action').value = view.action;
  }
  $('audit-from').value = view.from;
  $('audit-to').value = view.to;
}

/** Learns the names of the filter's user and company, for the form. */
function nameFilters() {
  var asks = [];
  if (view.user_id && !state.userNames.has(Number(view.user_id))) {
    asks.push(api('GET', 'users/' + encodeURIComponent(view.user_id)).then(rememberUser, function () { /* keep the id */ }));
  }
  if (view.company_id && !state.companyNames.has(view.company_id)) {
    asks.push(api('GET', 'companies/' + encodeURIComponent(view.company_id)).then(function (c) { rememberCompany(c.id, c.name); },
      function () { /* keep the id */ }));
  }
  return asks.length ? Promise.all(asks).then(showFilters) : Promise.resolve();
}

/** Sets the filters (the others cleared) before the view opens: a card's "full history" link. */
export function presetAudit(filter) {
  Object.assign(view, filtersFrom(filter || {}));
  writeAuditAddress(true);
}

// The key names the actor field suggests, read once per sign-in (an admin key may list keys; others type them).
let actorsLoaded = false;
function loadActors() {
  if (actorsLoaded) return;
  actorsLoaded = true;
  api('GET', 'keys').then(function (keys) {
    var names = new Set(['master', 'demo']);
    (keys || []).forEach(function (k) { if (k && k.name) names.add(k.name); });
    var list = $('audit-actors');
    list.replaceChildren.apply(list, Array.from(names).sort().map(function (n) { return el('option', { value: n }); }));
  }, function () { /* not an admin key: the field takes typed names */ });
}

/** Opens the view (its tab was chosen): with the address's filters when the address is of this view. */
export function showAuditView() {
  loadActors();
  var a = readAddress();
  if (a.view === 'audit') Object.assign(view, filtersFrom(a));
  else writeAuditAddress(false);
  showFilters();
  nameFilters();
  return loadAudit();
}

function loadAudit() {
  var mine = ++seq;
  setMsg($('audit-log-message'), '');
  $('audit-log-range').textContent = 'Loading…';
  return api('GET', auditQuery()).then(function (page) {
    if (mine !== seq) return null;
    view.total = page.total;
    var items = page.items || [];
    drawAudit($('audit-log-body'), items);
    $('audit-log-empty').hidden = items.length > 0;
    $('audit-log-table').hidden = items.length === 0;
    renderPager('audit-log-top', view);
    renderPager('audit-log', view);
    // The range alone ("101–150 of 2,542"): the page number is in the jump field beside it.
    var range = page.total ? num(view.offset + 1) + '–' + num(view.offset + items.length) + ' of ' + num(page.total) : '';
    $('audit-log-top-range').textContent = range;
    $('audit-log-range').textContent = range;
    return resolveNames(items).then(function (changed) { if (changed && mine === seq) drawAudit($('audit-log-body'), items); });
  }, function (e) {
    if (mine !== seq || e.status === 401) return;
    $('audit-log-range').textContent = '';
    var text = 'Could not load the audit trail: ' + e.message;
    setMsg($('audit-log-message'), text, 'error');
    announce(text);
  });
}

/** A message beside a field (`audit-dates` is the pair of dates, marked on its "to" field). */
function fieldError(id, text) {
  var input = $(id === 'audit-dates' ? 'audit-to' : id);
  setMsg($(id + '-error'), text, 'error');
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** The id a user field names: `#12` or `12` is an id, anything else an exact username. */
function userIdOf(text) {
  if (!text) return Promise.resolve('');
  var id = text.replace(/^#/, '');
  if (/^[0-9]{1,10}$/.test(id)) return Promise.resolve(id);
  return api('GET', 'users?limit=1&username=' + encodeURIComponent(text)).then(function (page) {
    if (!page.items.length) throw new Error('No user is named ' + text + '.');
    rememberUser(page.items[0]);
    return String(page.items[0].id);
  });
}

function companyIdOf(text) {
  if (!text) return Promise.resolve('');
  if (/^[0-9a-fA-F-]{36}$/.test(text)) return Promise.resolve(text.toLowerCase());
  return api('GET', 'companies?limit=1&name=' + encodeURIComponent(text)).then(function (page) {
    if (!page.items.length) throw new Error('No company is named ' + text + '.');
    rememberCompany(page.items[0].id, page.items[0].name);
    return page.items[0].id;
  });
}

/** Reads the form, names what is wrong beside its field, and loads the first page of what it asks for. */
function applyFilters() {
  var from = $('audit-from').value, to = $('audit-to').value;
  var datesWrong = from && to && from > to;
  fieldError('audit-dates', datesWrong ? 'The “to” date is before the “from” date.' : '');
  var user = userIdOf($('audit-user').value.trim()).then(function (id) { fieldError('audit-user', ''); return id; },
    function (e) { fieldError('audit-user', e.message); return null; });
  var company = companyIdOf($('audit-company').value.trim()).then(function (id) { fieldError('audit-company', ''); return id; },
    function (e) { fieldError('audit-company', e.message); return null; });
  return Promise.all([user, company]).then(function (ids) {
    if (ids[0] === null || ids[1] === null || datesWrong) {
      var wrong = ids[0] === null ? 'audit-user' : ids[1] === null ? 'audit-company' : 'audit-to';
      $(wrong).focus();
      announce('The filters were not applied: ' + $(wrong === 'audit-to' ? 'audit-dates-error' : wrong + '-error').textContent);
      return null;
    }
    Object.assign(view, { user_id: ids[0], company_id: ids[1], actor: $('audit-actor').value.trim(),
      action: $('audit-action').value, from: from, to: to, offset: 0 });
    writeAuditAddress(false);
    return loadAudit().then(function () {
      announce(plural(view.total, 'entry matches', 'entries match') + ' the filters.');
    });
  });
}

export function setupAuditView() {
  var select = $('audit-action');
  select.appendChild(el('option', { value: '' }, 'Any action'));
  ['access.', 'user.', 'company.', 'key.'].forEach(function (prefix) {
    select.appendChild(el('option', { value: prefix }, 'Every ' + prefix.slice(0, -1) + ' change (' + prefix + '*)'));
  });
  auditActions().forEach(function (a) { select.appendChild(el('option', { value: a }, actionLabel(a) + ' (' + a + ')')); });
  $('audit-filters').addEventListener('submit', function (e) { e.preventDefault(); applyFilters(); });
  select.addEventListener('change', applyFilters);
  $('audit-clear').addEventListener('click', function () {
    ['audit-user', 'audit-company', 'audit-actor', 'audit-from', 'audit-to'].forEach(function (id) { $(id).value = ''; });
    select.value = '';
    ['audit-user', 'audit-company', 'audit-dates'].forEach(function (id) { fieldError(id, ''); });
    applyFilters();
    $('audit-user').focus();
  });
  function go(offset) { view.offset = offset; writeAuditAddress(false); loadAudit(); }
  setupPager('audit-log-top', view, go);
  setupPager('audit-log', view, go);
}

/** Forgets the filters (signing out). */
export function resetAuditView() {
  Object.assign(view, filtersFrom({}), { total: 0 });
  actorsLoaded = false;
  $('audit-actors').replaceChildren();
  $('audit-log-body').replaceChildren();
  setMsg($('audit-log-message'), '');
}
