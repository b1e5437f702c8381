// Acquisition: how customers found us, ranked. Per source: customers who joined in the
// period, what they have paid since, what the source cost over the period, cost per
// customer and revenue per unit of cost; a bar chart of the revenue; and, for admins,
// the sources' names and the costs the marketing team booked.
import { ApiError, get, request } from './api.js';
import { barChart } from './charts.js';
import { h, sortArrow, startRender } from './dom.js';
import { count, minorUnits, money, moneyValue } from './format.js';

const columns = [
  { key: 'display_name', label: 'Source' },
  { key: 'customers', label: 'Customers', sort: 'customers' },
  { key: 'revenue', label: 'Revenue since', sort: 'revenue' },
  { key: 'cost', label: 'Cost', sort: 'cost', costs: true },
  { key: 'cost_per_customer', label: 'Cost per customer', sort: 'cost_per_customer', costs: true },
  { key: 'revenue_per_cost', label: 'Revenue per unit of cost', sort: 'revenue_per_cost',
    costs: true },
];

const state = { from: '', to: '', sort: 'revenue' };

function query(extra = {}) {
  const params = new URLSearchParams({ sort: state.sort, ...extra });
  if (state.from) params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  return params;
}

function cell(row, key, currency) {
  const value = row[key];
  if (value === null || value === undefined) return '–';
  if (key === 'customers') return count(value);
  if (key === 'revenue_per_cost') {
    return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(value);
  }
  if (key === 'display_name') return value;
  return money(value, currency);
}

function periodControls(data, rerender) {
  const from = h('input', { type: 'date', id: 'acquisition-from', value: data.from,
    'aria-label': 'From' });
  const to = h('input', { type: 'date', id: 'acquisition-to', value: data.to, 'aria-label': 'To' });
  const form = h('form', { class: 'controls', id: 'acquisition-period' },
    h('label', { for: 'acquisition-from' }, 'Joined from'), from,
    h('label', { for: 'acquisition-to' }, 'to'), to,
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.from = from.value;
    state.to = to.value;
    rerender();
  });
  return form;
}

function rankingTable(data, rerender) {
  const shown = columns.filter((column) => !column.costs || data.with_costs);
  const head = h('tr', {}, h('th', {}, '#'), shown.map((column) => {
    if (!column.sort) return h('th', {}, column.label);
    const active = state.sort === column.sort;
    return h('th', { 'aria-sort': active ? 'descending' : 'none' },
      h('button', { type: 'button', class: active ? 'sort active' : 'sort',
        'data-sort': column.sort,
        onclick: () => { state.sort = column.sort; rerender(); } },
      column.label, sortArrow(active ? 'descending' : 'none')));
  }));
  const rows = data.sources.map((row, index) => h('tr', { 'data-source': row.source ?? 'unknown' },
    h('td', { class: 'num' }, String(index + 1)),
    shown.map((column) => h('td', { class: column.key === 'display_name' ? null : 'num' },
      cell(row, column.key, data.currency)))));
  return h('table', { class: 'data', id: 'acquisition-table' },
    h('thead', {}, head), h('tbody', {}, rows));
}

