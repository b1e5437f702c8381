// Customers: search (name, card, e-mail or phone), filters, sort by the column headers,
// keyset pages, the CSV of the same filters, and the open follow-ups that are overdue.
// `#/customers/{id}` opens one customer's page (page-customer.js) instead.
import { ApiError, get, request } from './api.js';
import { detailsBody, detailsFields, labelled, onSubmit } from './customer-form.js';
import { field, h, sortArrow, startRender } from './dom.js';
import { count, money, moneyValue } from './format.js';

export const segments = ['champions', 'loyal', 'potential_loyalists', 'new', 'at_risk',
  'cant_lose', 'hibernating', 'lost'];

export const segmentName = (segment) => (segment ? segment.replaceAll('_', ' ') : '–');

// The nightly run's lapse-risk bands (targeting::LapseRiskBand).
export const lapseBands = ['low', 'medium', 'high'];
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

// Times arrive in UTC and read in the viewer's zone.
export const localTime = (iso) => (iso ? new Date(iso).toLocaleString() : '–');
export const localDate = (iso) => (iso ? new Date(iso).toLocaleDateString() : '–');

// A follow-up is due by the end of a day (the next day's local midnight): that day is shown.
export const dueDate = (iso) => localDate(new Date(Date.parse(iso) - 1000).toISOString());

// The API takes whole seconds in UTC.
export const utcSeconds = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

// Local midnight that starts a YYYY-MM-DD date, `plusDays` later.
export function localMidnight(text, plusDays = 0) {
  const [y, m, d] = text.split('-').map(Number);
  return new Date(y, m - 1, d + plusDays);
}

const columns = [
  { key: 'name', label: 'Name', sort: 'name' },
  { key: 'contact', label: 'E-mail / phone' },
  { key: 'segment', label: 'Segment' },
  { key: 'visits', label: 'Visits', sort: 'visits', numeric: true },
  { key: 'spend', label: 'Spend', sort: 'spend', numeric: true },
  { key: 'last_visit', label: 'Last visit', sort: 'last_visit' },
  { key: 'lapse_risk', label: 'Lapse risk', sort: 'lapse_risk', numeric: true },
  { key: 'consent', label: 'Offers by' },
];

// Survives leaving for a customer's page and coming back.
const state = {
  filters: {
    q: '', segment: '', risk: '', store: '', from: '', to: '', min: '', max: '', consent: '',
  },
  sort: 'last_visit',
  order: 'desc',
  cursors: [''],  // the cursor of each page shown so far; the last is the current page
};

// What the viewer typed in the currency's major units, in minor units; null if not a
// non-negative number.
function minorUnits(text, currency) {
  const value = Number(text.replace(',', '.'));
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) return null;
  return Math.round(value / moneyValue(1, currency));
}

// The filters and sort as the API's query; the page's cursor is added by the caller.
function listQuery(currency) {
  const f = state.filters;
  const query = new URLSearchParams({ sort: state.sort, order: state.order });
  if (f.q.trim()) query.set('q', f.q.trim());
  if (f.segment) query.set('segment', f.segment);
  if (f.risk) query.set('lapse_risk', f.risk);
  if (f.store) query.set('store', f.store.trim());
  if (f.from) query.set('last_visit_after', utcSeconds(localMidnight(f.from)));
  if (f.to) query.set('last_visit_before', utcSeconds(localMidnight(f.to, 1)));
  const min = minorUnits(f.min, currency);
  if (min !== null) query.set('min_spend', String(min));
  const max = minorUnits(f.max, currency);
  if (max !== null) query.set('max_spend', String(max));
  if (f.consent) query.set('consent', f.consent);
  return query;
}

