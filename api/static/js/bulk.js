// Many users at once: the users picked in the table or pasted one per line, granted or revoked the companies
// chosen, in one action. A report of what would happen comes first and nothing is written until it is
// confirmed. Grants go through the CSV import: its dry run, then the import itself, all or nothing.
// Revocations go through POST /access/revoke the same way: its dry run names the grants, then one request
// removes them, all or nothing.

import { $, announce, cell, el, num, plural, setMsg, srOnly } from './dom.js';
import { api } from './api.js';
import { companyByName, fillRoles, runLimited } from './table.js';
import { onPicksChanged, pickedUsers } from './users-table.js';

// Lines of the report drawn; the counts above it cover every pair.
const MOST_ROWS = 200;
// Lookups in flight at once of pasted usernames, which a revocation names by id.
const WIDTH = 4;

const chosen = new Map();   // company id -> name
let pending = null;         // the checked plan: {action, pairs, csv or userIds and companyIds}; applied as shown
let seq = 0;

// Grants change what the other views show; manage.js hands in their refresh.
let applied = function () {};
export function onBulkApplied(handler) { applied = handler; }

export function setupBulk() {
  fillRoles($('bulk-role'), 'own');
  onPicksChanged(function () { renderPicked(); stale(); });
  $('bulk-company-add').addEventListener('click', addCompany);
  $('bulk-company').addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { e.preventDefault(); addCompany(); }
  });
  ['bulk-usernames', 'bulk-role', 'bulk-branches', 'bulk-grant', 'bulk-revoke'].forEach(function (id) {
    $(id).addEventListener(id === 'bulk-usernames' ? 'input' : 'change', stale);
  });
  ['bulk-grant', 'bulk-revoke'].forEach(function (id) {
    $(id).addEventListener('change', function () { $('bulk-terms').hidden = $('bulk-revoke').checked; });
  });
  $('bulk-check').addEventListener('click', check);
  $('bulk-apply').addEventListener('click', apply);
  $('bulk-cancel').addEventListener('click', function () {
    resetReport();
    setMsg($('bulk-message'), 'Nothing was changed.', 'info');
    $('bulk-check').focus();
  });
  renderPicked();
}

export function resetBulk() {
  chosen.clear();
  $('bulk-usernames').value = '';
  $('bulk-company').value = '';
  $('bulk-grant').checked = true;
  $('bulk-terms').hidden = false;
  setMsg($('bulk-company-message'), '');
  renderChosen();
  resetReport();
  setMsg($('bulk-message'), '');
}

function resetReport() {
  seq++;
  pending = null;
  $('bulk-report').hidden = true;
  $('bulk-body').replaceChildren();
  $('bulk-apply').disabled = false;
  $('bulk-check').disabled = false;
}

/** Any change to the choice makes a report already shown stale: it is withdrawn, never applied. */
function stale() {
  if (!pending && $('bulk-report').hidden) return;
  resetReport();
  setMsg($('bulk-message'), 'The choice changed: check again to see what would happen.', 'info');
}

function renderPicked() {
  var users = pickedUsers();
  var text = users.length
    ? plural(users.length, 'user is', 'users are') + ' picked in the table: '
      + users.slice(0, 8).map(function (u) { return u.username; }).join(', ') + (users.length > 8 ? ', …' : '') + '.'
    : 'No user is picked in the table.';
  $('bulk-picked').textContent = text;
}

function renderChosen() {
  var list = $('bulk-companies');
  list.replaceChildren.apply(list, Array.from(chosen.entries()).map(function (entry) {
    var id = entry[0];
    var name = entry[1];
    var remove = el('button', { type: 'button', class: 'chip-remove', 'data-action': 'unchoose' }, '×', srOnly(' Remove ' + name + ' from the list'));
    remove.addEventListener('click', function () {
      chosen.delete(id);
      renderChosen();
      stale();
      setMsg($('bulk-company-message'), name + ' was taken off the list.', 'info');
      $('bulk-company').focus();
    });
    return el('li', { class: 'chip', 'data-company-id': id, 'data-company-name': name }, el('span', {}, name), remove);
  }));
}

function addCompany() {
  var field = $('bulk-company');
  var name = field.value.trim();
  var message = $('bulk-company-message');
  if (!name) { setMsg(message, 'Type a company’s name first.', 'error'); field.focus(); return; }
  companyByName(name).then(function (c) {
    if (!c) {
      field.setAttribute('aria-invalid', 'true');
      setMsg(message, 'No company is named “' + name + '”: pick one of the suggestions.', 'error');
      return;
    }
    field.removeAttribute('aria-invalid');
    field.value = '';
    if (chosen.has(c.id)) { setMsg(message, c.name + ' is on the list already.', 'info'); return; }
    chosen.set(c.id, c.name);
    renderChosen();
    stale();
    setMsg(message, 'Added ' + c.name + ' to the list (' + plural(chosen.size, 'company', 'companies') + ').', 'success');
  }, function (e) {
    if (e.status !== 401) setMsg(message, 'Could not look up “' + name + '”: ' + e.message, 'error');
  }).then(function () { field.focus(); });
}

