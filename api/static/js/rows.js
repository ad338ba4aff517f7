// Rows of the user's company lists: their buttons, messages, focus and busy marks, and keeping them in place.

import { $, cssEscape, el, setMsg, srOnly } from './dom.js';
import { state } from './state.js';

/** Redraws a list, then puts keyboard focus back on the same control of the same row when it still exists. */
export function keepFocus(list, draw) {
  var active = document.activeElement;
  var row = active && list.contains(active) ? active.closest('[data-company-id]') : null;
  var id = row ? row.getAttribute('data-company-id') : null;
  var action = active && active.getAttribute ? active.getAttribute('data-action') : null;
  draw();
  if (!id) return;
  var again = list.querySelector('[data-company-id="' + cssEscape(id) + '"] [data-action="' + action + '"]');
  if (again && !again.disabled) again.focus();
}

/** A button whose accessible name includes the company it acts on ("Remove NYC"). */
export function button(text, subject, cls, action, onClick, describedBy, disabled) {
  var b = el('button', { type: 'button', class: cls, 'data-action': action, 'aria-describedby': describedBy || null,
    disabled: disabled ? true : null }, text, srOnly(' ' + subject));
  b.addEventListener('click', onClick);
  return b;
}

/** The message line of a row: what the last action on it did, or why it failed. */
export function rowMessage(id, idPrefix, messages) {
  var p = el('p', { id: idPrefix + id, class: 'msg row-msg' });
  var m = messages.get(id);
  if (m) setMsg(p, m.text, m.kind);
  return p;
}

export function rowNode(listId, id) {
  return $(listId).querySelector('[data-company-id="' + cssEscape(id) + '"]');
}

export function rowIndex(listId, id) {
  var rows = Array.prototype.slice.call($(listId).children);
  for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute('data-company-id') === id) return i;
  return 0;
}

// A click 0.6 s after the first must land on the same row: while a change redraws the lists (a row
// appears above, a message opens), the page scrolls so the row acted on stays where the pointer is.
const PIN_MS = 3000;
let pinned = null;

/** Notes where a row is on screen now; redraws in the next seconds keep it there. */
export function pinRow(listId, id) {
  var row = rowNode(listId, id);
  pinned = row ? { listId: listId, id: id, top: row.getBoundingClientRect().top, until: Date.now() + PIN_MS } : null;
}

/** Called after every redraw of a list: scrolls the pinned row back to where it was. */
export function holdPinnedRow() {
  if (!pinned) return;
  if (Date.now() > pinned.until) { pinned = null; return; }
  var row = rowNode(pinned.listId, pinned.id);
  if (!row) return;
  var shift = row.getBoundingClientRect().top - pinned.top;
  if (Math.abs(shift) >= 1) window.scrollBy(0, shift);
  // A message that opened below a row at the bottom edge is brought into view: the page moves less than the
  // row is tall, so the pointer stays on the same row (on its message line, where a click does nothing).
  var box = row.getBoundingClientRect();
  var below = box.bottom + REVEAL_MARGIN - window.innerHeight;
  if (below >= 1) window.scrollBy(0, Math.min(below, Math.max(0, box.top - REVEAL_MARGIN)));
}
const REVEAL_MARGIN = 8;

// The person scrolls on their own: their scrolling wins over the pin.
['wheel', 'touchstart'].forEach(function (type) {
  window.addEventListener(type, function () { pinned = null; }, { passive: true });
});

export function setBusy(id, busy) {
  if (busy) state.busy.add(id); else state.busy.delete(id);
  document.querySelectorAll('[data-company-id="' + cssEscape(id) + '"]').forEach(function (row) {
    if (busy) row.setAttribute('aria-busy', 'true'); else row.removeAttribute('aria-busy');
    row.querySelectorAll('button, input').forEach(function (b) {
      if (b.getAttribute('data-action') !== 'review') b.disabled = busy;
    });
  });
}

export function focusRow(listId, id, action) {
  var row = rowNode(listId, id);
  if (!row) return;
  var target = row.querySelector('[data-action="' + action + '"]');
  if (target && !target.disabled) target.focus();
}