function filterForm(user, rerender) {
  const f = state.filters;
  const input = (name, attributes) => h('input', {
    id: `filter-${name}`, name, value: f[name], ...attributes });
  const storeControl = user.role === 'store_manager'
    ? h('select', { id: 'filter-store', name: 'store' },
      h('option', { value: '' }, 'All my stores'),
      user.stores.map((id) => h('option', { value: id, selected: id === f.store }, id)))
    : input('store', { type: 'text', placeholder: 'any', size: 6, maxlength: 32 });
  const form = h('form', { class: 'filters', id: 'customer-filters', role: 'search' },
    field('Search', input('q', { type: 'search', placeholder: 'name, card, e-mail or phone',
      maxlength: 200, class: 'search' })),
    field('Segment', h('select', { id: 'filter-segment', name: 'segment' },
      h('option', { value: '' }, 'any'),
      segments.map((s) => h('option', { value: s, selected: s === f.segment }, segmentName(s))))),
    field('Lapse risk', h('select', { id: 'filter-risk', name: 'risk' },
      h('option', { value: '' }, 'any'),
      lapseBands.map((band) => h('option', { value: band, selected: band === f.risk }, band)))),
    field('Store', storeControl),
    field('Last visit from', input('from', { type: 'date' })),
    field('to', input('to', { type: 'date' })),
    field('Spend from', input('min', { type: 'number', min: 0, step: 'any', class: 'amount' })),
    field('to', input('max', { type: 'number', min: 0, step: 'any', class: 'amount' })),
    field('Offers by', h('select', { id: 'filter-consent', name: 'consent' },
      h('option', { value: '' }, 'any consent'),
      h('option', { value: 'email', selected: f.consent === 'email' }, 'e-mail'),
      h('option', { value: 'sms', selected: f.consent === 'sms' }, 'SMS'))),
    h('div', { class: 'filter-buttons' },
      h('button', { type: 'submit', id: 'search' }, 'Search'),
      h('button', { type: 'reset', class: 'secondary', id: 'clear-filters' }, 'Clear')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const band = f.risk;
    for (const name of Object.keys(f)) f[name] = String(data.get(name) ?? '');
    // A band just picked lists its most at risk first (and quickly: the latest visitors,
    // the default order's start, are seldom at risk), unless another sort was chosen.
    if (f.risk && f.risk !== band && state.sort === 'last_visit' && state.order === 'desc') {
      state.sort = 'lapse_risk';
      state.order = 'desc';
    }
    state.cursors = [''];
    rerender();
  });
  form.addEventListener('reset', (event) => {
    event.preventDefault();
    for (const name of Object.keys(f)) f[name] = '';
    state.cursors = [''];
    rerender();
  });
  return form;
}

function header(column, rerender) {
  if (!column.sort) return h('th', { scope: 'col' }, column.label);
  const active = state.sort === column.sort;
  const direction = active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none';
  return h('th', {
    scope: 'col',
    class: column.numeric ? 'num' : null,
    'aria-sort': direction,
  }, h('button', {
    type: 'button',
    class: 'sort',
    'data-sort': column.sort,
    onclick: () => {
      // The state, not this render's view of it: a click may come before the last one's
      // list has arrived.
      if (state.sort === column.sort) {
        state.order = state.order === 'asc' ? 'desc' : 'asc';
      } else {
        state.sort = column.sort;
        state.order = column.sort === 'name' ? 'asc' : 'desc';
      }
      state.cursors = [''];
      rerender();
    },
  }, column.label, sortArrow(direction)));
}

function consentText(row) {
  const ways = [row.consent_email ? 'e-mail' : null, row.consent_sms ? 'SMS' : null]
    .filter(Boolean);
  return ways.length ? ways.join(', ') : 'none';
}

// "73% high": the risk and its band, or a dash until a nightly run has scored them.
function lapseRisk(row) {
  if (row.lapse_risk === null || row.lapse_risk === undefined) return '–';
  const band = lapseBands.includes(row.lapse_risk_band) ? row.lapse_risk_band : 'low';
  return [`${percent.format(row.lapse_risk)} `, h('span', { class: `lapse lapse-${band}` }, band)];
}

function customerRow(row, currency) {
  const name = row.erased ? 'erased customer' : row.name || `anonymous #${row.id}`;
  return h('tr', { 'data-id': row.id },
    h('td', {}, h('a', { href: `#/customers/${row.id}`, class: row.name ? null : 'muted' }, name)),
    h('td', {}, [row.email, row.phone].filter(Boolean).join(' · ') || '–'),
    h('td', {}, segmentName(row.segment)),
    h('td', { class: 'num' }, count(row.visits)),
    h('td', { class: 'num' }, money(row.spend, currency)),
    h('td', {}, localDate(row.last_visit_at)),
    h('td', { class: 'num' }, lapseRisk(row)),
    h('td', {}, consentText(row)));
}

async function followUpsPanel() {
  let items;
  try {
    items = (await get('/portal/api/follow-ups?overdue=1&limit=200')).follow_ups;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw error;
    return h('section', { class: 'panel follow-ups' },
      h('p', { class: 'error', role: 'alert' }, `Follow-ups could not be loaded: ${error.message}`));
  }
  if (items.length === 0) return null;
  return h('section', { class: 'panel follow-ups', id: 'overdue-follow-ups',
    'aria-label': 'Overdue follow-ups' },
  h('div', { class: 'panel-head' },
    h('h2', {}, `Overdue follow-ups (${items.length})`),
    h('a', { class: 'button-link secondary', id: 'follow-ups-csv', download: 'follow-ups.csv',
      href: '/portal/api/follow-ups?overdue=1&limit=200&format=csv' }, 'Download CSV')),
  h('ul', {}, items.map((item) => h('li', { class: 'overdue' },
    h('a', { href: `#/customers/${item.customer_id}` }, `Customer #${item.customer_id}`),
    ` · ${item.kind} · follow up by ${dueDate(item.follow_up_due_at)} · `,
    h('span', { class: 'contact-text' }, item.text)))));
}