/** The usernames picked and pasted, each once (letter case does not make another user). */
function usernames() {
  var seen = new Set();
  var names = [];
  pickedUsers().map(function (u) { return u.username; })
    .concat($('bulk-usernames').value.split(/[\r\n]+/))
    .forEach(function (raw) {
      var name = raw.trim();
      if (!name || seen.has(name.toLowerCase())) return;
      seen.add(name.toLowerCase());
      names.push(name);
    });
  return names;
}

function check() {
  var names = usernames();
  var companies = Array.from(chosen.entries());
  var message = $('bulk-message');
  resetReport();
  if (!names.length || !companies.length) {
    setMsg(message, !names.length ? 'Pick users in the table or paste usernames first.' : 'Add at least one company first.', 'error');
    (!names.length ? $('bulk-usernames') : $('bulk-company')).focus();
    return;
  }
  var pairs = [];
  names.forEach(function (u) { companies.forEach(function (c) { pairs.push({ username: u, companyId: c[0], company: c[1] }); }); });
  var mine = seq;
  $('bulk-check').disabled = true;
  setMsg(message, 'Checking ' + plural(pairs.length, 'pair', 'pairs') + '… nothing is written yet.', 'info');
  var run = $('bulk-revoke').checked ? checkRevoke(names, pairs) : checkGrant(pairs);
  run.then(function (plan) {
    if (mine !== seq) return;
    $('bulk-check').disabled = false;
    if (plan) report(plan);
  }, function (e) {
    if (mine !== seq) return;
    $('bulk-check').disabled = false;
    if (e.status === 401) return;
    var text = 'Could not check: ' + e.message;
    setMsg(message, text, 'error');
    announce(text);
  });
}

