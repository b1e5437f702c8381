// The portal's entry: shows the login form or the app shell (header, navigation from
// routes.js, the current page), and routes by the URL's hash (#/dashboard).
import { ApiError, get, onSessionEnded, request, setCsrfToken } from './api.js';
import { h } from './dom.js';
import { roleNames } from './format.js';
import { renderLogin } from './login.js';
import { defaultRoute, mayOpen, restOf, routeFor, routes } from './routes.js';

const root = document.getElementById('app');
let session = null;  // {user, csrf_token, currency} while logged in

function currentPath() {
  return location.hash.replace(/^#\/?/, '').split('?')[0];
}

function showLogin(message) {
  session = null;
  setCsrfToken('');
  onSessionEnded(null);
  root.replaceChildren(renderLogin(onLoggedIn, message));
}

function onLoggedIn(newSession) {
  session = newSession;
  setCsrfToken(session.csrf_token);
  onSessionEnded(() => showLogin('Your session ended. Please log in again.'));
  if (!routeFor(currentPath(), session.user)) location.hash = `#/${defaultRoute.path}`;
  renderShell();
}

async function logOut() {
  try {
    await request('DELETE', '/portal/api/session');
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
  }
  showLogin('You are logged out.');
}

function renderShell() {
  const user = session.user;
  const nav = h('nav', { class: 'nav', 'aria-label': 'Pages' },
    routes.filter((route) => mayOpen(route, user)).map((route) =>
      h('a', { href: `#/${route.path}`, 'data-path': route.path }, route.title)));
  const main = h('main', { class: 'page', id: 'page' });
  root.replaceChildren(
    h('header', { class: 'topbar' },
      h('span', { class: 'brand' }, 'Loyalty portal'),
      nav,
      h('span', { class: 'who' },
        h('span', { class: 'user-name', id: 'user-name' }, user.name),
        h('span', { class: 'user-role', id: 'user-role' }, roleNames[user.role] || user.role)),
      h('button', { class: 'secondary', id: 'logout', type: 'button', onclick: logOut },
        'Log out')),
    main);
  showPage();
}

async function showPage() {
  if (!session) return;
  const path = currentPath();
  const route = routeFor(path, session.user) || defaultRoute;
  for (const link of root.querySelectorAll('.nav a')) {
    link.classList.toggle('active', link.dataset.path === route.path);
  }
  // Each visit renders into its own view. A page still loading when the user moves on
  // finishes into a view no longer on screen, so it cannot replace the newer page.
  const view = h('div', { class: 'view', 'data-route': route.path },
    h('p', { class: 'loading' }, 'Loading…'));
  document.getElementById('page').replaceChildren(view);
  document.title = `${route.title} · Loyalty portal`;
  try {
    const page = await route.load();
    const rest = route.path === path.split('/')[0] ? restOf(path) : [];
    await page.default(view, { user: session.user, currency: session.currency, rest });
  } catch (error) {
    if (!view.isConnected) return;
    if (error instanceof ApiError && error.status === 401) {
      showLogin('Your session ended. Please log in again.');
      return;
    }
    view.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
  }
}

window.addEventListener('hashchange', showPage);
// A form's handler rethrows the 401 that ended the session; the login screen is the
// answer to it, so it is not an error left unhandled. Any other failed request of a
// page redrawing itself (a period, a sort, a page of a table) is said on screen above
// what it showed before, which stays: without this it only reached the console.
window.addEventListener('unhandledrejection', (event) => {
  if (!(event.reason instanceof ApiError)) return;
  event.preventDefault();
  if (event.reason.status === 401) return;
  const view = document.querySelector('#page .view');
  if (!view) return;
  for (const old of view.querySelectorAll(':scope > .page-error')) old.remove();
  view.prepend(h('p', { class: 'error page-error', role: 'alert' }, event.reason.message));
});

get('/portal/api/session').then(onLoggedIn, (error) => {
  if (error instanceof ApiError && error.status === 401) {
    showLogin();
  } else {
    root.replaceChildren(h('p', { class: 'error', role: 'alert' },
      `The server did not answer: ${error.message}`));
  }
});
