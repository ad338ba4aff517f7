// Creating a user from the users view: the form's fields checked here first (username, home company by name),
// then POST /users; the outcome is written under the form and read out.

import { $, announce, setMsg } from './dom.js';
import { api } from './api.js';
import { rememberUser } from './state.js';
import { companyByName } from './table.js';

/** The server's rule for a username, checked before asking so the message can say it at once. */
export const USERNAME = /^[A-Za-z0-9_.@-]{3,64}$/;

/** The submit handler of the new user form; `created(user)` runs once the server made the user. */
export function createUser(e, created) {
  e.preventDefault();
  var message = $('user-create-message');
  var username = $('new-username').value.trim();
  if (!USERNAME.test(username)) {
    $('new-username').setAttribute('aria-invalid', 'true');
    setMsg(message, 'A username has 3 to 64 letters, digits, _ . - or @.', 'error');
    $('new-username').focus();
    return;
  }
  $('new-username').removeAttribute('aria-invalid');
  var home = $('new-home').value.trim();
  var submit = $('user-create-submit');
  submit.disabled = true;
  setMsg(message, 'Creating ' + username + '…', 'info');
  (home ? companyByName(home) : Promise.resolve(null)).then(function (company) {
    if (home && !company) {
      $('new-home').setAttribute('aria-invalid', 'true');
      throw { status: 422, message: 'No company is named “' + home + '”.', field: 'new-home' };
    }
    $('new-home').removeAttribute('aria-invalid');
    var body = { username: username, role: $('new-role').value };
    if ($('new-full-name').value.trim()) body.full_name = $('new-full-name').value.trim();
    if (company) body.home_company_id = company.id;
    return api('POST', 'users', body);
  }).then(function (u) {
    rememberUser(u);
    var text = 'Created ' + u.username + ' (user #' + u.id + ')' + (u.home_company_name ? ', at home in ' + u.home_company_name : '') + '.';
    setMsg(message, text, 'success');
    announce(text);
    $('new-username').value = '';
    $('new-full-name').value = '';
    $('new-home').value = '';
    $('new-username').focus();
    created(u);
  }, function (err) {
    if (err.status === 401) return;
    var text = 'Not created: ' + err.message;
    setMsg(message, text, 'error');
    announce(text);
    var field = err.field || (err.code === 'username_taken' || (err.problem && err.problem.errors) ? 'new-username' : null);
    if (field) $(field).focus();
  }).then(function () { submit.disabled = false; });
}
