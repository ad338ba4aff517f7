// The companies as a tree: each company under its parent, a company's branches shown when asked for.

import { $, el, num, plural, setMsg } from './dom.js';
import { api } from './api.js';
import { rememberCompany } from './state.js';

const PAGE = 500;
// Beyond this many the tree is no overview any more; the search above finds the rest.
const MOST = 5000;

// Opening a company's access review lives in another view; manage.js hands the way there in.
let openReview = function () {};
export function onOpenCompany(handler) { openReview = handler; }

let loading = null;
let treeSeq = 0;

/** Loads the tree once per sign-in (or again when `force`). */
export function loadTree(force) {
  if (loading && !force) return loading;
  var mine = ++treeSeq;
  setMsg($('tree-message'), 'Loading the companies…', 'info');
  loading = fetchAll(0, []).then(function (all) {
    if (mine === treeSeq) render(all);
  }, function (e) {
    loading = null;
    if (mine !== treeSeq || e.status === 401) return;
    setMsg($('tree-message'), 'Could not load the companies: ' + e.message, 'error');
  });
  return loading;
}

/** Forgets the tree (sign-out), so the next key loads its own. */
export function resetTree() {
  treeSeq++;
  loading = null;
  $('tree').replaceChildren();
  setMsg($('tree-message'), '');
}

function fetchAll(offset, acc) {
  return api('GET', 'companies?sort=name&limit=' + PAGE + '&offset=' + offset).then(function (page) {
    acc = acc.concat(page.items);
    if (page.items.length === PAGE && acc.length < page.total && acc.length < MOST) return fetchAll(offset + PAGE, acc);
    return { items: acc, total: page.total };
  });
}

function render(all) {
  var known = new Set(all.items.map(function (c) { return c.id; }));
  var branches = new Map();
  var roots = [];
  all.items.forEach(function (c) {
    rememberCompany(c.id, c.name);
    // A company whose parent this key cannot see stands at the top of what it can.
    if (c.parent_id && known.has(c.parent_id)) {
      if (!branches.has(c.parent_id)) branches.set(c.parent_id, []);
      branches.get(c.parent_id).push(c);
    } else {
      roots.push(c);
    }
  });
  $('tree').replaceChildren.apply($('tree'), roots.map(function (c) { return node(c, branches); }));
  var shown = all.items.length;
  var text = plural(shown, 'company', 'companies') + ', ' + plural(roots.length, 'at the top', 'at the top')
    + (all.total > shown ? '; the first ' + num(shown) + ' of ' + num(all.total) + ' by name, find the others with the search above' : '')
    + '.';
  setMsg($('tree-message'), shown ? text : 'No companies yet.', 'info');
}

function node(c, branches) {
  var own = branches.get(c.id) || [];
  var li = el('li', { 'data-company-id': c.id, 'data-company-name': c.name });
  var name = el('button', { type: 'button', class: 'link tree-name', 'data-action': 'open' }, c.name);
  name.addEventListener('click', function () { openReview(c.id, c.name); });
  var meta = el('span', { class: 'tree-meta' },
    plural(c.user_count, 'user', 'users') + (own.length ? ' · ' + plural(own.length, 'branch', 'branches') : ''));
  if (!own.length) {
    li.append(el('span', { class: 'tree-leaf', 'aria-hidden': 'true' }), name, ' ', meta);
    return li;
  }
  var list = el('ul', { class: 'tree-branches', hidden: true });
  var toggle = el('button', {
    type: 'button', class: 'tree-toggle', 'aria-expanded': 'false', 'data-action': 'toggle',
    'aria-label': 'Branches of ' + c.name
  }, '▸');
  toggle.addEventListener('click', function () {
    var open = toggle.getAttribute('aria-expanded') === 'true';
    // Branches are built when first opened: a wide tree costs nothing until someone looks.
    if (!open && !list.childElementCount) {
      list.append.apply(list, own.map(function (b) { return node(b, branches); }));
    }
    toggle.setAttribute('aria-expanded', open ? 'false' : 'true');
    toggle.textContent = open ? '▸' : '▾';
    list.hidden = open;
  });
  li.append(toggle, name, ' ', meta, list);
  return li;
}
