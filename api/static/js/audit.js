// The recent changes of the statistics tab, read from the audit trail.

import { $, cell, el, formatDate, num, setMsg, timeEl } from './dom.js';
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
function describeChange(entry) {
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
  items.forEach(function (e) {
    var name = pick(e.after, ['company_name']) || pick(e.before, ['company_name']);
    if (e.company_id && name) rememberCompany(e.company_id, name);
  });
  drawAudit(items);
  // Resolve names we do not know yet (at most 20 entries, so a handful of small lookups).
  var users = new Set(), companies = new Set();
  items.forEach(function (e) {
    if (e.user_id !== null && e.user_id !== undefined && !state.userNames.has(e.user_id)) users.add(e.user_id);
    if (e.company_id && !state.companyNames.has(e.company_id)) companies.add(e.company_id);
  });
  if (!users.size && !companies.size) return null;
  var lookups = [];
  users.forEach(function (id) {
    lookups.push(api('GET', 'users/' + encodeURIComponent(id)).then(rememberUser, function () { /* deleted: keep the id */ }));
  });
  companies.forEach(function (id) {
    lookups.push(api('GET', 'companies/' + encodeURIComponent(id)).then(function (c) { rememberCompany(c.id, c.name); },
      function () { /* deleted: keep the id */ }));
  });
  return Promise.all(lookups).then(function () { if (mine === state.statsSeq) drawAudit(items); });
}

function drawAudit(items) {
  var body = $('audit-body');
  body.replaceChildren.apply(body, items.map(function (e) {
    var u = e.user_id !== null && e.user_id !== undefined ? state.userNames.get(e.user_id) : null;
    var userText = e.user_id === null || e.user_id === undefined ? '—'
      : (u ? u.username + ' (#' + e.user_id + ')' : (pick(e.after, ['username']) || pick(e.before, ['username']) || 'User') + ' #' + e.user_id);
    var companyText = e.company_id ? (state.companyNames.get(e.company_id) || e.company_id) : '—';
    return el('tr', {},
      cell('When', timeEl(e.at)),
      cell('Who', e.actor),
      cell('What', actionLabel(e.action), el('span', { class: 'cell-sub' }, e.action)),
      cell('User', userText),
      cell('Company', companyText),
      cell('Details', describeChange(e) || '—'));
  }));
}
