// Rows of the user's company lists: their buttons, focus and busy marks.

import { $, cssEscape, el, srOnly } from './dom.js';
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

export function rowIndex(listId, id) {
  var rows = Array.prototype.slice.call($(listId).children);
  for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute('data-company-id') === id) return i;
  return 0;
}

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
  var row = $(listId).querySelector('[data-company-id="' + cssEscape(id) + '"]');
  if (!row) return;
  var target = row.querySelector('[data-action="' + action + '"]');
  if (target && !target.disabled) target.focus();
}
