// Dashboard: sales, the share sold with a loyalty card, active customers and coupons for
// today or the last 7 or 30 days, with a chart of each per day.
import { get } from './api.js';
import { dayChart } from './charts.js';
import { h, startRender } from './dom.js';
import { count, money, moneyValue, percent } from './format.js';
import { periodLabel, periodSwitch, utcOffsetMinutes } from './period.js';
import { csvLink, csvMoney, csvOfRows } from './table.js';

const state = { days: 7, store: '' };

function tile(id, label, value, detail) {
  return h('div', { class: 'tile', id },
    h('div', { class: 'tile-label' }, label),
    h('div', { class: 'tile-value' }, value),
    detail ? h('div', { class: 'tile-detail' }, detail) : null);
}

// The figures of each day, for a spreadsheet: money in the currency's units, as the
// charts show it.
function perDayCsv(days, currency) {
  const amount = (minor) => csvMoney(minor, currency);
  return csvOfRows([
    ['date', 'currency', 'sales', 'card_sales', 'purchases', 'active_customers', 'coupons_issued',
      'coupons_redeemed'],
    ...days.map((d) => [d.date, currency, amount(d.sales), amount(d.card_sales), d.purchases,
      d.active_customers, d.coupons_issued, d.coupons_redeemed]),
  ]);
}

function controls(user, rerender) {
  const bar = h('div', { class: 'controls' },
    periodSwitch(state.days, (days) => { state.days = days; rerender(); }));
  if (user.stores.length > 1 || (user.role !== 'store_manager' && user.stores.length > 0)) {
    const everything = user.role === 'store_manager' ? 'All my stores' : 'Whole chain';
    const select = h('select', { id: 'store', 'aria-label': 'Store',
      onchange: (event) => { state.store = event.target.value; rerender(); } },
    h('option', { value: '' }, everything),
    user.stores.map((id) => h('option', { value: id, selected: id === state.store }, id)));
    bar.append(select);
  }
  return bar;
}

export default async function render(container, { user }) {
  const current = startRender(container);
  const rerender = () => render(container, { user });
  const query = new URLSearchParams({
    days: String(state.days),
    utc_offset_minutes: utcOffsetMinutes(),
  });
  if (state.store) query.set('store', state.store);
  const data = await get(`/portal/api/dashboard?${query}`);
  const { total, per_day: days, currency } = data;

  const scope = data.stores.length === 0 ? 'the whole chain'
    : data.stores.length === 1 ? `store ${data.stores[0]}` : `stores ${data.stores.join(', ')}`;
  const moneyAxis = (v) => new Intl.NumberFormat(undefined,
    { notation: 'compact', maximumFractionDigits: 1 }).format(v);
  const moneyLegend = (v) => new Intl.NumberFormat(undefined, { style: 'currency', currency })
    .format(v);

  if (!current()) return;
  container.replaceChildren(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Dashboard'),
      h('p', { class: 'subtitle' }, `${periodLabel(data.days)} · ${scope}`),
      controls(user, rerender)),
    h('section', { class: 'tiles', 'aria-label': 'Figures' },
      tile('tile-sales', 'Sales', money(total.sales, currency),
        `${count(total.purchases)} purchases`),
      tile('tile-card-share', 'Sold with a card', percent(total.card_sales, total.sales),
        money(total.card_sales, currency)),
      tile('tile-active', 'Active customers', count(total.active_customers),
        'bought at least once'),
      tile('tile-issued', 'Coupons issued', count(total.coupons_issued)),
      tile('tile-redeemed', 'Coupons redeemed', count(total.coupons_redeemed),
        total.coupons_issued ? `${percent(total.coupons_redeemed, total.coupons_issued)} of issued`
          : null)),
    h('div', { class: 'per-day-head' },
      h('h2', {}, 'Per day'),
      csvLink('dashboard-csv', `dashboard-${days[0].date}-${data.days}-days.csv`,
        () => perDayCsv(days, currency))),
    h('section', { class: 'charts', 'aria-label': 'Per day' },
      dayChart(`Sales per day (${currency})`, days, [
        { label: 'Sales', value: (d) => moneyValue(d.sales, currency), bars: true,
          total: moneyValue(total.sales, currency), format: moneyLegend },
        { label: 'With a card', value: (d) => moneyValue(d.card_sales, currency),
          total: moneyValue(total.card_sales, currency), format: moneyLegend },
      ], moneyAxis),
      dayChart('Active customers per day', days, [
        { label: 'Customers', value: (d) => d.active_customers, bars: true,
          total: total.active_customers },
      ], count, true),
      dayChart('Coupons per day', days, [
        { label: 'Issued', value: (d) => d.coupons_issued, total: total.coupons_issued },
        { label: 'Redeemed', value: (d) => d.coupons_redeemed, total: total.coupons_redeemed },
      ], count, true)));
}