function costEditor(sources, currency, rerender) {
  const message = h('p', { class: 'error', id: 'cost-error', role: 'alert', hidden: true });
  const field = (id, label, attributes) => [h('label', { for: id }, label),
    h('input', { id, name: id, ...attributes })];
  const form = h('form', { class: 'cost-form', id: 'cost-form' },
    field('cost-source', 'Source', { required: true, list: 'known-sources', maxlength: 64,
      placeholder: 'flyer' }),
    h('datalist', { id: 'known-sources' }, sources.map((s) => h('option', { value: s.source }))),
    field('cost-name', 'Display name', { maxlength: 100, placeholder: 'Door-to-door flyers' }),
    field('cost-start', 'First day', { type: 'date' }),
    field('cost-end', 'Last day', { type: 'date' }),
    field('cost-amount', `Amount (${currency})`, { inputmode: 'decimal', placeholder: '1500.00' }),
    h('button', { type: 'submit' }, 'Save'),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hidden = true;
    const value = (id) => form.querySelector(`#${id}`).value.trim();
    const source = encodeURIComponent(value('cost-source'));
    try {
      if (!value('cost-name') && !value('cost-amount')) {
        throw new ApiError(400, 'Give a display name, an amount, or both.');
      }
      if (value('cost-name')) {
        await request('PUT', `/portal/api/acquisition/sources/${source}`,
          { display_name: value('cost-name') });
      }
      if (value('cost-amount')) {
        const cost = minorUnits(value('cost-amount'), currency);
        if (Number.isNaN(cost)) throw new ApiError(400, 'The amount is not a number.');
        await request('PUT', `/portal/api/acquisition/sources/${source}/costs`,
          { period_start: value('cost-start'), period_end: value('cost-end'), cost });
      }
      rerender();
    } catch (error) {
      message.textContent = error.field ? `${error.field}: ${error.message}` : error.message;
      message.hidden = false;
    }
  });
  const booked = sources.flatMap((s) => s.costs.map((c) => ({ ...c, name: s.display_name,
    source: s.source })));
  return h('section', { class: 'panel', id: 'costs' },
    h('div', { class: 'panel-head' }, h('h2', {}, 'Sources and costs'),
      h('span', { class: 'muted' }, 'booking the same days again replaces the amount'),
      h('a', { class: 'csv-link', href: '/portal/api/acquisition/sources?format=csv',
        download: '' }, 'Download CSV')),
    booked.length === 0 ? h('p', { class: 'empty' }, 'No costs booked yet.')
      : h('table', { class: 'data', id: 'costs-table' },
        h('thead', {}, h('tr', {}, ['Source', 'Token', 'First day', 'Last day', 'Amount']
          .map((label) => h('th', {}, label)))),
        h('tbody', {}, booked.map((c) => h('tr', {},
          h('td', {}, c.name), h('td', { class: 'mono' }, c.source), h('td', {}, c.period_start),
          h('td', {}, c.period_end), h('td', { class: 'num' }, money(c.cost, currency)))))),
    form);
}

export default async function render(container, { user }) {
  const current = startRender(container);
  const rerender = () => render(container, { user }).catch((error) => {
    container.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
  });
  const data = await get(`/portal/api/acquisition?${query()}`);
  const scope = data.stores.length ? `customers of ${data.stores.join(', ')}` : 'the whole chain';
  const moneyAxis = (v) => new Intl.NumberFormat(undefined,
    { notation: 'compact', maximumFractionDigits: 1 }).format(v);
  const withCustomers = data.sources.filter((row) => row.customers > 0 || row.revenue > 0);
  const parts = [
    h('div', { class: 'page-head' },
      h('h1', {}, 'Acquisition'),
      h('p', { class: 'subtitle', id: 'acquisition-scope' },
        `Customers who joined ${new Date(`${data.from}T00:00:00`).toLocaleDateString()} to `
        + `${new Date(`${data.to}T00:00:00`).toLocaleDateString()} · ${scope}`
        + (data.with_costs ? '' : ' · costs are the chain\'s and not shown here')),
      periodControls(data, rerender)),
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Sources, ranked'),
        h('span', { class: 'muted', id: 'acquisition-total' },
          `${count(data.total.customers)} customers · ${money(data.total.revenue, data.currency)}`
          + (data.total.cost === null ? '' : ` · cost ${money(data.total.cost, data.currency)}`)),
        h('a', { class: 'csv-link', id: 'acquisition-csv',
          href: `/portal/api/acquisition?${query({ format: 'csv' })}`, download: '' },
        'Download CSV')),
      data.sources.length === 0
        ? h('p', { class: 'empty' }, 'No customers joined in this period, and no source has a cost.')
        : rankingTable(data, rerender)),
    withCustomers.length === 0 ? null : h('section', { class: 'charts acquisition-charts' },
      barChart(`Revenue since joining (${data.currency})`, withCustomers.map((r) => r.display_name),
        withCustomers.map((r) => moneyValue(r.revenue, data.currency)), moneyAxis)),
  ];
  if (user.role === 'admin') {
    const { sources } = await get('/portal/api/acquisition/sources');
    parts.push(costEditor(sources, data.currency, rerender));
  }
  if (!current()) return;
  container.replaceChildren(...parts.filter(Boolean));
}
