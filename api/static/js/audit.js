// Audit entries as the page shows them (exact times, the key and the user it acts for, what changed), and the
// recent changes of the statistics tab.

import { $, cell, el, formatDate, num, setMsg } from './dom.js';
import { api } from './api.js';
import { rememberCompany, rememberUser, state } from './state.js';
import { actionLabel } from './labels.js';

/** Loads the last 20 changes for the statistics load `mine`; a newer load makes this one draw nothing. */
export function loadAudit(mine) {
  return api('GET', 'audit?limit=20').then(function (page) {
    if (mine !== state.statsSeq) return null;
    return renderAudit(page, mine);
  }, function (e) {
    if (mine !== state.statsSeq || e.status === 401) return;
    setMsg($('audit-message'), 'Could not load the audit trail: ' + e.message, 'error');
  });
}

function pick(obj, keys) {
  if (!obj || typeof obj !== 'object') return null;
  for (var i = 0; i < keys.length; i++) if (typeof obj[keys[i]] === 'string' && obj[keys[i]]) return obj[keys[i]];
  return null;
}

const SUMMARY_KEYS = ['name', 'username', 'role', 'scope', 'is_default', 'added', 'already_present', 'removed',
  'home_company_grants', 'super_admin_grants', 'defaults_set', 'dry_run'];
const SKIP_KEYS = { id: 1, user_id: 1, company_id: 1, home_company_id: 1, created_at: 1, modified_at: 1, updated_at: 1 };

function isFilled(x) { return !!x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length > 0; }

function formatValue(v) {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return formatDate(v);
  if (Array.isArray(v)) return num(v.length) + ' item' + (v.length === 1 ? '' : 's');
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'number') return num(v);
  return String(v);
}

/** A short, readable account of an audit entry: what changed, or the main facts of what was made. */
export function describeChange(entry) {
  var before = isFilled(entry.before) ? entry.before : null;
  var after = isFilled(entry.after) ? entry.after : null;
  var parts = [];
  if (before && after) {
    var keys = Object.keys(after).concat(Object.keys(before).filter(function (k) { return !(k in after); }));
    keys.forEach(function (k) {
      if (SKIP_KEYS[k] || JSON.stringify(before[k]) === JSON.stringify(after[k])) return;
      parts.push(k.replace(/_/g, ' ') + ': ' + formatValue(before[k]) + ' → ' + formatValue(after[k]));
    });
  } else if (before || after) {
    var facts = after || before;
    SUMMARY_KEYS.forEach(function (k) {
      if (!(k in facts) || facts[k] === false || facts[k] === null) return;
      parts.push(k.replace(/_/g, ' ') + ': ' + formatValue(facts[k]));
    });
  }
  return parts.slice(0, 4).join('; ') + (parts.length > 4 ? '; …' : '');
}

function renderAudit(page, mine) {
  var items = page.items || [];
  $('audit-empty').hidden = items.length > 0;
  $('audit-table').hidden = items.length === 0;
  drawAudit($('audit-body'), items);
  return resolveNames(items).then(function (changed) { if (changed && mine === state.statsSeq) drawAudit($('audit-body'), items); });
}

/**
 * Learns the names of the users (subjects and the users keys act for) and companies of `items` the page does
 * not know yet: one small lookup each, at most a page's worth. Resolves true when it learnt any.
 */
export function resolveNames(items) {
  items.forEach(function (e) {
    var name = pick(e.after, ['company_name']) || pick(e.before, ['company_name']);
    if (e.company_id && name) rememberCompany(e.company_id, name);
  });
  var users = new Set(), companies = new Set();
  items.forEach(function (e) {
    [e.user_id, e.actor_user_id].forEach(function (id) {
      if (id !== null && id !== undefined && !state.userNames.has(id)) users.add(id);
    });
    if (e.company_id && !state.companyNames.has(e.company_id)) companies.add(e.company_id);
  });
  if (!users.size && !companies.size) return Promise.resolve(false);
  var lookups = [];
  users.forEach(function (id) {
    lookups.push(api('GET', 'users/' + encodeURIComponent(id)).then(rememberUser, function () { /* deleted: keep the id */ }));
  });
  companies.forEach(function (id) {
    lookups.push(api('GET', 'companies/' + encodeURIComponent(id)).then(function (c) { rememberCompany(c.id, c.name); },
      function () { /* deleted: keep the id */ }));
  });
  return Promise.all(lookups).then(function () { return true; });
}

/** The exact instant: the local time with seconds, and under it the UTC instant as ISO 8601. */
export function exactTime(iso) {
  var d = new Date(iso);
  if (isNaN(d.getTime())) return el('span', {}, String(iso));
  var utc = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return el('span', { class: 'exact-time' },
    el('time', { datetime: utc }, exactFormat.format(d)),
    el('span', { class: 'cell-sub' }, utc));
}
const exactFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric',
  hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });

function userName(id, entry) {
  if (id === null || id === undefined) return null;
  var u = state.userNames.get(id);
  if (u) return u.username + ' (#' + id + ')';
  return ((entry && (pick(entry.after, ['username']) || pick(entry.before, ['username']))) || 'User') + ' #' + id;
}

/** Who made the change: the key's name and, for a key bound to a user, that user. */
export function whoText(e) {
  var acting = userName(e.actor_user_id, null);
  return acting ? e.actor + ' (key of ' + acting + ')' : e.actor;
}

/** One entry as a table row; `subject` (a user id or company id the list is about) is not repeated as a link. */
export function auditRow(e) {
  var acting = userName(e.actor_user_id, null);
  return el('tr', { 'data-audit-id': e.id, 'data-action': e.action },
    cell('When', exactTime(e.at)),
    cell('Who', el('span', { class: 'actor-key' }, e.actor), acting ? el('span', { class: 'cell-sub' }, 'for ' + acting) : null),
    cell('What', actionLabel(e.action), el('span', { class: 'cell-sub' }, e.action)),
    cell('User', userName(e.user_id, e) || '—'),
    cell('Company', e.company_id ? (state.companyNames.get(e.company_id) || e.company_id) : '—'),
    cell('Details', describeChange(e) || '—'));
}

export function drawAudit(body, items) {
  body.replaceChildren.apply(body, items.map(auditRow));
}
