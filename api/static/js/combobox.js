// The user and company searches: one accessible combobox, used twice.

import { $, debounce, el, num, plural } from './dom.js';
import { api, isAbort } from './api.js';
import { rememberCompany, rememberUser } from './state.js';
import { roleLabel } from './labels.js';
import { selectUser } from './user.js';
import { openCompany } from './review.js';

// A pause this long in typing searches: with the answer, the options show within 300 ms of the last keystroke
// (tests/browser/test_page_scale.py); a request still in flight is aborted by the next.
export const SEARCH_DELAY_MS = 150;
const SEARCH_LIMIT = 20;

/**
 * An ARIA 1.2 combobox with a listbox popup: debounced search, arrow keys, Enter, Escape.
 * options: input, listbox, status, minChars, search(q, signal) -> Promise<{items,total}>,
 * renderOption(item) -> node, describe(page, q) -> status text, choose(item),
 * best(items, q) -> the index Enter picks when no option is highlighted (the exact match, else the first).
 *
 * Enter acts on the text in the box when it is pressed: when the results shown are of older text (the
 * search is still waiting or in flight), it waits for the results of this text and picks from them, never
 * from the stale ones; typing on cancels that Enter.
 */
function makeCombobox(o) {
  var items = [];
  var active = -1;
  var controller = null;
  var seq = 0;
  var lastQuery = null;
  var shownQuery = null;   // the text the options on screen answer
  var pendingEnter = null; // the text an Enter was pressed on, until its results arrive
  var inFlight = null;     // the text of the search under way

  function isOpen() { return !o.listbox.hidden; }
  function open() {
    if (!items.length) return;
    o.listbox.hidden = false;
    o.input.setAttribute('aria-expanded', 'true');
  }
  function close() {
    o.listbox.hidden = true;
    o.input.setAttribute('aria-expanded', 'false');
    o.input.removeAttribute('aria-activedescendant');
    setActive(-1);
  }
  function setActive(index) {
    var options = o.listbox.children;
    if (active >= 0 && options[active]) options[active].setAttribute('aria-selected', 'false');
    active = index;
    if (index < 0 || !options[index]) { o.input.removeAttribute('aria-activedescendant'); return; }
    options[index].setAttribute('aria-selected', 'true');
    o.input.setAttribute('aria-activedescendant', options[index].id);
    options[index].scrollIntoView({ block: 'nearest' });
  }
  function choose(index) {
    var item = items[index];
    if (!item) return;
    close();
    o.choose(item);
  }
  function render(page, q) {
    items = page.items || [];
    shownQuery = q;
    active = -1;
    o.listbox.replaceChildren();
    items.forEach(function (item, i) {
      var option = el('li', { id: o.listbox.id + '-opt-' + i, role: 'option', class: 'option', 'aria-selected': 'false' },
        o.renderOption(item));
      option.addEventListener('mousedown', function (e) { e.preventDefault(); });
      option.addEventListener('click', function () { choose(i); });
      o.listbox.appendChild(option);
    });
    o.status.textContent = o.describe(page, q);
    if (pendingEnter !== null && pendingEnter === q && o.input.value.trim() === q) {
      pendingEnter = null;
      if (items.length) { choose(o.best(items, q)); return; }
    }
    pendingEnter = null;
    if (items.length && document.activeElement === o.input) open(); else close();
  }
  function run(q) {
    if (controller) controller.abort();
    controller = new AbortController();
    var mine = ++seq;
    lastQuery = q;
    inFlight = q;
    o.status.textContent = 'Searching…';
    return o.search(q, controller.signal).then(function (page) {
      if (mine !== seq) return;
      inFlight = null;
      render(page, q);
    }, function (e) {
      if (isAbort(e) || mine !== seq) return;
      inFlight = null;
      pendingEnter = null;
      items = [];
      shownQuery = null;
      o.listbox.replaceChildren();
      close();
      o.status.textContent = 'Search failed: ' + e.message;
    });
  }
  var later = debounce(run, SEARCH_DELAY_MS);

  o.input.addEventListener('input', function () {
    var q = o.input.value.trim();
    // The options on screen answer older text now: none of them is what Enter would pick.
    pendingEnter = null;
    setActive(-1);
    if (q.length < o.minChars) {
      later.cancel();
      if (controller) controller.abort();
      seq++;
      inFlight = null;
      items = [];
      shownQuery = null;
      o.listbox.replaceChildren();
      close();
      o.status.textContent = '';
      lastQuery = null;
      return;
    }
    later(q);
  });

  function enter(e) {
    var q = o.input.value.trim();
    if (shownQuery === q && active >= 0 && isOpen()) { e.preventDefault(); choose(active); return; }
    // An empty box names nobody: Enter picks only an option highlighted with the arrow keys.
    if (!q || q.length < o.minChars) return;
    e.preventDefault();
    if (shownQuery === q && pendingEnter === null) {
      if (items.length) choose(o.best(items, q));
      return;
    }
    // The results of this text have not arrived yet: search it now and pick when they do.
    pendingEnter = q;
    later.cancel();
    if (inFlight !== q) run(q);
  }
  o.input.addEventListener('focus', function () {
    var q = o.input.value.trim();
    if (o.minChars === 0 && lastQuery === null) run(q);
  });
  o.input.addEventListener('keydown', function (e) {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (!items.length) return;
        if (!isOpen()) { open(); setActive(0); return; }
        setActive(Math.min(active + 1, items.length - 1));
        break;
      case 'ArrowUp':
        e.preventDefault();
        if (!items.length) return;
        if (!isOpen()) { open(); setActive(items.length - 1); return; }
        setActive(Math.max(active - 1, 0));
        break;
      case 'Enter':
        enter(e);
        break;
      case 'Escape':
        if (isOpen()) { e.preventDefault(); close(); }
        break;
      case 'Tab':
        close();
        break;
      default:
        break;
    }
  });
  o.input.addEventListener('blur', function () { close(); });

  return {
    reset: function () {
      later.cancel();
      if (controller) controller.abort();
      seq++;
      inFlight = null;
      items = [];
      lastQuery = null;
      shownQuery = null;
      pendingEnter = null;
      o.input.value = '';
      o.listbox.replaceChildren();
      close();
      o.status.textContent = '';
    }
  };
}

