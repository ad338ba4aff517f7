// Small helpers every part of the page uses: building elements, formatting, messages.

export function $(id) { return document.getElementById(id); }

/** Builds an element: attrs are attributes (class, data-*, aria-*), children are nodes or strings. */
export function el(tag, attrs) {
  var node = document.createElement(tag);
  setAttrs(node, attrs);
  for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs) {
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

export function append(node, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
  node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
}

export function srOnly(text) { return el('span', { class: 'sr-only' }, text); }

const numberFormat = new Intl.NumberFormat();
export function num(n) { return numberFormat.format(n); }
export function plural(n, one, many) { return num(n) + ' ' + (n === 1 ? one : many); }

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function formatDate(iso) {
  if (!iso) return '';
  var d = new Date(iso);
  return isNaN(d.getTime()) ? String(iso) : dateFormat.format(d);
}
export function timeEl(iso) {
  return el('time', { datetime: iso, title: iso }, formatDate(iso));
}

export function userShort(u) { return u ? (u.full_name || u.username) : ''; }

export function setMsg(node, text, kind) {
  node.textContent = text || '';
  node.classList.remove('msg-error', 'msg-success', 'msg-info');
  if (text) node.classList.add('msg-' + (kind || 'info'));
}

let announceTimer = null;
/** Speaks a message to screen readers through the page's polite live region. */
export function announce(text) {
  var region = $('global-status');
  region.textContent = '';
  clearTimeout(announceTimer);
  announceTimer = setTimeout(function () { region.textContent = text; }, 50);
}

export function debounce(fn, ms) {
  var timer = null;
  var wrapped = function () {
    var args = arguments;
    clearTimeout(timer);
    timer = setTimeout(function () { timer = null; fn.apply(null, args); }, ms);
  };
  wrapped.cancel = function () { clearTimeout(timer); timer = null; };
  return wrapped;
}

export function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&'); }

/** A table cell that names its column (shown as a label when tables stack on a phone). */
export function cell(label) {
  var td = el('td', { 'data-label': label });
  for (var i = 1; i < arguments.length; i++) append(td, arguments[i]);
  if (td.textContent === '—') td.classList.add('cell-empty');
  return td;
}
