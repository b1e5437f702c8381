// Stores: each store's terminals (status, when enrolled, last heard from, sales waiting
// offline; a till gone quiet stands out), a one-time enrollment code for a new till,
// revoking a till, and the coupon conflicts that offline tills caused.
import { ApiError, get, request } from './api.js';
import { h, startRender } from './dom.js';
import { count, money } from './format.js';

const localTime = (iso) => (iso ? new Date(iso).toLocaleString() : '–');

function csvLink(path, id) {
  return h('a', { class: 'csv-link', id, href: path, download: '' }, 'Download CSV');
}

function showError(error) {
  const area = document.getElementById('stores-error');
  if (!area) return;
  area.textContent = error instanceof ApiError && error.status === 403
    ? 'You may not do that.' : `That did not work: ${error.message}`;
  area.hidden = false;
}

// A modal dialog; `body` is its content, `actions` its buttons. Closed on Escape too.
function openDialog(id, title, body, actions) {
  const dialog = h('dialog', { class: 'dialog', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), body, h('div', { class: 'dialog-actions' }, actions));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

async function enroll(storeInfo, rerender) {
  let answer;
  try {
    answer = await request('POST', `/portal/api/stores/${encodeURIComponent(storeInfo.id)}/enrollment-codes`,
      { valid_hours: 24 });
  } catch (error) {
    showError(error);
    return;
  }
  const done = h('button', { type: 'button', id: 'enroll-done' }, 'Done');
  const dialog = openDialog('enroll-dialog', `New terminal for ${storeInfo.name}`, [
    h('p', {}, 'Enter this one-time code on the new till. It is shown only now.'),
    h('p', { class: 'enroll-code', id: 'enroll-code' }, answer.code),
    h('p', { class: 'notice', id: 'enroll-expiry' },
      `Valid until ${localTime(answer.expires_at)}. On the till: `,
      h('code', {}, `loyalty-terminal enroll --code ${answer.code}`)),
  ], [done]);
  done.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', rerender);
}

function confirmRevoke(terminal, rerender) {
  const cancel = h('button', { type: 'button', class: 'secondary', id: 'revoke-cancel' }, 'Cancel');
  const confirm = h('button', { type: 'button', class: 'danger', id: 'revoke-confirm' }, 'Revoke');
  const dialog = openDialog('revoke-dialog', `Revoke ${terminal.name}?`,
    h('p', {}, `Terminal ${terminal.id} will be refused by the server at once. Its sales still`
      + ' in its journal must be uploaded before, or they stay on the till.'),
    [cancel, confirm]);
  cancel.addEventListener('click', () => dialog.close());
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      await request('POST', `/portal/api/terminals/${encodeURIComponent(terminal.id)}/revoke`);
      dialog.close();
      rerender();
    } catch (error) {
      dialog.close();
      showError(error);
    }
  });
}

function statusCell(terminal) {
  if (terminal.status === 'revoked') return h('span', { class: 'badge revoked' }, 'Revoked');
  if (terminal.quiet) {
    return h('span', { class: 'badge quiet', title: 'No heartbeat for a while: check the till' },
      terminal.last_seen_at ? 'Not seen lately' : 'Never seen');
  }
  return h('span', { class: 'badge active' }, 'Active');
}

function terminalRow(terminal, mayChange, rerender) {
  return h('tr', { 'data-terminal': terminal.id, class: terminal.quiet ? 'quiet-row' : null },
    h('td', {}, terminal.name),
    h('td', { class: 'mono' }, terminal.id),
    h('td', {}, statusCell(terminal)),
    h('td', {}, localTime(terminal.enrolled_at)),
    h('td', { class: 'last-seen' }, localTime(terminal.last_seen_at)),
    h('td', { class: 'num backlog' }, terminal.backlog === null ? '–' : count(terminal.backlog)),
    h('td', {}, mayChange && terminal.status !== 'revoked'
      ? h('button', { type: 'button', class: 'secondary small revoke',
        onclick: () => confirmRevoke(terminal, rerender) }, 'Revoke')
      : null));
}

