// A user's or a company's own recent history: the last few audit entries about it, on its card, with a link to
// the whole of it in the audit view, filtered to it.

import { $, el, setMsg } from './dom.js';
import { api } from './api.js';
import { state } from './state.js';
import { actionLabel } from './labels.js';
import { describeChange, exactTime, resolveNames, whoText } from './audit.js';
import { addressWith } from './address.js';

const HISTORY_SIZE = 5;
const seq = { user: 0, company: 0 };
const shown = { user: null, company: null }; // whose history each list shows

// Opening the audit view is manage.js's to do (the tabs import the views), so the way there is handed in.
let openAudit = function () {};
export function onOpenAudit(handler) { openAudit = handler; }

const FILTER = { user: 'user_id', company: 'company_id' };

/** Loads the last entries about a user (`kind` 'user') or a company ('company') into its card. */
export function loadHistory(kind, id) {
  var mine = ++seq[kind];
  // The audit trail spans every company, so a key bound to a user may not read it: no history then.
  $(kind + '-history').hidden = !!state.delegate;
  if (state.delegate) return Promise.resolve(null);
  var list = $(kind + '-history-list');
  var message = $(kind + '-history-message');
  var filter = {};
  filter[FILTER[kind]] = id;
  var all = $(kind + '-history-all');
  all.href = addressWith(Object.assign({ view: 'audit', name: '', role: '', source: '', sort: '', order: '', page: '',
    user_id: '', company_id: '', actor: '', action: '', from: '', to: '' }, filter));
  all.onclick = function (e) {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;
    e.preventDefault();
    openAudit(filter);
  };
  // The same subject again (a refresh after a change) keeps its entries until the new ones arrive: no flicker.
  if (shown[kind] !== id) {
    shown[kind] = id;
    list.replaceChildren();
    setMsg(message, 'Loading…', 'info');
  }
  return api('GET', 'audit?limit=' + HISTORY_SIZE + '&' + FILTER[kind] + '=' + encodeURIComponent(id)).then(function (page) {
    if (mine !== seq[kind]) return null;
    var items = page.items || [];
    draw(list, items, kind);
    setMsg(message, items.length ? '' : 'Nothing recorded yet.', 'info');
    all.textContent = 'Full history in the audit trail (' + page.total + (page.total === 1 ? ' entry)' : ' entries)');
    return resolveNames(items).then(function (changed) { if (changed && mine === seq[kind]) draw(list, items, kind); });
  }, function (e) {
    if (mine !== seq[kind] || e.status === 401) return;
    // A key bound to a user may not read the audit trail: say so in place of the list.
    setMsg(message, e.status === 403 ? 'Your key may not read the audit trail.' : 'Could not load the history: ' + e.message,
      e.status === 403 ? 'info' : 'error');
  });
}

/** Each entry: when, what, and the other party (the company of a user's entry, the user of a company's). */
function draw(list, items, kind) {
  list.replaceChildren.apply(list, items.map(function (e) {
    var other = '';
    if (kind === 'user' && e.company_id) other = ' · ' + (state.companyNames.get(e.company_id) || e.company_id);
    if (kind === 'company' && e.user_id !== null && e.user_id !== undefined) {
      var u = state.userNames.get(e.user_id);
      other = ' · ' + (u ? u.username : 'user #' + e.user_id);
    }
    var details = describeChange(e);
    return el('li', { 'data-audit-id': e.id, 'data-action': e.action },
      exactTime(e.at), ' ',
      el('strong', {}, actionLabel(e.action)), other,
      el('span', { class: 'cell-sub' }, 'by ' + whoText(e) + (details ? ' · ' + details : '')));
  }));
}