/** One CSV cell, quoted when it holds a comma, a quote or a line break (a pasted line may hold anything). */
function csvCell(text) {
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

function grantCsv(pairs) {
  var role = $('bulk-role').value;
  var branches = $('bulk-branches').checked;
  var header = ['username', 'company_id'].concat(role ? ['role'] : [], branches ? ['include_branches'] : []);
  return [header.join(',')].concat(pairs.map(function (p) {
    return [csvCell(p.username), p.companyId].concat(role ? [role] : [], branches ? ['true'] : []).join(',');
  })).join('\n') + '\n';
}

/** The import's dry run over every pair: line n + 2 of the file is pair n. */
function checkGrant(pairs) {
  var csv = grantCsv(pairs);
  return sendImport(csv, true).then(function (result) {
    pairs.forEach(function (p) { p.what = 'unchanged'; });
    result.items.forEach(function (item) {
      var p = pairs[item.line - 2];
      if (p) p.what = item.action;
    });
    return { action: 'grant', pairs: pairs, csv: csv, counts: result };
  }, function (e) {
    var problems = (e.problem && e.problem.errors) || [];
    if (e.status !== 422 || !problems.length) throw e;
    var refused = problems.map(function (p) {
      var line = /^line (\d+)/.exec(p.field || '');
      var pair = line ? pairs[Number(line[1]) - 2] : null;
      return { username: pair ? pair.username : '', company: pair ? pair.company : '', what: 'refused',
        why: (p.field || '') + ': ' + p.message };
    });
    return { action: 'grant', pairs: refused, refused: true, detail: e.message };
  });
}

function sendImport(csv, dryRun) {
  return api('POST', 'access/import' + (dryRun ? '?dry_run=true' : ''), undefined, { rawBody: csv, contentType: 'text/csv' });
}

/** Who is who, then which of the pairs are granted now: one request per user (the API lists a user's grants). */
function checkRevoke(names, pairs) {
  var known = new Map(pickedUsers().map(function (u) { return [u.username.toLowerCase(), u.id]; }));
  var ids = new Map();
  var missing = [];
  return runLimited(names.map(function (name) {
    return function () {
      if (known.has(name.toLowerCase())) { ids.set(name, known.get(name.toLowerCase())); return Promise.resolve(); }
      return api('GET', 'users?limit=1&username=' + encodeURIComponent(name)).then(function (page) {
        if (page.items.length) ids.set(name, page.items[0].id); else missing.push(name);
      });
    };
  }), WIDTH).then(function (outcomes) {
    var failed = outcomes.filter(function (o) { return !o.ok; })[0];
    if (failed) throw failed.error;
    if (missing.length) {
      return { action: 'revoke', refused: true, detail: plural(missing.length, 'username is', 'usernames are') + ' not known.',
        pairs: missing.map(function (name) { return { username: name, company: '', what: 'refused', why: 'No user has this username.' }; }) };
    }
    var userIds = names.map(function (name) { return ids.get(name); });
    return sendRevoke(userIds, companyIds(pairs), true).then(function (result) {
      var removed = new Set(result.items.map(function (item) { return item.user_id + ' ' + item.company_id; }));
      pairs.forEach(function (p) {
        p.what = removed.has(ids.get(p.username) + ' ' + p.companyId) ? 'remove' : 'absent';
      });
      return { action: 'revoke', pairs: pairs, userIds: userIds, companyIds: companyIds(pairs) };
    });
  });
}

function companyIds(pairs) {
  return pairs.map(function (p) { return p.companyId; }).filter(function (id, i, all) { return all.indexOf(id) === i; });
}

function sendRevoke(userIds, companies, dryRun) {
  return api('POST', 'access/revoke', { user_ids: userIds, company_ids: companies, dry_run: dryRun });
}

const WHAT = {
  add: 'Grant (new)',
  change: 'Change the existing grant’s terms to these',
  unchanged: 'Already granted as asked: nothing to do',
  remove: 'Revoke',
  absent: 'Not granted: nothing to do',
  refused: 'Refused'
};

function report(plan) {
  var users = new Set(plan.pairs.map(function (p) { return p.username.toLowerCase(); })).size;
  var message = $('bulk-message');
  var text;
  if (plan.refused) {
    text = 'Nothing can be changed, nothing was written: ' + plan.detail + ' Fix the lines below and check again.';
  } else if (plan.action === 'grant') {
    text = 'Granting ' + plural(chosen.size, 'company', 'companies') + ' to ' + plural(users, 'user', 'users') + ': '
      + num(plan.counts.added) + ' to add, ' + num(plan.counts.changed) + ' to change, ' + num(plan.counts.unchanged)
      + ' already granted. Nothing has been written yet.';
  } else {
    var removals = plan.pairs.filter(function (p) { return p.what === 'remove'; }).length;
    text = 'Revoking ' + plural(chosen.size, 'company', 'companies') + ' from ' + plural(users, 'user', 'users') + ': '
      + num(removals) + ' to revoke, ' + num(plan.pairs.length - removals) + ' not granted. Nothing has been written yet.';
  }
  setMsg(message, text, plan.refused ? 'error' : 'info');
  announce(text);
  drawRows(plan.pairs, plan.refused ? 'What to fix before anything can change' : 'What applying would do');
  var changes = plan.refused ? 0 : plan.pairs.filter(function (p) { return p.what === 'add' || p.what === 'change' || p.what === 'remove'; }).length;
  pending = changes ? plan : null;
  $('bulk-apply').hidden = !changes;
  $('bulk-apply').textContent = plan.action === 'grant' ? 'Grant to ' + plural(users, 'user', 'users') : 'Revoke from ' + plural(users, 'user', 'users');
  $('bulk-cancel').textContent = changes ? 'Cancel' : 'Close';
  $('bulk-report').hidden = false;
  message.focus();
}

function drawRows(pairs, caption) {
  var rows = pairs.slice(0, MOST_ROWS).map(function (p) {
    return el('tr', { 'data-what': p.what },
      cell('User', p.username || '—'),
      cell('Company', p.company || '—'),
      cell('What', WHAT[p.what] + (p.why ? ': ' + p.why : '')));
  });
  if (pairs.length > MOST_ROWS) rows.push(el('tr', {}, el('td', { colspan: 3 }, 'and ' + num(pairs.length - MOST_ROWS) + ' more')));
  $('bulk-caption').textContent = caption;
  $('bulk-body').replaceChildren.apply($('bulk-body'), rows);
}

function apply() {
  var plan = pending;
  if (!plan) return;
  var mine = seq;
  var message = $('bulk-message');
  $('bulk-apply').disabled = true;
  $('bulk-check').disabled = true;
  setMsg(message, plan.action === 'grant' ? 'Granting…' : 'Revoking…', 'info');
  var run = plan.action === 'grant' ? applyGrant(plan) : applyRevoke(plan);
  run.then(function (outcome) {
    if (mine !== seq) return;
    pending = null;
    $('bulk-check').disabled = false;
    setMsg(message, outcome.text, outcome.kind);
    announce(outcome.text);
    $('bulk-report').hidden = true;
    message.focus();
    applied();
  }, function (e) {
    if (mine !== seq) return;
    $('bulk-check').disabled = false;
    $('bulk-apply').disabled = false;
    if (e.status === 401) return;
    var text = (plan.action === 'grant' ? 'Nothing was granted: ' : 'Nothing was revoked: ') + e.message;
    setMsg(message, text, 'error');
    announce(text);
    message.focus();
  });
}

function applyGrant(plan) {
  return sendImport(plan.csv, false).then(function (result) {
    return { kind: 'success', text: 'Granted: ' + num(result.added) + ' added, ' + num(result.changed) + ' changed, '
      + num(result.unchanged) + ' already granted.' };
  });
}

function applyRevoke(plan) {
  return sendRevoke(plan.userIds, plan.companyIds, false).then(function (result) {
    var text = 'Revoked ' + plural(result.removed, 'grant', 'grants') + '.';
    if (result.removed !== plan.pairs.filter(function (p) { return p.what === 'remove'; }).length) {
      text += ' The grants changed since the check; this is what was there to remove.';
    }
    return { kind: 'success', text: text };
  });
}
