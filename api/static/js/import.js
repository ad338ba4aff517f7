// Grants from a CSV file: a dry run first and its report, line by line; the import itself only when asked,
// all or nothing.

import { $, announce, cell, el, num, plural, setMsg } from './dom.js';
import { api } from './api.js';
import { state } from './state.js';

// Larger files are for `company-access access import`, which streams them.
const MOST_BYTES = 20 * 1024 * 1024;
// Lines of the report drawn; the counts above it cover all of them.
const MOST_ROWS = 200;

let pending = null;   // { name, text, lines }
let importSeq = 0;

// The selected user's view shows grants an import may change; manage.js hands its refresh in.
let imported = function () {};
export function onImported(handler) { imported = handler; }

export function setupImport() {
  var input = $('import-file');
  var zone = $('import-drop');
  input.addEventListener('change', function () { if (input.files && input.files[0]) readFile(input.files[0]); });
  zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', function () { zone.classList.remove('dragging'); });
  zone.addEventListener('drop', function (e) {
    e.preventDefault();
    zone.classList.remove('dragging');
    var file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) readFile(file);
  });
  $('import-apply').addEventListener('click', apply);
  $('import-cancel').addEventListener('click', function () { resetImport(); $('import-file').focus(); });
}

/** Forgets any file read but not imported (cancel, sign-out). */
export function resetImport() {
  importSeq++;
  pending = null;
  $('import-file').value = '';
  $('import-report').hidden = true;
  $('import-body').replaceChildren();
  setMsg($('import-message'), '');
}

function readFile(file) {
  resetImport();
  if (file.size > MOST_BYTES) {
    setMsg($('import-message'), file.name + ' is ' + num(Math.round(file.size / 1048576)) + ' MB; the page takes files up to '
      + num(MOST_BYTES / 1048576) + ' MB. Import larger ones with company-access access import.', 'error');
    return;
  }
  var mine = importSeq;
  file.text().then(function (text) {
    if (mine !== importSeq) return;
    pending = { name: file.name, text: text, lines: text.split(/\r\n|\n|\r/) };
    check();
  }, function () {
    setMsg($('import-message'), 'Could not read ' + file.name + '.', 'error');
  });
}

function send(dryRun) {
  return api('POST', 'access/import' + (dryRun ? '?dry_run=true' : ''), undefined,
    { rawBody: pending.text, contentType: 'text/csv' });
}

function check() {
  var mine = importSeq;
  setMsg($('import-message'), 'Checking ' + pending.name + '… nothing is written yet.', 'info');
  send(true).then(function (result) {
    if (mine === importSeq) report(result);
  }, function (e) {
    if (mine === importSeq) refused(e);
  });
}

/** The file as written on `line` (the header is line 1), to show beside what the line does. */
function written(line) {
  return pending && pending.lines[line - 1] !== undefined ? pending.lines[line - 1] : '';
}

/** A grant's terms in words: the role, the window, the branches. */
function termsText(terms) {
  var parts = [terms.role ? 'as ' + terms.role : 'in their own role'];
  if (terms.valid_from) parts.push('from ' + terms.valid_from);
  if (terms.valid_until) parts.push('until ' + terms.valid_until);
  if (terms.include_branches) parts.push('with its branches');
  return parts.join(', ');
}

/** What a line adds, or what it changes in the grant as it is. */
function changeText(item) {
  if (!item.before) return termsText(item.after);
  var before = item.before, after = item.after, changes = [];
  var role = function (r) { return r || 'own'; };
  var at = function (t) { return t || 'none'; };
  if (before.role !== after.role) changes.push('role: ' + role(before.role) + ' → ' + role(after.role));
  if (before.valid_from !== after.valid_from) changes.push('from: ' + at(before.valid_from) + ' → ' + at(after.valid_from));
  if (before.valid_until !== after.valid_until) changes.push('until: ' + at(before.valid_until) + ' → ' + at(after.valid_until));
  if (before.include_branches !== after.include_branches) {
    changes.push(after.include_branches ? 'now with its branches' : 'no longer with its branches');
  }
  // A stored role the service no longer grants reads as none: then the change is to the line's terms.
  return changes.length ? changes.join(', ') : termsText(after);
}

