/* Company Access: the /manage-user-companies page.
 *
 * Plain JavaScript, no dependencies. Runs under a strict Content-Security-Policy: no inline script or
 * style, no eval. Data from the server is only ever written with textContent / attributes, never as HTML.
 * The API key lives in sessionStorage (this tab only) and travels only in the Authorization header.
 */
(function () {
  'use strict';

  var KEY_STORAGE = 'companyAccess.apiKey';
  var UNDO_SECONDS = 10;
  var SEARCH_DELAY_MS = 200;
  var SEARCH_LIMIT = 20;
  var COMPANY_LIST_LIMIT = 100;
  var MEMBERS_PAGE = 100;
  var EXPORT_PAGE = 500;
  var SCOPES = ['check', 'read', 'write', 'admin'];
  var ROLE_LABELS = {
    super_admin: 'Super admin',
    admin: 'Admin',
    hr_manager: 'HR manager',
    finance_manager: 'Finance manager',
    employee: 'Employee'
  };
  var ACTION_LABELS = {
    'access.grant': 'Granted access',
    'access.revoke': 'Removed access',
    'access.update': 'Changed access',
    'access.default': 'Changed default company',
    'access.replace': 'Replaced companies',
    'access.bulk': 'Bulk grant',
    'access.populate': 'Populated access',
    'user.create': 'Created user',
    'user.update': 'Changed user',
    'user.delete': 'Deleted user',
    'company.create': 'Created company',
    'company.update': 'Renamed company',
    'company.delete': 'Deleted company',
    'key.create': 'Created API key',
    'key.revoke': 'Revoked API key'
  };

  var state = {
    key: null,
    whoami: null,
    canRead: false,
    canWrite: false,
    tab: 'users',
    user: null,             // the selected user (User or UserRef shape)
    userCompanies: null,    // last GET /users/{id}/companies answer
    userSeq: 0,
    available: [],          // companies of the add panel (current filter)
    availableTotal: 0,
    availableQuery: '',
    availableSeq: 0,
    selected: new Map(),    // company_id -> name, ticked for "Add selected"
    addErrors: new Map(),   // company_id -> message beside a row of the add panel
    currentErrors: new Map(), // company_id -> message beside a row of the current companies
    busy: new Set(),        // company ids with a request in flight
    undo: null,
    companyNames: new Map(),
    userNames: new Map(),
    company: null,
    membersOffset: 0,
    membersTotal: 0,
    companySeq: 0,
    csvUrl: null,
    stats: null,
    statsSeq: 0
  };

  // ---------------------------------------------------------------- small helpers

  function $(id) { return document.getElementById(id); }

  /** Builds an element: attrs are attributes (class, data-*, aria-*), children are nodes or strings. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  var SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      node.setAttribute(name, value === true ? '' : String(value));
    });
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }

  function srOnly(text) { return el('span', { class: 'sr-only' }, text); }

  var numberFormat = new Intl.NumberFormat();
  function num(n) { return numberFormat.format(n); }
  function plural(n, one, many) { return num(n) + ' ' + (n === 1 ? one : many); }

  var dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  function formatDate(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : dateFormat.format(d);
  }
  function timeEl(iso) {
    return el('time', { datetime: iso, title: iso }, formatDate(iso));
  }

  function roleLabel(role) { return ROLE_LABELS[role] || String(role || ''); }
  function userLabel(u) {
    if (!u) return '';
    return u.full_name ? u.full_name + ' (' + u.username + ')' : u.username;
  }
  function userShort(u) { return u ? (u.full_name || u.username) : ''; }

  function setMsg(node, text, kind) {
    node.textContent = text || '';
    node.classList.remove('msg-error', 'msg-success', 'msg-info');
    if (text) node.classList.add('msg-' + (kind || 'info'));
  }

  var announceTimer = null;
  /** Speaks a message to screen readers through the page's polite live region. */
  function announce(text) {
    var region = $('global-status');
    region.textContent = '';
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () { region.textContent = text; }, 50);
  }

  function debounce(fn, ms) {
    var timer = null;
    var wrapped = function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { timer = null; fn.apply(null, args); }, ms);
    };
    wrapped.cancel = function () { clearTimeout(timer); timer = null; };
    return wrapped;
  }

  function scopeAtLeast(scope, wanted) { return SCOPES.indexOf(scope) >= SCOPES.indexOf(wanted); }

  // ---------------------------------------------------------------- the API

  function ApiError(status, code, message, problem) {
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.message = message;
    this.problem = problem || null;
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.constructor = ApiError;

  var NETWORK_MESSAGE = 'Could not reach the server (connection lost?). Check your connection and try again.';

  /** Calls the API on this origin with a relative URL. Resolves with the JSON body (null for 204). */
  function api(method, path, body, options) {
    options = options || {};
    var key = options.key || state.key;
    var headers = { 'Accept': 'application/json' };
    if (key) headers['Authorization'] = 'Bearer ' + key;
    var init = { method: method, headers: headers, cache: 'no-store', credentials: 'omit', signal: options.signal };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (res) {
      if (res.status === 204) return null;
      var type = res.headers.get('Content-Type') || '';
      var parsed = type.indexOf('json') >= 0 ? res.json().catch(function () { return null; }) : Promise.resolve(null);
      return parsed.then(function (data) {
        if (res.ok) return data;
        var detail = data && data.detail ? data.detail
          : 'The server answered ' + res.status + (res.statusText ? ' ' + res.statusText : '') + '.';
        var err = new ApiError(res.status, (data && data.code) || 'http_' + res.status, detail, data);
        if (res.status === 401 && !options.signingIn && state.key) {
          signOut('Your key is no longer accepted (it may have been revoked). Please sign in again.', 'error');
        }
        throw err;
      });
    }, function (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', NETWORK_MESSAGE, null);
    });
  }

  function isAbort(e) { return e && e.name === 'AbortError'; }
  function rememberCompany(id, name) { if (id && name) state.companyNames.set(id, name); }
  function rememberUser(u) { if (u && u.id !== undefined) state.userNames.set(u.id, u); }

  // ---------------------------------------------------------------- sign in / out

  function showSignIn(message, kind) {
    $('app').hidden = true;
    $('session').hidden = true;
    $('signin').hidden = false;
    setMsg($('signin-error'), kind === 'error' ? message : '', 'error');
    setMsg($('signin-info'), kind !== 'error' ? message : '', 'info');
    var input = $('api-key');
    input.value = '';
    input.setAttribute('aria-invalid', kind === 'error' ? 'true' : 'false');
    input.focus();
  }

  function signIn(key) {
    var button = $('signin-button');
    button.disabled = true;
    setMsg($('signin-error'), '');
    setMsg($('signin-info'), 'Checking the key…', 'info');
    return api('GET', 'whoami', undefined, { key: key, signingIn: true }).then(function (who) {
      state.key = key;
      state.whoami = who;
      try { sessionStorage.setItem(KEY_STORAGE, key); } catch (e) { /* storage disabled: keep it in memory */ }
      enterApp();
    }, function (e) {
      state.key = null;
      try { sessionStorage.removeItem(KEY_STORAGE); } catch (ignored) { /* nothing stored */ }
      var text = e.status === 401
        ? 'This key was not accepted. Check that you pasted all of it, or ask an administrator for a new one.'
        : 'Could not sign in: ' + e.message;
      showSignIn(text, 'error');
    }).then(function () { button.disabled = false; });
  }

  function signOut(message, kind) {
    finishUndo();
    try { sessionStorage.removeItem(KEY_STORAGE); } catch (e) { /* nothing stored */ }
    state.key = null;
    state.whoami = null;
    state.canRead = state.canWrite = false;
    state.user = state.userCompanies = state.company = state.stats = null;
    state.userSeq++; state.companySeq++; state.availableSeq++; state.statsSeq++;
    state.available = [];
    state.selected.clear(); state.addErrors.clear(); state.currentErrors.clear(); state.busy.clear();
    state.userNames.clear(); state.companyNames.clear();
    userCombo.reset(); companyCombo.reset();
    $('company-filter').value = '';
    $('user-view').hidden = true;
    $('company-view').hidden = true;
    ['current-list', 'available-list', 'members-body', 'stats-figures', 'chart-per-user', 'chart-busiest',
      'chart-per-user-table', 'chart-busiest-table', 'audit-body'].forEach(function (id) { $(id).replaceChildren(); });
    if (state.csvUrl) { URL.revokeObjectURL(state.csvUrl); state.csvUrl = null; }
    $('csv-link').hidden = true;
    $('csv-link').removeAttribute('href');
    document.querySelectorAll('#app .msg').forEach(function (m) { setMsg(m, ''); });
    showSignIn(message || 'You are signed out. The key was removed from this browser.', kind || 'info');
  }

  function enterApp() {
    var who = state.whoami;
    state.canRead = scopeAtLeast(who.scope, 'read');
    state.canWrite = scopeAtLeast(who.scope, 'write');
    $('signin').hidden = true;
    setMsg($('signin-error'), '');
    setMsg($('signin-info'), '');
    $('api-key').value = '';
    $('app').hidden = false;
    $('session').hidden = false;
    $('session-label').textContent = 'Signed in with key “' + who.name + '” (' + who.scope + ')';

    var banner = $('scope-banner');
    banner.className = 'notice';
    if (!state.canRead) {
      banner.classList.add('notice-error');
      banner.textContent = 'This key (“' + who.name + '”) has the check scope: it can only ask whether a user may act in a company. '
        + 'It cannot read users or companies, so there is nothing this page can show. Sign out and sign in with a key '
        + 'that has the read, write or admin scope.';
      banner.hidden = false;
      $('tabs').hidden = true;
      ['panel-users', 'panel-companies', 'panel-stats'].forEach(function (id) { $(id).hidden = true; });
      $('sign-out').focus();
      announce(banner.textContent);
      return;
    }
    if (!state.canWrite) {
      banner.classList.add('notice-warn');
      banner.textContent = 'Read-only: this key (“' + who.name + '”) has the read scope, so you can look but not change anything. '
        + 'To add or remove companies, sign out and sign in with a key that has the write or admin scope.';
      banner.hidden = false;
    } else {
      banner.hidden = true;
      banner.textContent = '';
    }
    document.body.classList.toggle('read-only', !state.canWrite);
    $('tabs').hidden = false;
    selectTab('users', false);
    $('user-search').focus();
    announce('Signed in with key ' + who.name + ', scope ' + who.scope + '.' + (state.canWrite ? '' : ' Read-only.'));
  }

  // ---------------------------------------------------------------- tabs

  var TABS = ['users', 'companies', 'stats'];

  function selectTab(name, focusTab) {
    state.tab = name;
    TABS.forEach(function (t) {
      var tab = $('tab-' + t);
      var active = t === name;
      tab.setAttribute('aria-selected', active ? 'true' : 'false');
      tab.tabIndex = active ? 0 : -1;
      $('panel-' + t).hidden = !active;
    });
    if (focusTab) $('tab-' + name).focus();
    if (name === 'stats') loadStats();
  }

  function setupTabs() {
    TABS.forEach(function (t, i) {
      var tab = $('tab-' + t);
      tab.addEventListener('click', function () { selectTab(t, false); });
      tab.addEventListener('keydown', function (e) {
        var next = null;
        if (e.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
        else if (e.key === 'ArrowLeft') next = TABS[(i + TABS.length - 1) % TABS.length];
        else if (e.key === 'Home') next = TABS[0];
        else if (e.key === 'End') next = TABS[TABS.length - 1];
        if (next) { e.preventDefault(); selectTab(next, true); }
      });
    });
  }

  // ---------------------------------------------------------------- combobox (user and company search)

  /**
   * An ARIA 1.2 combobox with a listbox popup: debounced search, arrow keys, Enter, Escape.
   * options: input, listbox, status, minChars, search(q, signal) -> Promise<{items,total}>,
   * renderOption(item) -> node, describe(page, q) -> status text, choose(item).
   */
  function makeCombobox(o) {
    var items = [];
    var active = -1;
    var controller = null;
    var seq = 0;
    var lastQuery = null;

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
      if (items.length && document.activeElement === o.input) open(); else close();
    }
    function run(q) {
      if (controller) controller.abort();
      controller = new AbortController();
      var mine = ++seq;
      lastQuery = q;
      o.status.textContent = 'Searching…';
      return o.search(q, controller.signal).then(function (page) {
        if (mine !== seq) return;
        render(page, q);
      }, function (e) {
        if (isAbort(e) || mine !== seq) return;
        items = [];
        o.listbox.replaceChildren();
        close();
        o.status.textContent = 'Search failed: ' + e.message;
      });
    }
    var later = debounce(run, SEARCH_DELAY_MS);

    o.input.addEventListener('input', function () {
      var q = o.input.value.trim();
      if (q.length < o.minChars) {
        later.cancel();
        if (controller) controller.abort();
        seq++;
        items = [];
        o.listbox.replaceChildren();
        close();
        o.status.textContent = '';
        lastQuery = null;
        return;
      }
      later(q);
    });
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
          if (isOpen() && active >= 0) { e.preventDefault(); choose(active); }
          else if (isOpen() && items.length === 1) { e.preventDefault(); choose(0); }
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
        items = [];
        lastQuery = null;
        o.input.value = '';
        o.listbox.replaceChildren();
        close();
        o.status.textContent = '';
      }
    };
  }

  var userCombo = null;
  var companyCombo = null;

  function setupSearches() {
    userCombo = makeCombobox({
      input: $('user-search'),
      listbox: $('user-results'),
      status: $('user-search-status'),
      minChars: 1,
      search: function (q, signal) {
        return api('GET', 'users?q=' + encodeURIComponent(q) + '&limit=' + SEARCH_LIMIT, undefined, { signal: signal });
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

  // ---------------------------------------------------------------- the selected user

  function selectUser(u) {
    finishUndo();
    state.user = u;
    rememberUser(u);
    state.userCompanies = null;
    state.selected.clear();
    state.addErrors.clear();
    state.currentErrors.clear();
    state.busy.clear();
    $('user-view').hidden = false;
    setMsg($('current-message'), '');
    setMsg($('add-selected-message'), '');
    renderUserHeader();
    $('current-title').textContent = 'Current companies';
    $('user-superadmin').hidden = true;
    $('current-list').replaceChildren();
    $('current-empty').hidden = false;
    $('current-empty').textContent = 'Loading…';
    $('add-section').hidden = !state.canWrite;
    $('available-list').replaceChildren();
    updateSelectedButton();
    var loaded = refreshUserCompanies().then(function (ok) {
      if (ok) {
        var grants = grantItems().length;
        announce('Showing ' + userShort(state.user) + ': ' + plural(grants, 'company', 'companies') + '.');
      }
    });
    if (state.canWrite) loadAvailable($('company-filter').value.trim());
    return loaded;
  }

  function grantItems() {
    return state.userCompanies ? state.userCompanies.items.filter(function (i) { return i.source === 'grant'; }) : [];
  }

  function renderUserHeader() {
    var u = state.user;
    $('user-title').textContent = u.full_name ? u.full_name : u.username;
    var meta = ['Username: ' + u.username, 'Role: ' + roleLabel(u.role), 'User #' + u.id];
    if (u.home_company_name) meta.push('Home company: ' + u.home_company_name);
    $('user-meta').textContent = meta.join(' · ');
    var inactive = $('user-inactive');
    inactive.hidden = u.is_active !== false;
    inactive.textContent = u.is_active === false
      ? 'This user is inactive: access checks refuse them in every company until they are reactivated.' : '';
  }

  /** Reloads the selected user's companies and redraws both lists. Resolves true when it worked. */
  function refreshUserCompanies() {
    var u = state.user;
    if (!u) return Promise.resolve(false);
    var mine = ++state.userSeq;
    return api('GET', 'users/' + encodeURIComponent(u.id) + '/companies').then(function (data) {
      if (mine !== state.userSeq || state.user !== u) return false;
      state.userCompanies = data;
      Object.keys(data.user).forEach(function (k) { u[k] = data.user[k]; });
      data.items.forEach(function (i) { rememberCompany(i.company_id, i.company_name); });
      renderUserHeader();
      renderCurrent();
      renderAvailable();
      return true;
    }, function (e) {
      if (mine !== state.userSeq || state.user !== u) return false;
      if (e.status === 404) {
        setMsg($('current-message'), 'This user no longer exists (deleted meanwhile). Search for someone else.', 'error');
        $('current-list').replaceChildren();
        $('current-empty').hidden = true;
        $('add-section').hidden = true;
      } else if (e.status !== 401) {
        setMsg($('current-message'), 'Could not load the companies of ' + userShort(u) + ': ' + e.message, 'error');
        $('current-empty').hidden = true;
      }
      return false;
    });
  }

  /** Redraws a list, then puts keyboard focus back on the same control of the same row when it still exists. */
  function keepFocus(list, draw) {
    var active = document.activeElement;
    var row = active && list.contains(active) ? active.closest('[data-company-id]') : null;
    var id = row ? row.getAttribute('data-company-id') : null;
    var action = active && active.getAttribute ? active.getAttribute('data-action') : null;
    draw();
    if (!id) return;
    var again = list.querySelector('[data-company-id="' + cssEscape(id) + '"] [data-action="' + action + '"]');
    if (again && !again.disabled) again.focus();
  }

  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&'); }

  function renderCurrent() {
    var data = state.userCompanies;
    var u = state.user;
    if (!data) return;
    var grants = grantItems();
    var viaRole = data.items.length - grants.length;
    $('current-title').textContent = 'Current companies (' + num(grants.length) + ')';

    var sa = $('user-superadmin');
    if (data.all_companies) {
      sa.hidden = false;
      sa.textContent = userShort(u) + ' is a super admin and can act in every company'
        + (viaRole ? ' (' + num(viaRole + grants.length) + ' today)' : '')
        + ', including companies created later. Companies granted explicitly are listed below and stay if the role changes.';
    } else {
      sa.hidden = true;
      sa.textContent = '';
    }

    var empty = $('current-empty');
    if (!grants.length) {
      empty.hidden = false;
      empty.textContent = data.all_companies
        ? 'No explicit grants: not needed while the role is super admin.'
        : userShort(u) + ' has no companies yet.' + (state.canWrite ? ' Add one below.' : '');
    } else {
      empty.hidden = true;
      empty.textContent = '';
    }

    var list = $('current-list');
    keepFocus(list, function () {
      list.replaceChildren.apply(list, grants.map(currentRow));
    });
  }

  function currentRow(item) {
    var id = item.company_id;
    var name = item.company_name;
    var busy = state.busy.has(id);
    var msgId = 'current-msg-' + id;
    var li = el('li', { class: 'row' + (item.is_default ? ' row-default' : ''), 'data-company-id': id, 'data-company-name': name,
      'aria-busy': busy ? 'true' : null });
    var title = el('span', { class: 'row-title' }, name);
    if (item.is_default) title.appendChild(el('span', { class: 'badge badge-default' }, 'Default'));
    var meta = el('span', { class: 'row-meta' });
    if (item.granted_at) append(meta, ['Since ', timeEl(item.granted_at)]);
    if (item.granted_by) append(meta, [item.granted_at ? ' · granted by ' : 'Granted by ', el('span', { class: 'actor' }, item.granted_by)]);
    li.appendChild(el('div', { class: 'row-main' }, title, meta));

    var actions = el('div', { class: 'row-actions' });
    actions.appendChild(button('Access review', name, 'btn btn-ghost btn-small', 'review', function () {
      selectTab('companies', false);
      $('company-search').value = name;
      openCompany(id, 0, true);
    }, msgId));
    if (state.canWrite) {
      if (!item.is_default) {
        actions.appendChild(button('Make default', name, 'btn btn-small', 'default', function () { makeDefault(item); }, msgId, busy));
      }
      actions.appendChild(button('Remove', name, 'btn btn-danger btn-small', 'remove', function () { removeCompany(item); }, msgId, busy));
    }
    li.appendChild(actions);
    var msg = el('p', { id: msgId, class: 'msg row-msg' });
    if (state.currentErrors.has(id)) setMsg(msg, state.currentErrors.get(id), 'error');
    li.appendChild(msg);
    return li;
  }

  /** A button whose accessible name includes the company it acts on ("Remove NYC"). */
  function button(text, subject, cls, action, onClick, describedBy, disabled) {
    var b = el('button', { type: 'button', class: cls, 'data-action': action, 'aria-describedby': describedBy || null,
      disabled: disabled ? true : null }, text, srOnly(' ' + subject));
    b.addEventListener('click', onClick);
    return b;
  }

  // ---------------------------------------------------------------- the add panel

  /** Reloads the selected user's companies and (quietly) the add panel, whose user counts just changed. */
  function refreshAll() {
    var both = [refreshUserCompanies()];
    if (state.canWrite) both.push(loadAvailable(state.availableQuery, true));
    return Promise.all(both).then(function (results) { return results[0]; });
  }

  function loadAvailable(q, quiet) {
    var mine = ++state.availableSeq;
    var status = $('company-filter-status');
    if (!quiet) status.textContent = 'Loading companies…';
    var url = 'companies?sort=name&limit=' + COMPANY_LIST_LIMIT + (q ? '&q=' + encodeURIComponent(q) : '');
    return api('GET', url).then(function (page) {
      if (mine !== state.availableSeq) return;
      state.available = page.items;
      state.availableTotal = page.total;
      state.availableQuery = q;
      page.items.forEach(function (c) { rememberCompany(c.id, c.name); });
      renderAvailable();
    }, function (e) {
      if (mine !== state.availableSeq || e.status === 401) return;
      status.textContent = 'Could not load the companies: ' + e.message;
    });
  }

  function renderAvailable() {
    if (!state.canWrite || !state.user || !state.userCompanies) return;
    var granted = new Set(grantItems().map(function (i) { return i.company_id; }));
    var rows = state.available.filter(function (c) { return !granted.has(c.id) || state.addErrors.has(c.id); });
    var hiddenGranted = state.available.length - rows.length;
    var status;
    var q = state.availableQuery;
    if (!state.available.length) {
      status = q ? 'No company matches “' + q + '”.' : 'There are no companies yet.';
    } else if (!rows.length) {
      status = userShort(state.user) + ' already has every company' + (q ? ' matching “' + q + '”.' : ' listed here.');
    } else if (state.availableTotal > state.available.length) {
      status = 'Showing the first ' + num(state.available.length) + ' of ' + num(state.availableTotal)
        + ' companies' + (q ? ' matching “' + q + '”' : '') + '. Type to narrow the list.';
    } else {
      status = plural(rows.length, 'company', 'companies') + ' can be added'
        + (hiddenGranted ? ' (' + num(hiddenGranted) + ' already granted not shown)' : '') + '.';
    }
    $('company-filter-status').textContent = status;
    var list = $('available-list');
    keepFocus(list, function () {
      list.replaceChildren.apply(list, rows.map(function (c) { return availableRow(c, granted.has(c.id)); }));
    });
    updateSelectedButton();
  }

  function availableRow(c, alreadyGranted) {
    var id = c.id;
    var busy = state.busy.has(id);
    var msgId = 'add-msg-' + id;
    var checkId = 'pick-' + id;
    var li = el('li', { class: 'row', 'data-company-id': id, 'data-company-name': c.name, 'aria-busy': busy ? 'true' : null });
    var box = el('input', { type: 'checkbox', id: checkId, 'data-action': 'pick', 'aria-describedby': msgId,
      disabled: alreadyGranted || busy ? true : null });
    box.checked = state.selected.has(id) && !alreadyGranted;
    box.addEventListener('change', function () {
      if (box.checked) state.selected.set(id, c.name); else state.selected.delete(id);
      updateSelectedButton();
    });
    var label = el('label', { for: checkId, class: 'row-title pick' }, box, el('span', {}, c.name));
    var meta = el('span', { class: 'row-meta' }, plural(c.user_count || 0, 'user', 'users') + ' granted');
    li.appendChild(el('div', { class: 'row-main' }, label, meta));
    var actions = el('div', { class: 'row-actions' });
    if (!alreadyGranted) {
      actions.appendChild(button('Add', c.name, 'btn btn-primary btn-small', 'add', function () { addCompany(c); }, msgId, busy));
    } else {
      actions.appendChild(el('span', { class: 'badge' }, 'Already granted'));
    }
    li.appendChild(actions);
    var msg = el('p', { id: msgId, class: 'msg row-msg' });
    if (state.addErrors.has(id)) setMsg(msg, state.addErrors.get(id), 'error');
    li.appendChild(msg);
    return li;
  }

  function updateSelectedButton() {
    var n = state.selected.size;
    var b = $('add-selected');
    b.disabled = n === 0;
    b.textContent = n ? 'Add selected (' + num(n) + ')' : 'Add selected';
    $('clear-selected').hidden = n === 0;
  }

  /** After a row leaves the add panel, keeps focus near where it was instead of dropping it on <body>. */
  function focusAvailableNear(index) {
    var active = document.activeElement;
    if (active && active !== document.body && !$('available-list').contains(active)) return; // the user moved on
    var buttons = $('available-list').querySelectorAll('[data-action="add"]');
    if (buttons.length) buttons[Math.min(index, buttons.length - 1)].focus();
    else $('company-filter').focus();
  }

  function rowIndex(listId, id) {
    var rows = Array.prototype.slice.call($(listId).children);
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute('data-company-id') === id) return i;
    return 0;
  }

  function setBusy(id, busy) {
    if (busy) state.busy.add(id); else state.busy.delete(id);
    document.querySelectorAll('[data-company-id="' + cssEscape(id) + '"]').forEach(function (row) {
      if (busy) row.setAttribute('aria-busy', 'true'); else row.removeAttribute('aria-busy');
      row.querySelectorAll('button, input').forEach(function (b) {
        if (b.getAttribute('data-action') !== 'review') b.disabled = busy;
      });
    });
  }

  function addCompany(c) {
    var u = state.user;
    var id = c.id;
    if (state.busy.has(id)) return;
    var index = rowIndex('available-list', id);
    state.addErrors.delete(id);
    setMsg($('current-message'), '');
    setMsg($('add-msg-' + id) || document.createElement('p'), '');
    setBusy(id, true);
    api('POST', 'users/' + encodeURIComponent(u.id) + '/companies', { company_id: id }).then(function () {
      setBusy(id, false);
      if (state.user !== u) return;
      state.selected.delete(id);
      setMsg($('current-message'), 'Added ' + c.name + ' to ' + userShort(u) + '.', 'success');
      announce('Added ' + c.name + ' to ' + userShort(u) + '.');
      return refreshAll().then(function () { focusAvailableNear(index); });
    }, function (e) {
      setBusy(id, false);
      if (state.user !== u || e.status === 401) return;
      var text;
      if (e.code === 'already_has_access') {
        text = e.message + ' (someone else added it meanwhile; the list above is now up to date).';
      } else if (e.code === 'company_not_found') {
        text = e.message + ': it was deleted meanwhile. Nothing was added.';
      } else if (e.code === 'user_not_found') {
        text = e.message + ': this user was deleted meanwhile. Nothing was added.';
      } else if (e.status === 0) {
        text = c.name + ' was not added. ' + e.message;
      } else {
        text = 'Could not add ' + c.name + ': ' + e.message;
      }
      state.addErrors.set(id, text);
      announce('Could not add ' + c.name + '. ' + text);
      if (e.status === 0) { renderAvailable(); focusRow('available-list', id, 'add'); return; }
      return refreshUserCompanies().then(function (ok) {
        if (!ok) renderAvailable();
        focusRow('available-list', id, 'add');
      });
    });
  }

  function focusRow(listId, id, action) {
    var row = $(listId).querySelector('[data-company-id="' + cssEscape(id) + '"]');
    if (!row) return;
    var target = row.querySelector('[data-action="' + action + '"]');
    if (target && !target.disabled) target.focus();
  }

  function addSelected() {
    var u = state.user;
    var ids = Array.from(state.selected.keys());
    if (!ids.length || !u) return;
    var b = $('add-selected');
    var message = $('add-selected-message');
    b.disabled = true;
    setMsg($('current-message'), '');
    setMsg(message, 'Adding ' + plural(ids.length, 'company', 'companies') + '…', 'info');
    api('POST', 'users/' + encodeURIComponent(u.id) + '/companies', { company_ids: ids }).then(function (res) {
      if (state.user !== u) return;
      state.selected.clear();
      var added = res.added.map(function (x) { return x.company_name; });
      var already = res.already_present.map(function (id) { return state.companyNames.get(id) || id; });
      var text = added.length ? 'Added ' + added.join(', ') + ' to ' + userShort(u) + '.' : 'Nothing new to add.';
      if (already.length) text += ' Already had access: ' + already.join(', ') + '.';
      setMsg(message, text, 'success');
      announce(text);
      return refreshAll().then(function () { $('current-title').focus(); });
    }, function (e) {
      if (state.user !== u || e.status === 401) return;
      var text = 'Nothing was added: ' + e.message;
      if (e.code === 'company_not_found') text += ' One of the selected companies was deleted meanwhile; the list was reloaded.';
      setMsg(message, text, 'error');
      announce(text);
      if (e.code === 'company_not_found') {
        state.selected.clear();
        loadAvailable(state.availableQuery);
      }
      updateSelectedButton();
      b.focus();
    }).then(function () { updateSelectedButton(); }, function () { updateSelectedButton(); });
  }

  // ---------------------------------------------------------------- remove (with undo) and default

  function removeCompany(item) {
    var u = state.user;
    var id = item.company_id;
    if (state.busy.has(id)) return;
    finishUndo();
    state.currentErrors.delete(id);
    setMsg($('current-message'), '');
    setBusy(id, true);
    api('DELETE', 'users/' + encodeURIComponent(u.id) + '/companies/' + encodeURIComponent(id)).then(function () {
      setBusy(id, false);
      if (state.user !== u) return;
      setMsg($('current-message'), '');
      startUndo(u, item);
      return refreshAll();
    }, function (e) {
      setBusy(id, false);
      if (state.user !== u || e.status === 401) return;
      if (e.code === 'access_not_found') {
        setMsg($('current-message'), item.company_name + ' was already removed (by someone else); the list is now up to date.', 'info');
        announce(item.company_name + ' was already removed.');
        return refreshUserCompanies().then(function () { $('current-title').focus(); });
      }
      var text = e.status === 0 ? item.company_name + ' was not removed. ' + e.message
        : 'Could not remove ' + item.company_name + ': ' + e.message;
      state.currentErrors.set(id, text);
      renderCurrent();
      announce(text);
      focusRow('current-list', id, 'remove');
    });
  }

  function startUndo(u, item) {
    var undo = { user: u, item: item, deadline: Date.now() + UNDO_SECONDS * 1000, timer: null, ticker: null, busy: false };
    state.undo = undo;
    $('undo-text').textContent = 'Removed ' + item.company_name + ' from ' + userShort(u) + '.';
    $('undo-button').disabled = false;
    var undoButton = $('undo-button');
    undoButton.replaceChildren('Undo', srOnly(' removing ' + item.company_name));
    $('undo-bar').hidden = false;
    tickUndo();
    undo.ticker = setInterval(tickUndo, 1000);
    undo.timer = setTimeout(function () { if (state.undo === undo && !undo.busy) finishUndo(); }, UNDO_SECONDS * 1000);
    undoButton.focus();
    announce('Removed ' + item.company_name + '. Undo is possible for ' + UNDO_SECONDS + ' seconds.');
  }

  function tickUndo() {
    var undo = state.undo;
    if (!undo) return;
    var left = Math.max(0, Math.ceil((undo.deadline - Date.now()) / 1000));
    $('undo-countdown').textContent = left + ' s';
  }

  /** Closes the undo window: the removal stays. */
  function finishUndo() {
    var undo = state.undo;
    if (!undo) return;
    clearTimeout(undo.timer);
    clearInterval(undo.ticker);
    state.undo = null;
    var bar = $('undo-bar');
    var hadFocus = bar.contains(document.activeElement);
    bar.hidden = true;
    if (hadFocus) $('current-title').focus();
  }

  function runUndo() {
    var undo = state.undo;
    if (!undo || undo.busy) return;
    undo.busy = true;
    clearTimeout(undo.timer);
    clearInterval(undo.ticker);
    $('undo-button').disabled = true;
    $('undo-countdown').textContent = '';
    var u = undo.user;
    var item = undo.item;
    var base = 'users/' + encodeURIComponent(u.id) + '/companies';
    api('POST', base, { company_id: item.company_id }).catch(function (e) {
      if (e.code === 'already_has_access') return null; // it is back already: fine
      throw e;
    }).then(function () {
      if (!item.is_default) return null;
      return api('PATCH', base + '/' + encodeURIComponent(item.company_id), { is_default: true }).catch(function (e) {
        e.partial = true;
        throw e;
      });
    }).then(function () {
      if (state.undo === undo) state.undo = null;
      $('undo-bar').hidden = true;
      if (state.user !== u) return;
      setMsg($('current-message'), 'Restored ' + item.company_name + ' for ' + userShort(u) + '.', 'success');
      announce('Restored ' + item.company_name + '.');
      return refreshAll().then(function () {
        focusRow('current-list', item.company_id, 'remove');
        if (!$('current-list').contains(document.activeElement)) $('current-title').focus();
      });
    }, function (e) {
      if (state.undo === undo) state.undo = null;
      $('undo-bar').hidden = true;
      if (e.status === 401) return;
      var text = e.partial
        ? item.company_name + ' is back, but it could not be made the default again: ' + e.message
        : 'Could not undo: ' + e.message + (e.code === 'company_not_found' ? ' (the company was deleted meanwhile).' : '');
      setMsg($('current-message'), text, 'error');
      announce(text);
      $('current-title').focus();
      if (state.user === u) refreshUserCompanies();
    });
  }

  function makeDefault(item) {
    var u = state.user;
    var id = item.company_id;
    if (state.busy.has(id)) return;
    state.currentErrors.delete(id);
    setMsg($('current-message'), '');
    setBusy(id, true);
    api('PATCH', 'users/' + encodeURIComponent(u.id) + '/companies/' + encodeURIComponent(id), { is_default: true }).then(function () {
      setBusy(id, false);
      if (state.user !== u) return;
      setMsg($('current-message'), item.company_name + ' is now the default company of ' + userShort(u) + '.', 'success');
      announce(item.company_name + ' is now the default company.');
      return refreshUserCompanies().then(function () { focusRow('current-list', id, 'remove'); });
    }, function (e) {
      setBusy(id, false);
      if (state.user !== u || e.status === 401) return;
      var text = e.code === 'access_not_found'
        ? e.message + ' (it was removed meanwhile; the list is now up to date).'
        : (e.status === 0 ? 'The default was not changed. ' + e.message
          : 'Could not make ' + item.company_name + ' the default: ' + e.message);
      state.currentErrors.set(id, text);
      announce(text);
      if (e.code === 'access_not_found') {
        state.currentErrors.delete(id);
        setMsg($('current-message'), text, 'error');
        refreshUserCompanies().then(function () { $('current-title').focus(); });
        return;
      }
      renderCurrent();
      focusRow('current-list', id, 'default');
    });
  }

  // ---------------------------------------------------------------- company view (access review)

  function openCompany(id, offset, focusTitle) {
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

  /** A table cell that names its column (shown as a label when tables stack on a phone). */
  function cell(label) {
    var td = el('td', { 'data-label': label });
    for (var i = 1; i < arguments.length; i++) append(td, arguments[i]);
    if (td.textContent === '—') td.classList.add('cell-empty');
    return td;
  }

  function memberRow(m) {
    var who = el('button', { type: 'button', class: 'link', 'data-user-id': m.user_id },
      m.full_name || m.username);
    who.addEventListener('click', function () {
      selectTab('users', false);
      $('user-search').value = m.username;
      selectUser({ id: m.user_id, username: m.username, full_name: m.full_name, role: m.role, is_active: m.is_active })
        .then(function () { $('user-title').focus(); });
    });
    var userCell = cell('User', who, el('span', { class: 'cell-sub' }, '@' + m.username + ' · #' + m.user_id));
    if (!m.is_active) userCell.appendChild(el('span', { class: 'badge badge-warn' }, 'Inactive'));
    return el('tr', {},
      userCell,
      cell('Role', roleLabel(m.role)),
      cell('Access through', m.source === 'grant' ? 'Grant' : 'Super admin role'),
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

  function exportCsv() {
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
          m.source === 'grant' ? 'grant' : 'super_admin', m.is_default ? 'yes' : 'no', m.granted_at || '', m.granted_by || ''];
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

  // ---------------------------------------------------------------- statistics

  function loadStats() {
    var mine = ++state.statsSeq;
    var message = $('stats-message');
    setMsg(message, 'Loading…', 'info');
    setMsg($('audit-message'), '');
    var stats = api('GET', 'stats').then(function (s) {
      if (mine !== state.statsSeq) return;
      setMsg(message, '');
      state.stats = s;
      renderFigures(s);
      renderCharts();
    }, function (e) {
      if (mine !== state.statsSeq || e.status === 401) return;
      setMsg(message, 'Could not load the statistics: ' + e.message, 'error');
    });
    var audit = api('GET', 'audit?limit=20').then(function (page) {
      if (mine !== state.statsSeq) return null;
      return renderAudit(page, mine);
    }, function (e) {
      if (mine !== state.statsSeq || e.status === 401) return;
      setMsg($('audit-message'), 'Could not load the audit trail: ' + e.message, 'error');
    });
    return Promise.all([stats, audit]);
  }

  function renderCharts() {
    var s = state.stats;
    if (!s) return;
    renderPerUserChart(s.companies_per_user || []);
    renderBusiestChart(s.busiest_companies || []);
  }

  /** Charts are drawn at the width they are shown at, so their text stays readable on a phone. */
  function chartWidth(box) {
    var w = Math.round(box.clientWidth || 0);
    return w ? Math.max(280, Math.min(720, w)) : 640;
  }

  function renderFigures(s) {
    var figures = [
      ['Users', num(s.users)],
      ['Active users', num(s.active_users)],
      ['Super admins', num(s.super_admins)],
      ['Companies', num(s.companies)],
      ['User–company grants', num(s.relationships)],
      ['Users with several companies', num(s.users_with_multiple_companies)],
      ['Users without a company', num(s.users_without_companies)],
      ['Companies without users', num(s.companies_without_users)],
      ['Average companies per user', (Number(s.average_companies_per_user) || 0).toLocaleString(undefined, { maximumFractionDigits: 2 })]
    ];
    $('stats-figures').replaceChildren.apply($('stats-figures'), figures.map(function (f) {
      return el('div', { class: 'figure' }, el('dt', {}, f[0]), el('dd', {}, f[1]));
    }));
  }

  function niceStep(max, count) {
    var raw = Math.max(max, 1) / count;
    var pow = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / pow;
    var step = (f >= 7.5 ? 10 : f >= 3.5 ? 5 : f >= 1.5 ? 2 : 1) * pow;
    return Math.max(1, Math.round(step));
  }

  var chartCount = 0;
  function chartFrame(width, height, title, desc) {
    var id = 'chart-' + (++chartCount);
    return svg('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'chart', role: 'img', 'aria-labelledby': id + '-t ' + id + '-d',
      preserveAspectRatio: 'xMidYMid meet', focusable: 'false' },
    svg('title', { id: id + '-t' }, title),
    svg('desc', { id: id + '-d' }, desc));
  }

  function renderPerUserChart(rows) {
    var data = rows.map(function (r) { return { x: Number(r.companies), y: Number(r.users) }; })
      .sort(function (a, b) { return a.x - b.x; });
    if (data.length) {
      var lo = data[0].x;
      var hi = data[data.length - 1].x;
      if (hi - lo <= 30) { // draw a continuous axis so empty buckets show as gaps
        var byX = new Map(data.map(function (d) { return [d.x, d.y]; }));
        data = [];
        for (var x = lo; x <= hi; x++) data.push({ x: x, y: byX.get(x) || 0 });
      }
    }
    var table = $('chart-per-user-table');
    table.replaceChildren.apply(table, data.map(function (d) {
      return el('tr', {}, el('td', {}, num(d.x)), el('td', {}, num(d.y)));
    }));
    var box = $('chart-per-user');
    if (!data.length) { box.replaceChildren(el('p', { class: 'empty' }, 'No users yet.')); return; }

    var max = Math.max.apply(null, data.map(function (d) { return d.y; }));
    var step = niceStep(max, 4);
    var top = Math.max(step, Math.ceil(max / step) * step);
    // Room on the left for the widest tick label plus the rotated axis title.
    var W = chartWidth(box), H = W < 480 ? 240 : 300, m = { t: 24, r: 12, b: 52, l: 34 + 8 * num(top).length };
    var iw = W - m.l - m.r, ih = H - m.t - m.b;
    var desc = data.map(function (d) { return plural(d.y, 'user has', 'users have') + ' ' + plural(d.x, 'company', 'companies'); }).join('; ') + '.';
    var chart = chartFrame(W, H, 'Number of users by how many companies they have', desc);
    chart.classList.add('chart-per-user');

    for (var v = 0; v <= top; v += step) {
      var gy = m.t + ih - (v / top) * ih;
      chart.appendChild(svg('line', { class: 'grid', x1: m.l, x2: W - m.r, y1: gy, y2: gy }));
      chart.appendChild(svg('text', { class: 'tick', x: m.l - 8, y: gy + 4, 'text-anchor': 'end' }, num(v)));
    }
    var band = iw / data.length;
    var bw = Math.max(2, Math.min(64, band * 0.72));
    data.forEach(function (d) {
      var i = data.indexOf(d);
      var h = (d.y / top) * ih;
      var x = m.l + i * band + (band - bw) / 2;
      var y = m.t + ih - h;
      var bar = svg('rect', { class: 'bar', x: x.toFixed(1), y: y.toFixed(1), width: bw.toFixed(1), height: Math.max(h, d.y ? 1 : 0).toFixed(1),
        'data-companies': d.x, 'data-users': d.y },
      svg('title', {}, plural(d.x, 'company', 'companies') + ': ' + plural(d.y, 'user', 'users')));
      chart.appendChild(bar);
      if (data.length <= 24 && d.y > 0) {
        chart.appendChild(svg('text', { class: 'value', x: (x + bw / 2).toFixed(1), y: (y - 6).toFixed(1), 'text-anchor': 'middle' }, num(d.y)));
      }
      if (data.length <= 24 || i % Math.ceil(data.length / 24) === 0) {
        chart.appendChild(svg('text', { class: 'tick', x: (x + bw / 2).toFixed(1), y: m.t + ih + 18, 'text-anchor': 'middle' }, num(d.x)));
      }
    });
    chart.appendChild(svg('line', { class: 'axis', x1: m.l, x2: W - m.r, y1: m.t + ih, y2: m.t + ih }));
    chart.appendChild(svg('text', { class: 'axis-label', x: m.l + iw / 2, y: H - 10, 'text-anchor': 'middle' }, 'Companies per user'));
    chart.appendChild(svg('text', { class: 'axis-label', x: 14, y: m.t + ih / 2, 'text-anchor': 'middle',
      transform: 'rotate(-90 14 ' + (m.t + ih / 2) + ')' }, 'Users'));
    box.replaceChildren(chart);
  }

  function renderBusiestChart(rows) {
    var data = rows.map(function (r) { rememberCompany(r.company_id, r.name); return { name: r.name, id: r.company_id, y: Number(r.users) }; });
    var table = $('chart-busiest-table');
    table.replaceChildren.apply(table, data.map(function (d) {
      return el('tr', {}, el('td', {}, d.name), el('td', {}, num(d.y)));
    }));
    var box = $('chart-busiest');
    if (!data.length) { box.replaceChildren(el('p', { class: 'empty' }, 'No companies yet.')); return; }

    var W = chartWidth(box);
    var rowH = 30, labelW = Math.round(Math.min(180, W * 0.36));
    var maxChars = 40;
    var m = { t: 8, r: 48, b: 28, l: labelW };
    var H = m.t + data.length * rowH + m.b;
    var iw = W - m.l - m.r;
    var max = Math.max.apply(null, data.map(function (d) { return d.y; }));
    var step = niceStep(max, 4);
    var top = Math.max(step, Math.ceil(max / step) * step);
    var desc = data.map(function (d) { return d.name + ': ' + plural(d.y, 'user', 'users'); }).join('; ') + '.';
    var chart = chartFrame(W, H, 'Users granted each of the busiest companies', desc);
    chart.classList.add('chart-busiest');
    for (var v = 0; v <= top; v += step) {
      var gx = m.l + (v / top) * iw;
      chart.appendChild(svg('line', { class: 'grid', x1: gx, x2: gx, y1: m.t, y2: H - m.b }));
      chart.appendChild(svg('text', { class: 'tick', x: gx, y: H - m.b + 18, 'text-anchor': 'middle' }, num(v)));
    }
    data.forEach(function (d, i) {
      var y = m.t + i * rowH + 5;
      var w = (d.y / top) * iw;
      var label = d.name.length > maxChars ? d.name.slice(0, maxChars - 1) + '…' : d.name;
      chart.appendChild(svg('text', { class: 'label', x: m.l - 8, y: y + rowH / 2 + 1, 'text-anchor': 'end', 'data-full': d.name }, label));
      chart.appendChild(svg('rect', { class: 'bar bar-company', x: m.l, y: y, width: Math.max(w, d.y ? 1 : 0).toFixed(1), height: rowH - 10,
        'data-company': d.name, 'data-users': d.y },
      svg('title', {}, d.name + ': ' + plural(d.y, 'user', 'users'))));
      chart.appendChild(svg('text', { class: 'value', x: (m.l + w + 6).toFixed(1), y: y + rowH / 2 + 1 }, num(d.y)));
    });
    chart.appendChild(svg('line', { class: 'axis', x1: m.l, x2: m.l, y1: m.t, y2: H - m.b }));
    box.replaceChildren(chart);
    // Now that the text is laid out, shorten the company names that do not fit their column.
    chart.querySelectorAll('text.label').forEach(function (t) {
      var full = t.getAttribute('data-full');
      var keep = full.length;
      while (keep > 4 && t.getComputedTextLength && t.getComputedTextLength() > labelW - 12) {
        keep--;
        t.textContent = full.slice(0, keep) + '…';
      }
    });
  }

  function pick(obj, keys) {
    if (!obj || typeof obj !== 'object') return null;
    for (var i = 0; i < keys.length; i++) if (typeof obj[keys[i]] === 'string' && obj[keys[i]]) return obj[keys[i]];
    return null;
  }

  var SUMMARY_KEYS = ['name', 'username', 'role', 'scope', 'is_default', 'added', 'already_present', 'removed',
    'home_company_grants', 'super_admin_grants', 'defaults_set', 'dry_run'];
  var SKIP_KEYS = { id: 1, user_id: 1, company_id: 1, home_company_id: 1, created_at: 1, modified_at: 1, updated_at: 1 };

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
        cell('What', ACTION_LABELS[e.action] || e.action, el('span', { class: 'cell-sub' }, e.action)),
        cell('User', userText),
        cell('Company', companyText),
        cell('Details', describeChange(e) || '—'));
    }));
  }

  // ---------------------------------------------------------------- wiring

  function init() {
    setupTabs();
    setupSearches();

    $('signin-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var key = $('api-key').value.trim();
      if (!key) {
        setMsg($('signin-error'), 'Paste your API key first.', 'error');
        $('api-key').setAttribute('aria-invalid', 'true');
        $('api-key').focus();
        return;
      }
      signIn(key);
    });
    $('sign-out').addEventListener('click', function () { signOut(); });

    var filter = debounce(function () { state.addErrors.clear(); loadAvailable($('company-filter').value.trim()); }, SEARCH_DELAY_MS);
    $('company-filter').addEventListener('input', filter);
    $('add-selected').addEventListener('click', addSelected);
    $('clear-selected').addEventListener('click', function () {
      state.selected.clear();
      $('available-list').querySelectorAll('input[type="checkbox"]').forEach(function (b) { b.checked = false; });
      updateSelectedButton();
      $('company-filter').focus();
    });
    $('undo-button').addEventListener('click', runUndo);

    $('members-prev').addEventListener('click', function () {
      if (state.company) openCompany(state.company.id, Math.max(0, state.membersOffset - MEMBERS_PAGE), false);
    });
    $('members-next').addEventListener('click', function () {
      if (state.company) openCompany(state.company.id, state.membersOffset + MEMBERS_PAGE, false);
    });
    $('export-csv').addEventListener('click', exportCsv);
    $('stats-refresh').addEventListener('click', function () { loadStats(); });
    var lastWidth = window.innerWidth;
    window.addEventListener('resize', debounce(function () {
      if (window.innerWidth === lastWidth) return;
      lastWidth = window.innerWidth;
      if (state.tab === 'stats' && state.stats) renderCharts();
    }, 200));

    var stored = null;
    try { stored = sessionStorage.getItem(KEY_STORAGE); } catch (e) { stored = null; }
    if (stored) {
      $('signin').hidden = true;
      signIn(stored);
    } else {
      showSignIn('', 'info');
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());