function storeSection(storeInfo, mayChange, rerender) {
  const rows = storeInfo.terminals.map((terminal) => terminalRow(terminal, mayChange, rerender));
  return h('section', { class: 'panel store', 'data-store': storeInfo.id },
    h('div', { class: 'panel-head' },
      h('h2', {}, `${storeInfo.name}`, h('span', { class: 'muted' }, ` · ${storeInfo.id}`)),
      mayChange ? h('button', { type: 'button', class: 'enroll',
        onclick: () => enroll(storeInfo, rerender) }, 'Enroll a terminal') : null),
    rows.length === 0 ? h('p', { class: 'empty' }, 'No terminals yet.')
      : h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Name', 'Terminal', 'Status', 'Enrolled', 'Last seen',
          'Offline backlog', ''].map((label) => h('th', {}, label)))),
        h('tbody', {}, rows)));
}

function conflictsSection(conflicts, currency) {
  const sale = (s) => `${s.store_id} / ${s.terminal_id}, ${localTime(s.at)}`;
  return h('section', { class: 'panel', id: 'conflicts' },
    h('div', { class: 'panel-head' },
      h('h2', {}, 'Coupon conflicts'),
      h('span', { class: 'muted' }, 'a coupon redeemed twice while a till was offline'),
      csvLink('/portal/api/coupon-conflicts?format=csv', 'conflicts-csv')),
    conflicts.length === 0 ? h('p', { class: 'empty' }, 'No coupon conflicts.')
      : h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Detected', 'Coupon', 'Customer', 'First redemption',
          'Second redemption', 'Given away', 'Offline'].map((label) => h('th', {}, label)))),
        h('tbody', {}, conflicts.map((conflict) => h('tr', {},
          h('td', {}, localTime(conflict.detected_at)),
          h('td', { class: 'mono' }, conflict.coupon_id.slice(0, 8)),
          h('td', { class: 'num' }, String(conflict.customer_id)),
          h('td', {}, sale(conflict.first)),
          h('td', {}, sale(conflict.second)),
          h('td', { class: 'num' }, money(conflict.discount, currency)),
          h('td', {}, conflict.verified_offline ? 'yes' : 'no'))))));
}

export default async function render(container, { user }) {
  const current = startRender(container);
  const rerender = () => render(container, { user }).catch(showError);
  const [data, conflicts] = await Promise.all([
    get('/portal/api/stores'), get('/portal/api/coupon-conflicts?limit=100')]);
  const mayChange = user.role !== 'analyst';
  const terminals = data.stores.reduce((n, s) => n + s.terminals.length, 0);
  const quiet = data.stores.reduce((n, s) => n + s.terminals.filter((t) => t.quiet).length, 0);
  const currency = data.stores.length ? data.stores[0].currency : '';
  const plural = (n, word) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;
  if (!current()) return;
  container.replaceChildren(...[
    h('div', { class: 'page-head' },
      h('h1', {}, 'Stores'),
      h('p', { class: 'subtitle', id: 'stores-summary' },
        `${plural(data.stores.length, 'store')} · ${plural(terminals, 'terminal')}`
        + (quiet ? ` · ${count(quiet)} not seen for ${data.quiet_after_seconds / 60} minutes` : '')),
      csvLink('/portal/api/stores?format=csv', 'terminals-csv')),
    h('p', { class: 'error', id: 'stores-error', role: 'alert', hidden: true }),
    data.stores.length === 0 ? h('p', { class: 'empty' }, 'No stores to show.') : null,
    ...data.stores.map((storeInfo) => storeSection(storeInfo, mayChange, rerender)),
    conflictsSection(conflicts.conflicts, currency),
  ].filter(Boolean));
}