// "#42" is how the page writes a user id: it finds user 42 like "42" does.
function userQuery(q) { return /^#\d+$/.test(q) ? q.slice(1) : q; }

let userCombo = null;
let companyCombo = null;

export function setupSearches() {
  userCombo = makeCombobox({
    input: $('user-search'),
    listbox: $('user-results'),
    status: $('user-search-status'),
    minChars: 1,
    // The service ranks the answer: that id or the exact username first, then prefixes, then words in any order.
    search: function (q, signal) {
      return api('GET', 'users?q=' + encodeURIComponent(userQuery(q)) + '&limit=' + SEARCH_LIMIT, undefined, { signal: signal });
    },
    best: function (users, q) {
      var text = userQuery(q).toLowerCase();
      var exact = users.findIndex(function (u) { return u.username.toLowerCase() === text || String(u.id) === text; });
      return exact >= 0 ? exact : 0;
    },
    renderOption: function (u) {
      rememberUser(u);
      var details = ['@' + u.username, roleLabel(u.role), plural(u.company_count || 0, 'company', 'companies')];
      if (!u.is_active) details.push('inactive');
      return [el('span', { class: 'option-title' }, u.full_name || u.username),
        el('span', { class: 'option-meta' }, details.join(' · '))];
    },
    describe: function (page, q) {
      var shown = page.items.length;
      if (!shown) return 'No user matches “' + q + '”.';
      if (page.total > shown) {
        return 'Showing ' + num(shown) + ' of ' + num(page.total) + ' users matching “' + q + '”. Keep typing to narrow it down.';
      }
      return plural(shown, 'user matches', 'users match') + ' “' + q + '”. Use the arrow keys and Enter to choose.';
    },
    choose: function (u) {
      $('user-search').value = u.username;
      selectUser(u);
    }
  });

  companyCombo = makeCombobox({
    input: $('company-search'),
    listbox: $('company-results'),
    status: $('company-search-status'),
    minChars: 0,
    search: function (q, signal) {
      return api('GET', 'companies?sort=name&limit=' + SEARCH_LIMIT + (q ? '&q=' + encodeURIComponent(q) : ''),
        undefined, { signal: signal });
    },
    best: function (companies, q) {
      var exact = companies.findIndex(function (c) { return c.name.toLowerCase() === q.toLowerCase(); });
      return exact >= 0 ? exact : 0;
    },
    renderOption: function (c) {
      rememberCompany(c.id, c.name);
      return [el('span', { class: 'option-title' }, c.name),
        el('span', { class: 'option-meta' }, plural(c.user_count || 0, 'user granted', 'users granted'))];
    },
    describe: function (page, q) {
      var shown = page.items.length;
      if (!shown) return q ? 'No company matches “' + q + '”.' : 'There are no companies yet.';
      if (page.total > shown) {
        return 'Showing ' + num(shown) + ' of ' + num(page.total) + ' companies. Type to narrow it down.';
      }
      return plural(shown, 'company', 'companies') + '. Use the arrow keys and Enter to choose.';
    },
    choose: function (c) {
      $('company-search').value = c.name;
      openCompany(c.id, 0, true);
    }
  });
}

export function resetSearches() {
  userCombo.reset();
  companyCombo.reset();
}
