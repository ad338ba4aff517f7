// The client of the REST API on this origin.

import { state } from './state.js';

function ApiError(status, code, message, problem) {
  this.name = 'ApiError';
  this.status = status;
  this.code = code;
  this.message = message;
  this.problem = problem || null;
}
ApiError.prototype = Object.create(Error.prototype);
ApiError.prototype.constructor = ApiError;

const NETWORK_MESSAGE = 'Could not reach the server (connection lost?). Check your connection and try again.';

// Signing out lives above this module (it resets every view), so manage.js hands it in.
let unauthorized = function () {};
export function onUnauthorized(handler) { unauthorized = handler; }

// The latest revision this page wrote or was answered at: every later read asks for at least it, so
// an administrator never sees their own change missing, whichever instance of the service answers.
let lastRevision = null;

function sawRevision(res) {
  var text = res.headers.get('Company-Access-Revision');
  if (text && /^[0-9]+$/.test(text)) {
    var seen = Number(text);
    if (lastRevision === null || seen > lastRevision) lastRevision = seen;
  }
}

/** Calls the API on this origin with a relative URL. Resolves with the JSON body (null for 204).
 * `options.rawBody` (with `options.contentType`) sends a body as it is instead of `body` as JSON. */
export function api(method, path, body, options) {
  options = options || {};
  var key = options.key || state.key;
  var headers = { 'Accept': 'application/json' };
  if (key) headers['Authorization'] = 'Bearer ' + key;
  if (method === 'GET' && lastRevision !== null) headers['Company-Access-Consistency'] = 'at-least ' + lastRevision;
  var init = { method: method, headers: headers, cache: 'no-store', credentials: 'omit', signal: options.signal };
  if (options.rawBody !== undefined) {
    // A file as it is (CSV), with its own type.
    headers['Content-Type'] = options.contentType;
    init.body = options.rawBody;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(path, init).then(function (res) {
    sawRevision(res);
    if (res.status === 204) return null;
    var type = res.headers.get('Content-Type') || '';
    var parsed = type.indexOf('json') >= 0 ? res.json().catch(function () { return null; }) : Promise.resolve(null);
    return parsed.then(function (data) {
      if (res.ok) return data;
      var detail = data && data.detail ? data.detail
        : 'The server answered ' + res.status + (res.statusText ? ' ' + res.statusText : '') + '.';
      var err = new ApiError(res.status, (data && data.code) || 'http_' + res.status, detail, data);
      if (res.status === 401 && !options.signingIn && state.key) {
        unauthorized('Your key is no longer accepted (it may have been revoked). Please sign in again.', 'error');
      }
      throw err;
    });
  }, function (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', NETWORK_MESSAGE, null);
  });
}

export function isAbort(e) { return e && e.name === 'AbortError'; }
