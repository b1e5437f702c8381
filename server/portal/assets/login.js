// The login form. Calls `onLoggedIn(session)` with the server's {user, csrf_token}.
import { ApiError, request } from './api.js';
import { h } from './dom.js';

// The server says how long to wait in seconds ("try again in 593 s"); people read minutes.
function throttledText(error) {
  const seconds = Number((/in (\d+) s\b/.exec(error.message) || [])[1]);
  if (!seconds) return 'Too many failed logins. Try again later.';
  const minutes = Math.ceil(seconds / 60);
  const wait = seconds < 60 ? `${seconds} seconds`
    : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `Too many failed logins from this computer or for this account. Try again in ${wait}.`;
}

export function renderLogin(onLoggedIn, notice) {
  const email = h('input', { id: 'email', name: 'email', type: 'email', required: true,
    autocomplete: 'username', autofocus: true, maxlength: 254 });
  const password = h('input', { id: 'password', name: 'password', type: 'password',
    required: true, autocomplete: 'current-password', maxlength: 1024 });
  const message = h('p', { class: 'error', id: 'login-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit' }, 'Log in');

  const form = h('form', { class: 'login', novalidate: false },
    h('h1', {}, 'Loyalty portal'),
    notice ? h('p', { class: 'notice' }, notice) : null,
    h('label', { for: 'email' }, 'E-mail'), email,
    h('label', { for: 'password' }, 'Password'), password,
    message, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.hidden = true;
    try {
      onLoggedIn(await request('POST', '/portal/api/session',
        { email: email.value, password: password.value }));
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      message.textContent = status === 401 ? 'Wrong e-mail or password.'
        : status === 429 ? throttledText(error)
          : error.message;
      message.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return h('div', { class: 'login-screen' }, form);
}
