// The access review's CSV export: exactly the rows the review's filters leave, in its order, read page by page.

import { $, announce, num, plural, setMsg } from './dom.js';
import { api } from './api.js';
import { state } from './state.js';

const EXPORT_PAGE = 500;

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

/**
 * Exports the review of `company`; `queryOf(offset, limit)` is the review's own query with its filters and
 * order, so the file holds what the table shows over all its pages, no more.
 */
export function exportReview(company, queryOf, isFiltered) {
  var b = $('export-csv');
  var message = $('export-message');
  b.disabled = true;
  setMsg(message, 'Preparing the export…', 'info');
  var rows = [];
  var seen = new Set();
  var total = 0;

  function next(offset) {
    return api('GET', queryOf(offset, EXPORT_PAGE)).then(function (page) {
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
    var header = ['company_id', 'company', 'user_id', 'username', 'full_name', 'role', 'role_here', 'active', 'access',
      'via_company_id', 'state', 'default_company', 'granted_at', 'granted_by', 'valid_from', 'valid_until'];
    var lines = [header].concat(rows.map(function (m) {
      return [company.id, company.name, m.user_id, m.username, m.full_name, m.role, m.role_here || m.role,
        m.is_active ? 'yes' : 'no', m.source, m.via_company_id || '', m.state || '', m.is_default ? 'yes' : 'no',
        m.granted_at || '', m.granted_by || '', m.valid_from || '', m.valid_until || ''];
    }));
    var csv = '\ufeff' + lines.map(function (r) { return r.map(csvCell).join(','); }).join('\r\n') + '\r\n';
    var filename = 'access-review-' + slug(company.name) + (isFiltered ? '-filtered' : '') + '-'
      + new Date().toISOString().slice(0, 10) + '.csv';
    if (state.csvUrl) URL.revokeObjectURL(state.csvUrl);
    state.csvUrl = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    var link = $('csv-link');
    link.href = state.csvUrl;
    link.download = filename;
    link.setAttribute('data-rows', String(rows.length));
    link.replaceChildren('Download ' + filename + ' again');
    link.hidden = false;
    link.click();
    var text = 'Exported ' + plural(rows.length, 'person', 'people') + (isFiltered ? ' (the filtered review)' : '')
      + ' to ' + filename + '.';
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