/** A report line for a grant the file adds or changes, drawn only when shown. */
function itemEntry(item) {
  return { line: item.line, draw: function () {
    return el('tr', {},
      cell('Line', num(item.line)),
      cell('What', item.action === 'add' ? 'Add' : 'Change'),
      cell('Details', (state.companyNames.get(item.company_id) || item.company_id) + ': ' + changeText(item)),
      cell('As written', el('code', {}, written(item.line))));
  } };
}

/** A report line for a problem, drawn only when shown. */
function problemEntry(p) {
  var line = /^line (\d+)/.exec(p.field || '');
  return { line: line ? Number(line[1]) : 0, draw: function () {
    return el('tr', { 'class': 'refused' },
      cell('Line', line ? line[1] : ''),
      cell('What', 'Refused'),
      cell('Details', (p.field || '') + ': ' + p.message),
      cell('As written', el('code', {}, line ? written(Number(line[1])) : '')));
  } };
}

/**
 * Draws at most MOST_ROWS lines in line order, the problems first to be kept (they are what to fix),
 * then what the other lines do, and a last row counting the lines not drawn.
 */
function showRows(problems, items, caption) {
  var kept = problems.slice(0, MOST_ROWS);
  var shown = kept.concat(items.slice(0, MOST_ROWS - kept.length));
  shown.sort(function (a, b) { return a.line - b.line; });
  var rows = shown.map(function (entry) { return entry.draw(); });
  var hidden = problems.length + items.length - shown.length;
  if (hidden > 0) {
    rows.push(el('tr', {}, el('td', { colspan: 4 }, 'and ' + num(hidden) + ' more lines')));
  }
  $('import-caption').textContent = caption;
  $('import-body').replaceChildren.apply($('import-body'), rows);
  $('import-table').hidden = rows.length === 0;
  return rows.length;
}

function report(result) {
  var changes = result.added + result.changed;
  var text = pending.name + ': ' + plural(result.lines, 'line', 'lines') + ', ' + num(result.added) + ' to add, '
    + num(result.changed) + ' to change, ' + num(result.unchanged) + ' unchanged. Nothing has been written yet.';
  setMsg($('import-message'), text, 'info');
  announce(text);
  showRows([], result.items.map(itemEntry), 'What importing ' + pending.name + ' would do');
  $('import-apply').hidden = changes === 0;
  $('import-apply').disabled = false;
  $('import-apply').textContent = 'Import ' + plural(changes, 'change', 'changes');
  $('import-cancel').textContent = changes === 0 ? 'Close' : 'Cancel';
  $('import-report').hidden = false;
}

function refused(e) {
  if (e.status === 401) return;
  var problems = (e.problem && e.problem.errors) || [];
  var others = e.problem && e.problem.report;
  var text = problems.length
    ? pending.name + ' was not imported, nothing changed: ' + e.message
    : 'Could not import ' + pending.name + ': ' + e.message;
  if (others) {
    var rest = others.lines - others.refused;
    text += (/[.!?]$/.test(text) ? ' ' : '. ') + 'Once those lines are fixed, '
      + (rest === 1 ? 'the other line' : 'the other ' + num(rest) + ' lines')
      + ' would add ' + num(others.added) + ' and change ' + num(others.changed) + '.';
  }
  setMsg($('import-message'), text, 'error');
  announce(text);
  var items = others ? others.items : [];
  var shown = showRows(problems.map(problemEntry), items.map(itemEntry), 'The lines of ' + pending.name
    + ' to fix' + (items.length ? ', and what the others would do' : ''));
  $('import-apply').hidden = true;
  $('import-cancel').textContent = 'Close';
  $('import-report').hidden = shown === 0;
}

function apply() {
  if (!pending) return;
  var mine = importSeq;
  var name = pending.name;
  $('import-apply').disabled = true;
  setMsg($('import-message'), 'Importing ' + name + '…', 'info');
  send(false).then(function (result) {
    if (mine !== importSeq) return;
    resetImport();
    var text = '✓ Imported ' + name + ': ' + num(result.added) + ' added, ' + num(result.changed) + ' changed, '
      + num(result.unchanged) + ' unchanged.';
    setMsg($('import-message'), text, 'success');
    announce(text);
    imported();
  }, function (e) {
    if (mine !== importSeq) return;
    $('import-apply').disabled = false;
    refused(e);
  });
}
