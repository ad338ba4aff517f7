// The page's address: which user, company and view are open, and the open view's filters, in the query string,
// so that a reload, Back and a shared link open the same view. The API key never goes into the address.
//
// Each part of the page owns its own parameters and writes only those: writeAddress({ user: 12 }) changes
// `user` and keeps every other parameter as it is; a value of null, undefined or '' removes the parameter.
// Views: no `view` is the Users tab; view=companies|stats|audit|review names the others.

// Never written, whatever a caller passes: a credential in an address ends up in history, logs and referrers.
const NEVER = ['key', 'api_key', 'apikey', 'token', 'authorization'];

/** The query string as a plain object of strings (the first value of a repeated parameter). */
export function readAddress() {
  var found = {};
  new URLSearchParams(window.location.search).forEach(function (value, name) {
    if (!(name in found) && NEVER.indexOf(name.toLowerCase()) < 0) found[name] = value;
  });
  return found;
}

/** The address with `params` merged into the current query string, as a relative URL. */
export function addressWith(params) {
  var query = new URLSearchParams(window.location.search);
  Object.keys(params).forEach(function (name) {
    var value = params[name];
    if (value === null || value === undefined || value === '') query.delete(name);
    else query.set(name, String(value));
  });
  NEVER.forEach(function (name) { query.delete(name); });
  var text = query.toString();
  return window.location.pathname + (text ? '?' + text : '') + window.location.hash;
}

// While the page follows an address (a reload, Back), its views open without writing the address: it is
// what they are opening. Views write their part as they open, synchronously, so the flag is never left set.
let following = 0;

/**
 * Writes `params` into the address. push=true makes a new history entry (opening a user, a company, a view:
 * Back returns to the one before); otherwise the current entry is replaced (a filter being typed).
 * Does nothing while the page is following an address, and nothing when the address would not change.
 */
export function writeAddress(params, push) {
  if (following) return;
  var next = addressWith(params);
  var now = window.location.pathname + window.location.search + window.location.hash;
  if (next === now) return;
  if (push) window.history.pushState(null, '', next);
  else window.history.replaceState(null, '', next);
}

/** Runs `open` without writing the address (what it writes at once is dropped); returns what `open` returns. */
export function followingAddress(open) {
  following++;
  try {
    return open();
  } finally {
    following--;
  }
}

/** Calls `handler(readAddress())` when Back or Forward changes the address. */
export function onAddressChange(handler) {
  window.addEventListener('popstate', function () { handler(readAddress()); });
}
