// Signing out after a while without input, so a page left open on a shared desk does not keep its key.
// The server says how long (COMPANY_ACCESS_PAGE_IDLE_MINUTES, in a <meta> of the page); a notice warns
// before it happens, and any key, click, touch or movement of the pointer starts the wait again.

import { $, announce } from './dom.js';

const DEFAULT_SECONDS = 30 * 60;
const WARN_SECONDS = 60;
const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart', 'input'];

let lastInput = 0;
let ticker = null;
let whenIdle = null;
let warned = false;

/** The idle timeout the server set for this page, in seconds. */
export function idleSeconds() {
  var meta = document.querySelector('meta[name="company-access-idle-seconds"]');
  var seconds = meta ? Number(meta.getAttribute('content')) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_SECONDS;
}

/** "30 minutes", "45 seconds": how the notices say the timeout. */
export function idleText(seconds) {
  if (seconds >= 120) return Math.round(seconds / 60) + ' minutes';
  if (seconds >= 60) return '1 minute';
  return Math.round(seconds) + (Math.round(seconds) === 1 ? ' second' : ' seconds');
}

function sawInput() {
  lastInput = Date.now();
  if (warned) {
    warned = false;
    $('idle-warning').hidden = true;
  }
}

function check() {
  var limit = idleSeconds() * 1000;
  var idle = Date.now() - lastInput;
  if (idle >= limit) {
    var done = whenIdle;
    stopIdle();
    if (done) done();
    return;
  }
  var warnAt = limit - Math.min(WARN_SECONDS * 1000, limit / 2);
  if (idle >= warnAt && !warned) {
    warned = true;
    var notice = $('idle-warning');
    notice.textContent = 'You will be signed out in ' + idleText((limit - idle) / 1000)
      + ' without input. Press a key or move the pointer to stay signed in.';
    notice.hidden = false;
    announce(notice.textContent);
  }
}

/** Starts watching for input; `signOut` runs once the page has been idle for the whole timeout. */
export function startIdle(signOut) {
  stopIdle();
  whenIdle = signOut;
  lastInput = Date.now();
  ACTIVITY.forEach(function (type) { document.addEventListener(type, sawInput, { capture: true, passive: true }); });
  // Often enough to be on time for a short timeout, rarely for the usual half hour.
  ticker = setInterval(check, Math.max(250, Math.min(10000, idleSeconds() * 1000 / 8)));
}

export function stopIdle() {
  clearInterval(ticker);
  ticker = null;
  whenIdle = null;
  warned = false;
  ACTIVITY.forEach(function (type) { document.removeEventListener(type, sawInput, { capture: true }); });
  var notice = $('idle-warning');
  if (notice) notice.hidden = true;
}
