// Performance: each store's sales, purchases, mean basket, card share and coupons for
// today or the last 7 or 30 days, ranked, with a bar chart of sales per store; and each
// cashier within their store, filterable by store. Both tables download as CSV.
import { get } from './api.js';
import { barChart } from './charts.js';
import { h, startRender } from './dom.js';
import { count, money, moneyValue, percent } from './format.js';
import { periodLabel, periodSwitch, utcOffsetMinutes } from './period.js';

const state = { days: 7, sort: 'sales', store: '' };

// The figures the API ranks by, as its `sort` names them.
const sortable = new Set(['sales', 'purchases', 'mean_basket', 'card_share', 'coupons_redeemed']);

function apiQuery(extra = {}) {
  const query = new URLSearchParams({
    days: String(state.days),
    utc_offset_minutes: utcOffsetMinutes(),
    sort: state.sort,
    ...extra,
  });
  return `/portal/api/performance?${query}`;
}

// A column: its heading, the API's sort key when it ranks by it, the cell's class and text.
function column(title, key, text) {
  return { title, key, text };
}

function columns(currency) {
  return {
    figures: [
      column('Sales', 'sales', (r) => money(r.sales, currency)),
      column('Purchases', 'purchases', (r) => count(r.purchases)),
      column('Mean basket', 'mean_basket', (r) => money(r.mean_basket, currency)),
      column('Card shown', 'card_share', (r) => percent(r.card_purchases, r.purchases)),
      column('Sold with a card', 'card_sales_share', (r) => percent(r.card_sales, r.sales)),
      column('Coupons redeemed', 'coupons_redeemed', (r) => count(r.coupons_redeemed)),
      column('Discount given', 'discount', (r) => money(r.discount, currency)),
    ],
    returns: [
      column('Returns', 'returns', (r) => count(r.returns)),
      column('Refunded', 'refunds', (r) => money(r.refunds, currency)),
    ],
  };
}

function header(cells, rerender) {
  return h('thead', {}, h('tr', {}, cells.map((cell) => {
    if (!sortable.has(cell.key)) return h('th', { scope: 'col', class: cell.key }, cell.title);
    const active = state.sort === cell.key;
    return h('th', { scope: 'col', class: cell.key, 'aria-sort': active ? 'descending' : 'none' },
      h('button', {
        type: 'button',
        class: active ? 'sort active' : 'sort',
        'data-sort': cell.key,
        title: `Rank by ${cell.title.toLowerCase()}, highest first`,
        onclick: () => { state.sort = cell.key; rerender(); },
      }, active ? `${cell.title} ▼` : cell.title));
  })));
}

function table(id, cells, rows, rowAttributes, rerender) {
  return h('table', { class: 'data-table', id },
    header(cells, rerender),
    h('tbody', {}, rows.map((row) => h('tr', rowAttributes(row),
      cells.map((cell) => h('td', { class: cell.key }, cell.text(row)))))));
}

function csvLink(table, extra = {}) {
  return h('a', {
    class: 'csv-link',
    id: `csv-${table}`,
    href: apiQuery({ format: 'csv', table, ...extra }),
    download: `performance-${table}.csv`,
  }, 'Download CSV');
}

function storeName(store) {
  return store.name ? `${store.name} (${store.store_id})` : store.store_id;
}

function section(title, tools, ...content) {
  return h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', {}, title), tools),
    ...content);
}

export default async function render(container, { user }) {
  const current = startRender(container);
  const rerender = () => render(container, { user });
  const data = await get(apiQuery());
  const { currency } = data;
  const { figures, returns } = columns(currency);
  if (state.store && !data.stores.some((s) => s.store_id === state.store)) state.store = '';

  const scope = data.scope.length === 0 ? 'the whole chain'
    : data.scope.length === 1 ? `store ${data.scope[0]}` : `stores ${data.scope.join(', ')}`;
  const since = new Date(data.from).toLocaleDateString();
  const head = h('div', { class: 'page-head' },
    h('h1', {}, 'Performance'),
    h('p', { class: 'subtitle' }, `${periodLabel(data.days)} (since ${since}) · ${scope}`),
    h('div', { class: 'controls' },
      periodSwitch(state.days, (days) => { state.days = days; rerender(); })));

  if (!current()) return;
  if (data.stores.length === 0) {
    container.replaceChildren(head,
      h('p', { class: 'notice empty', id: 'performance-empty' },
        `No sales in ${data.scope.length === 0 ? 'any store' : scope} for this period.`));
    return;
  }

  const storeCells = [column('Rank', 'rank', (r) => String(r.rank)),
    column('Store', 'store', storeName), ...figures, ...returns];
  const stores = table('stores-table', storeCells, data.stores,
    (row) => ({ 'data-store': row.store_id }), rerender);
  const chart = barChart(`Sales per store (${currency})`,
    data.stores.map((s) => s.store_id), data.stores.map((s) => moneyValue(s.sales, currency)),
    (v) => new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 })
      .format(v));

  const names = Object.fromEntries(data.stores.map((s) => [s.store_id, storeName(s)]));
  const filter = h('select', {
    id: 'cashier-store',
    'aria-label': 'Store',
    onchange: (event) => { state.store = event.target.value; rerender(); },
  },
  h('option', { value: '' }, 'Every store'),
  data.stores.map((s) => h('option', { value: s.store_id, selected: s.store_id === state.store },
    names[s.store_id])));
  const cashierRows = data.cashiers.filter((c) => !state.store || c.store_id === state.store);
  const cashierCells = [column('Store', 'store', (r) => names[r.store_id] || r.store_id),
    column('Rank', 'rank', (r) => String(r.rank)),
    column('Cashier', 'cashier', (r) => r.cashier_id ?? 'No cashier signed on'), ...figures];
  const cashiers = table('cashiers-table', cashierCells, cashierRows,
    (row) => ({ 'data-store': row.store_id, 'data-cashier': row.cashier_id ?? '' }), rerender);

  container.replaceChildren(head,
    h('div', { class: 'performance-stores' },
      section('Stores', csvLink('stores'), stores),
      chart),
    section('Cashiers',
      h('div', { class: 'controls' }, filter,
        csvLink('cashiers', state.store ? { store: state.store } : {})),
      h('p', { class: 'notice' },
        'Ranked within each store. Card shown: how often the shopper showed a loyalty card.'),
      cashierRows.length ? cashiers
        : h('p', { class: 'notice empty' }, 'No cashier sold in this store for this period.')));
}