// A new card handed out at the desk, with its holder's details. A store manager's new
// customer joins their list after a first purchase in one of their stores.
function registerPanel(user) {
  const notice = h('p', { class: 'notice', id: 'register-notice', role: 'status', hidden: true });
  const form = h('form', { class: 'edit-form', id: 'register-form', hidden: true },
    labelled('Card number', h('input', { name: 'card_number', type: 'text', inputmode: 'numeric',
      maxlength: 13, placeholder: '13 digits', required: true })),
    detailsFields(null),
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', id: 'register-save' }, 'Register'),
      h('button', { type: 'button', class: 'secondary',
        onclick: () => { form.hidden = true; } }, 'Cancel')));
  onSubmit(form, () => request('POST', '/portal/api/customers', {
    card_number: form.elements.card_number.value.trim(),
    details: detailsBody(form),
  }), (answer) => {
    if (user.role === 'store_manager') {
      form.reset();
      form.hidden = true;
      notice.textContent = `Customer #${answer.customer_id} is registered. They show in your `
        + 'list after their first purchase in one of your stores.';
      notice.hidden = false;
    } else {
      location.hash = `#/customers/${answer.customer_id}`;
    }
  });
  const open = h('button', { type: 'button', class: 'secondary', id: 'register-open',
    onclick: () => { form.hidden = false; notice.hidden = true; form.elements.card_number.focus(); } },
  'Register a new card');
  return h('section', { class: 'register', 'aria-label': 'Register a new card' },
    open, notice, form);
}

// `currency` is the chain's, from the session: every money figure of the API is in it.
async function renderList(container, user, currency) {
  const current = startRender(container);
  const rerender = () => renderList(container, user, currency);
  const query = listQuery(currency);
  const page = state.cursors.length;
  const cursor = state.cursors[page - 1];
  const pageQuery = new URLSearchParams(query);
  if (cursor) pageQuery.set('cursor', cursor);
  const csvQuery = new URLSearchParams(query);
  csvQuery.set('format', 'csv');

  let result = null;
  let failure = null;
  try {
    result = await get(`/portal/api/customers?${pageQuery}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw error;
    failure = error.field ? `${error.message} (${error.field})` : error.message;
  }

  const total = result
    ? `${result.total_capped ? 'more than ' : ''}${count(result.total)} customer${result.total === 1 ? '' : 's'}`
      + (state.sort === 'lapse_risk' || state.filters.risk
        ? ' scored by the nightly run' : '')
    : '';
  const table = result && result.customers.length > 0
    ? h('table', { class: 'data', id: 'customers-table' },
      h('thead', {}, h('tr', {}, columns.map((column) => header(column, rerender)))),
      h('tbody', {}, result.customers.map((row) => customerRow(row, currency))))
    : null;
  const empty = result && result.customers.length === 0
    ? h('p', { class: 'empty', id: 'customers-empty' },
      'No customer matches. Try fewer filters or another spelling.')
    : null;
  const pager = h('div', { class: 'pager' },
    h('button', { type: 'button', class: 'secondary', id: 'previous-page', disabled: page === 1,
      onclick: () => { state.cursors.pop(); rerender(); } }, 'Previous'),
    h('span', { class: 'muted' }, `Page ${page}`),
    h('button', { type: 'button', class: 'secondary', id: 'next-page',
      disabled: !result || !result.next_cursor,
      onclick: () => { state.cursors.push(result.next_cursor); rerender(); } }, 'Next'));

  const parts = [
    h('div', { class: 'page-head' },
      h('h1', {}, 'Customers'),
      h('p', { class: 'subtitle', id: 'customers-total' }, total),
      h('a', { class: 'button-link secondary', id: 'customers-csv', download: 'customers.csv',
        href: `/portal/api/customers?${csvQuery}` }, 'Download CSV')),
    await followUpsPanel(),
    user.role === 'analyst' ? null : registerPanel(user),
    filterForm(user, rerender),
    failure ? h('p', { class: 'error', role: 'alert', id: 'customers-error' }, failure) : null,
    table, empty, result ? pager : null];
  if (!current()) return;
  container.replaceChildren(...parts.filter(Boolean));
}

export default async function render(container, context) {
  const [id] = context.rest;
  if (id !== undefined) {
    const page = await import('./page-customer.js');
    return page.default(container, context, id);
  }
  return renderList(container, context.user, context.currency);
}
