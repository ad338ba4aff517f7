// The company view: everyone who can act in a company (the access review), with a CSV export.

import { $, announce, cell, el, formatDate, num, plural, setMsg, timeEl } from './dom.js';
import { api } from './api.js';
import { rememberCompany, state } from './state.js';
import { roleLabel, sourceLabel } from './labels.js';

export const MEMBERS_PAGE = 100;
const EXPORT_PAGE = 500;

// The selected user's view can open this one too, so this view may not import it: manage.js hands the way there in.
let openUser = function () { return Promise.resolve(); };
export function onOpenUser(handler) { openUser = handler; }

export function openCompany(id, offset, focusTitle) {
  var mine = ++state.companySeq;
  var view = $('company-view');
  view.hidden = false;
  setMsg($('members-message'), '');
  if (!state.company || state.company.id !== id) {
    setMsg($('export-message'), '');
    $('csv-link').hidden = true;
    $('company-title').textContent = state.companyNames.get(id) || 'Loading…';
    $('company-meta').textContent = '';
    $('members-body').replaceChildren();
  }
  $('members-range').textContent = 'Loading…';
  var url = 'companies/' + encodeURIComponent(id) + '/users?limit=' + MEMBERS_PAGE + '&offset=' + offset;
  return api('GET', url).then(function (page) {
    if (mine !== state.companySeq) return;
    state.company = page.company;
    state.membersOffset = offset;
    state.membersTotal = page.total;
    rememberCompany(page.company.id, page.company.name);
    renderMembers(page);
    if (focusTitle) $('company-title').focus();
  }, function (e) {
    if (mine !== state.companySeq || e.status === 401) return;
    $('members-range').textContent = '';
    var text = e.code === 'company_not_found' ? e.message + ' (it was deleted meanwhile).' : 'Could not load the access review: ' + e.message;
    setMsg($('members-message'), text, 'error');
    announce(text);
  });
}

function renderMembers(page) {
  var c = page.company;
  $('company-title').textContent = c.name;
  var viaRole = Math.max(0, page.total - c.user_count);
  var how = [plural(c.user_count, 'through an explicit grant', 'through explicit grants')];
  if (viaRole) how.push(num(viaRole) + ' through the super admin role');
  $('company-meta').textContent = plural(page.total, 'person', 'people') + ' can act in ' + c.name
    + (page.total ? ': ' + how.join(', ') : '') + '. Company created ' + formatDate(c.created_at) + '.';
  $('members-caption').textContent = 'Who can act in ' + c.name;
  $('members-body').replaceChildren.apply($('members-body'), page.items.map(memberRow));
  $('members-empty').hidden = page.items.length > 0;
  $('members-table').hidden = page.items.length === 0;
  var from = page.total ? page.offset + 1 : 0;
  var to = page.offset + page.items.length;
  $('members-range').textContent = page.total ? num(from) + '–' + num(to) + ' of ' + num(page.total) : '';
  $('members-prev').closest('.pager').hidden = page.total <= MEMBERS_PAGE && page.offset === 0;
  $('members-prev').disabled = page.offset <= 0;
  $('members-next').disabled = to >= page.total;
  $('export-csv').disabled = page.total === 0;
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
  return el('tr', {},
    userCell,
    cell('Role', roleLabel(m.role)),
    cell('Access through', sourceLabel(m.source)),
    cell('Default company', m.is_default ? 'Yes' : 'No'),
    cell('Granted', m.granted_at ? timeEl(m.granted_at) : '—'),
    cell('Granted by', m.granted_by || '—'));
}

/** Makes one CSV cell: neutralises spreadsheet formulas, then quotes when needed (RFC 4180). */
function csvCell(value) {
  var s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s)) s = '"' + s.replace(/"/g, '""') + '"';
  return s;
}

function slug(name) {
  var s = String(name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s.slice(0, 60) || 'company';
}

export function exportCsv() {
  var company = state.company;
  if (!company) return;
  var b = $('export-csv');
  var message = $('export-message');
  var mine = state.companySeq;
  b.disabled = true;
  setMsg(message, 'Preparing the export…', 'info');
  var rows = [];
  var seen = new Set();
  var total = 0;

  function next(offset) {
    var url = 'companies/' + encodeURIComponent(company.id) + '/users?limit=' + EXPORT_PAGE + '&offset=' + offset;
    return api('GET', url).then(function (page) {
      total = page.total;
      page.items.forEach(function (m) {
        if (seen.has(m.user_id)) return;
        seen.add(m.user_id);
        rows.push(m);
      });
      var reached = offset + page.items.length;
      if (page.items.length && reached < page.total) {
        setMsg(message, 'Fetched ' + num(rows.length) + ' of ' + num(page.total) + ' people…', 'info');
        return next(reached);
      }
      return null;
    });
  }

  next(0).then(function () {
    if (mine !== state.companySeq) return;
    var header = ['company_id', 'company', 'user_id', 'username', 'full_name', 'role', 'active', 'access',
      'default_company', 'granted_at', 'granted_by'];
    var lines = [header].concat(rows.map(function (m) {
      return [company.id, company.name, m.user_id, m.username, m.full_name, m.role, m.is_active ? 'yes' : 'no',
        m.source, m.is_default ? 'yes' : 'no', m.granted_at || '', m.granted_by || ''];
    }));
    var csv = '\ufeff' + lines.map(function (r) { return r.map(csvCell).join(','); }).join('\r\n') + '\r\n';
    var filename = 'access-review-' + slug(company.name) + '-' + new Date().toISOString().slice(0, 10) + '.csv';
    if (state.csvUrl) URL.revokeObjectURL(state.csvUrl);
    state.csvUrl = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    var link = $('csv-link');
    link.href = state.csvUrl;
    link.download = filename;
    link.setAttribute('data-rows', String(rows.length));
    link.replaceChildren('Download ' + filename + ' again');
    link.hidden = false;
    link.click();
    var text = 'Exported ' + plural(rows.length, 'person', 'people') + ' to ' + filename + '.';
    if (rows.length !== total) text += ' The list changed during the export (' + num(total) + ' now); export again for an exact copy.';
    setMsg(message, text, 'success');
    announce(text);
  }, function (e) {
    if (e.status === 401) return;
    var text = 'The export failed, no file was made: ' + e.message;
    setMsg(message, text, 'error');
    announce(text);
  }).then(function () { b.disabled = false; });
}
