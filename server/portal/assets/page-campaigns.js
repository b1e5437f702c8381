// Campaigns: the list (#/campaigns), the create and edit form (#/campaigns?new,
// #/campaigns?edit=ID; admins only) and a campaign's results (#/campaigns?id=ID): tiles
// with the uplift against the held-out customers and its 95% interval, and charts.
// Every role reads; only admins see the controls that change something, as the API
// allows only them.
import { ApiError, get, request } from './api.js';
import { comparisonChart } from './campaign-charts.js';
import { dayChart } from './charts.js';
import { h, sortArrow, startRender } from './dom.js';
import { count, money, moneyValue, percent } from './format.js';

const kinds = {
  next_visit: 'Next visit',
  win_back: 'Win back',
  birthday: 'Birthday',
  anniversary: 'Anniversary',
  category_push: 'Category push',
  new_product_trial: 'New product trial',
};
const discountTypes = {
  percent_off: 'Percent off',
  amount_off: 'Amount off',
  buy_x_get_y: 'Buy X get Y (percent off the Y)',
  free_item: 'Free item',
};
const segments = {
  champions: 'Champions',
  loyal: 'Loyal',
  potential_loyalists: 'Potential loyalists',
  new: 'New',
  at_risk: 'At risk',
  cant_lose: "Can't lose",
  hibernating: 'Hibernating',
  lost: 'Lost',
};
const statusNames = { scheduled: 'Scheduled', running: 'Running', paused: 'Paused', ended: 'Ended' };

const listState = { sort: 'starts_at', descending: true };

function hashQuery() {
  const hash = location.hash;
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

// A campaign's period is days of the viewer's calendar: the form stores the start of the
// first day and the start of the day after the last, in the viewer's zone, as UTC
// instants. A period that does not fall on those midnights (made at the command line, or
// in another zone) shows its times with the zone, so nobody reads the wrong day.
const isLocalMidnight = (date) => date.getHours() === 0 && date.getMinutes() === 0
  && date.getSeconds() === 0 && date.getMilliseconds() === 0;
const localDay = (date) => date.toLocaleDateString(undefined, { dateStyle: 'medium' });
const localDayTime = (date) => date.toLocaleString(undefined,
  { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit',
    timeZoneName: 'short' });

function periodText(startsAt, endsAt) {
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  if (isLocalMidnight(start) && isLocalMidnight(end)) {
    return `${localDay(start)} – ${localDay(new Date(end.getTime() - 1))}`;
  }
  return `${localDayTime(start)} – ${localDayTime(end)}`;
}

// The viewer's zone's name ("America/New_York"), for the form's hint.
const zoneName = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'your time zone';

const digitsOf = (currency) => (currency
  ? new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits
  : 0);

// "+$3.10", "−$0.40": an uplift reads with its sign, and a true minus.
function signedMoney(minor, currency) {
  if (!currency) return String(Math.round(minor));
  const text = new Intl.NumberFormat(undefined, { style: 'currency', currency,
    signDisplay: 'exceptZero' }).format(moneyValue(minor, currency));
  return text.replace('-', '−');
}

async function setPaused(campaign, paused) {
  await request('POST', `/portal/api/campaigns/${encodeURIComponent(campaign.id)}/${
    paused ? 'pause' : 'resume'}`);
}

function pauseButton(campaign, after) {
  const paused = campaign.paused;
  return h('button', {
    type: 'button',
    class: 'secondary pause-toggle',
    'data-campaign': campaign.id,
    onclick: async (event) => {
      event.target.disabled = true;
      try {
        await setPaused(campaign, !paused);
        await after();
      } catch (error) {
        event.target.disabled = false;
        event.target.after(h('span', { class: 'error', role: 'alert' }, ` ${error.message}`));
      }
    },
  }, paused ? 'Resume' : 'Pause');
}

// ---- the list ----

const columns = [
  { key: 'name', label: 'Name', value: (c) => c.name.toLowerCase() },
  { key: 'kind', label: 'Kind', value: (c) => kinds[c.kind] || c.kind },
  { key: 'status', label: 'Status', value: (c) => c.status },
  { key: 'starts_at', label: 'Period', value: (c) => c.starts_at },
  { key: 'budget', numeric: true, label: 'Budget spent', value: (c) => c.budget_spent.money.spent },
  { key: 'issued', numeric: true, label: 'Issued', value: (c) => c.coupons_issued },
  { key: 'redeemed', numeric: true, label: 'Redeemed', value: (c) => c.coupons_redeemed },
];

function sortedCampaigns(campaigns) {
  const column = columns.find((c) => c.key === listState.sort) || columns[3];
  const direction = listState.descending ? -1 : 1;
  return [...campaigns].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    return (x < y ? -1 : x > y ? 1 : 0) * direction;
  });
}

async function renderList(container, user) {
  const rerender = () => renderList(container, user);
  const current = startRender(container);
  const { campaigns, currency } = await get('/portal/api/campaigns');
  const admin = user.role === 'admin';
  const header = h('tr', {}, columns.map((column) => {
    const active = listState.sort === column.key;
    const direction = active ? (listState.descending ? 'descending' : 'ascending') : 'none';
    return h('th', {
      scope: 'col',
      class: column.numeric ? 'number' : null,
      'aria-sort': direction,
    }, h('button', {
      type: 'button',
      class: 'sort',
      'data-sort': column.key,
      onclick: () => {
        listState.descending = listState.sort === column.key
          ? !listState.descending : column.key !== 'name';
        listState.sort = column.key;
        rerender();
      },
    }, column.label, sortArrow(direction)));
  }), admin ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')) : null);

  const rows = sortedCampaigns(campaigns).map((c) => {
    const budget = c.budget_spent;
    return h('tr', { 'data-campaign': c.id },
      h('td', {}, h('a', { href: `#/campaigns?id=${encodeURIComponent(c.id)}` }, c.name)),
      h('td', {}, kinds[c.kind] || c.kind),
      h('td', {}, h('span', { class: `status status-${c.status}` }, statusNames[c.status])),
      h('td', { class: 'period' }, periodText(c.starts_at, c.ends_at)),
      h('td', { class: 'number' }, `${money(budget.money.spent, currency)} of ${
        money(budget.money.total, currency)}`,
      budget.coupons.total !== null
        ? h('div', { class: 'cell-detail' },
          `${count(budget.coupons.spent)} of ${count(budget.coupons.total)} coupons`)
        : null),
      h('td', { class: 'number' }, count(c.coupons_issued)),
      h('td', { class: 'number' }, count(c.coupons_redeemed)),
      admin ? h('td', { class: 'actions' },
        h('a', { class: 'button-link', href: `#/campaigns?edit=${encodeURIComponent(c.id)}` }, 'Edit'),
        c.status === 'ended' ? null : pauseButton(c, rerender)) : null);
  });

  if (!current()) return;
  container.replaceChildren(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Campaigns'),
      h('p', { class: 'subtitle' }, 'Chain-wide; budgets and coupons from the nightly runs'),
      h('div', { class: 'controls' },
        h('a', { class: 'csv-link', href: '/portal/api/campaigns?format=csv', download: 'campaigns.csv' },
          'Download CSV'),
        admin ? h('a', { class: 'button-link primary', id: 'new-campaign', href: '#/campaigns?new' },
          'New campaign') : null)),
    campaigns.length === 0
      ? h('p', { class: 'empty' }, admin ? 'No campaigns yet. Create one with “New campaign”.'
        : 'No campaigns yet.')
      : h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'campaigns' },
        h('thead', {}, header), h('tbody', {}, rows))));
}

// ---- the form ----

// A date input's value ("2027-01-05"): the viewer's calendar day `date` falls in.
function dateInputValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// The UTC instant ("2027-01-05T05:00:00Z") of the start of a date input's day, `days`
// later, in the viewer's zone; the text as typed when it is no date, so the API names
// the field.
function localDayStart(text, days = 0) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return text;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days);
  return date.toISOString().replace('.000Z', 'Z');
}

function field(name, label, input, hint) {
  input.id = `f-${name}`;
  input.name = name;
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: input.id }, label),
    input,
    hint ? h('div', { class: 'field-hint' }, hint) : null,
    h('div', { class: 'field-error', id: `err-${name}`, role: 'alert' }));
}

function select(options, value, extra = {}) {
  return h('select', extra, Object.entries(options).map(([key, label]) =>
    h('option', { value: key, selected: key === value }, label)));
}

// The API's field ("targets[1].target", "budget") to the form's field it belongs to.
function formFieldOf(apiField) {
  const base = (apiField || '').split(/[.[]/)[0];
  return { targets: 'products', control_basis_points: 'control_percent' }[base] || base;
}

function depthIsMoney(type) {
  return type === 'amount_off';
}

// The quantity fields each discount type needs (the API refuses them on the others).
const quantityFields = {
  percent_off: [],
  amount_off: [],
  buy_x_get_y: ['buy_quantity', 'get_quantity'],
  free_item: ['get_quantity'],
};

function readForm(form, currency, existing) {
  const value = (name) => form.elements[name].value.trim();
  const toMinor = (text) => (text === '' ? NaN : Math.round(Number(text) * 10 ** digitsOf(currency)));
  const whole = (text) => (text === '' ? NaN : Number(text));
  const list = (text) => text.split(/[,\n]/).map((item) => item.trim()).filter(Boolean);
  const type = value('discount_type');
  const depth = (text) => (depthIsMoney(type) ? toMinor(text) : whole(text));
  // Days left as they were keep the stored instants, even ones not at a local midnight.
  const unchanged = (name) => existing && form.elements[name].value
    === form.elements[name].defaultValue;
  const control = Number(value('control_percent'));
  return {
    id: value('id'),
    name: value('name'),
    kind: value('kind'),
    starts_at: unchanged('starts_at') ? existing.starts_at : localDayStart(value('starts_at')),
    ends_at: unchanged('ends_at') ? existing.ends_at : localDayStart(value('ends_at'), 1),
    targets: [
      ...list(value('products')).map((sku) => ({ target: 'product', value: sku })),
      ...list(value('categories')).map((name) => ({ target: 'category', value: name })),
    ],
    target_segment: value('target_segment') || null,
    discount_type: type,
    min_depth: depth(value('min_depth')),
    max_depth: depth(value('max_depth')),
    max_discount: value('max_discount') === '' ? 0 : toMinor(value('max_discount')),
    min_spend: value('min_spend') === '' ? 0 : toMinor(value('min_spend')),
    buy_quantity: quantityFields[type]?.includes('buy_quantity') ? whole(value('buy_quantity')) : 0,
    get_quantity: quantityFields[type]?.includes('get_quantity') ? whole(value('get_quantity')) : 0,
    budget: toMinor(value('budget')),
    budget_coupons: value('budget_coupons') === '' ? 0 : whole(value('budget_coupons')),
    per_customer_cap: whole(value('per_customer_cap')),
    validity_days: whole(value('validity_days')),
    control_basis_points: value('control_percent') === '' ? NaN : Math.round(control * 100),
    paused: existing ? existing.paused : false,
  };
}

// NaN is no number to JSON: send null, so the API names the field that is missing.
const withNulls = (body) => JSON.parse(JSON.stringify(body, (key, v) =>
  (typeof v === 'number' && Number.isNaN(v) ? null : v)));

async function renderForm(container, user, editId) {
  if (user.role !== 'admin') {
    container.replaceChildren(h('p', { class: 'error', role: 'alert' },
      'Only an admin may create or change campaigns.'));
    return;
  }
  const current = startRender(container);
  const [{ currency }, existing] = await Promise.all([
    get('/portal/api/campaigns?running=true'),
    editId ? get(`/portal/api/campaigns/${encodeURIComponent(editId)}`).then((a) => a.campaign)
      : Promise.resolve(null),
  ]);
  const c = existing || {
    id: '', name: '', kind: 'next_visit', targets: [], target_segment: null,
    discount_type: 'percent_off', min_depth: 5, max_depth: 25, max_discount: 0, min_spend: 0,
    buy_quantity: 0, get_quantity: 0,
    budget: null, budget_coupons: 0, per_customer_cap: 1, validity_days: 14,
    control_basis_points: 1000,
  };
  const major = (minor) => (minor === null || minor === undefined ? ''
    : String(minor / 10 ** digitsOf(currency)));
  const depthText = (minor) => (depthIsMoney(c.discount_type) ? major(minor) : String(minor));
  // New: from tomorrow for a month. The last day is the one before the end's instant.
  const now = new Date();
  const start = dateInputValue(existing ? new Date(c.starts_at)
    : new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1));
  const end = dateInputValue(existing ? new Date(Date.parse(c.ends_at) - 1)
    : new Date(now.getFullYear(), now.getMonth() + 1, now.getDate()));
  const targetsOf = (type) => c.targets.filter((t) => t.target === type).map((t) => t.value).join(', ');

  // What each discount type gives and which fields it needs, said where they are filled.
  const depthHint = h('div', { class: 'field-hint', id: 'depth-hint' });
  const spendHint = h('div', { class: 'field-hint', id: 'spend-hint' });
  const quantityText = (n) => (n ? String(n) : '');
  const quantities = {
    buy_quantity: field('buy_quantity', 'Items to buy',
      h('input', { inputmode: 'numeric', value: quantityText(c.buy_quantity) })),
    get_quantity: field('get_quantity', 'Items to get',
      h('input', { inputmode: 'numeric', value: quantityText(c.get_quantity) })),
  };
  const showTypeFields = (type) => {
    depthHint.textContent = {
      percent_off: 'Percent off the product; the targeting picks a depth between the two',
      amount_off: `An amount off the product, in ${currency}; the targeting picks one between the two`,
      buy_x_get_y: 'Buy the items to buy and get the items to get at the depth percent off '
        + '(100: free); needs both numbers of items',
      free_item: 'Gives the items to get of the products above free: name products, not '
        + 'categories, and a minimum spend; depth 0 and 0',
    }[type] || '';
    spendHint.textContent = type === 'free_item'
      ? 'Required: the basket spend that earns the free item'
      : 'Spend on the discounted products a coupon needs; empty: none';
    for (const [name, wrap] of Object.entries(quantities)) {
      wrap.hidden = !(quantityFields[type] || []).includes(name);
    }
  };
  showTypeFields(c.discount_type);
  const formError = h('p', { class: 'error form-error', id: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', id: 'save-campaign' },
    existing ? 'Save changes' : 'Create campaign');

  const form = h('form', { class: 'campaign-form', id: 'campaign-form', novalidate: true },
    h('fieldset', {}, h('legend', {}, 'Campaign'),
      field('id', 'Id', h('input', { value: c.id, readonly: Boolean(existing), autocomplete: 'off' }),
        'Lower-case letters, digits and dashes, e.g. winback-2027-01; cannot change later'),
      field('name', 'Name', h('input', { value: c.name })),
      field('kind', 'Kind', select(kinds, c.kind)),
      field('target_segment', 'Target segment',
        select({ '': 'Every customer', ...segments }, c.target_segment || '')),
      h('div', { class: 'field-pair' },
        field('starts_at', 'First day', h('input', { type: 'date', value: start })),
        field('ends_at', 'Last day', h('input', { type: 'date', value: end }))),
      h('div', { class: 'field-hint', id: 'period-hint' },
        `Whole days in your time zone (${zoneName()}): from the start of the first day to the `
        + 'end of the last')),
    h('fieldset', {}, h('legend', {}, 'Offer'),
      field('products', 'Products (SKUs)', h('input', { value: targetsOf('product') }),
        'Comma-separated; empty with no categories: any couponable product'),
      field('categories', 'Categories', h('input', { value: targetsOf('category') }),
        'Comma-separated, e.g. COFFEE, TEA'),
      field('discount_type', 'Discount', select(discountTypes, c.discount_type,
        { onchange: (event) => showTypeFields(event.target.value) })),
      h('div', { class: 'field-pair' },
        field('min_depth', 'Depth from', h('input', { inputmode: 'decimal', value: depthText(c.min_depth) })),
        field('max_depth', 'Depth to', h('input', { inputmode: 'decimal', value: depthText(c.max_depth) }))),
      depthHint,
      h('div', { class: 'field-pair' }, quantities.buy_quantity, quantities.get_quantity),
      field('max_discount', `Largest discount per coupon (${currency})`,
        h('input', { inputmode: 'decimal', value: c.max_discount ? major(c.max_discount) : '' }),
        'Empty: no cap'),
      field('min_spend', `Minimum spend (${currency})`,
        h('input', { inputmode: 'decimal', value: c.min_spend ? major(c.min_spend) : '' })),
      spendHint),
    h('fieldset', {}, h('legend', {}, 'Limits'),
      field('budget', `Budget (${currency})`, h('input', { inputmode: 'decimal', value: major(c.budget) }),
        'The discount the campaign may give away, as the batch expects it'),
      field('budget_coupons', 'Coupon budget',
        h('input', { inputmode: 'numeric', value: c.budget_coupons ? String(c.budget_coupons) : '' }),
        'Coupons it may issue; empty: no count limit'),
      field('per_customer_cap', 'Coupons per customer',
        h('input', { inputmode: 'numeric', value: String(c.per_customer_cap) })),
      field('validity_days', 'Coupon valid for (days)',
        h('input', { inputmode: 'numeric', value: String(c.validity_days) })),
      field('control_percent', 'Held out as control (%)',
        h('input', { inputmode: 'decimal', value: String(c.control_basis_points / 100) }),
        'Eligible customers who get nothing, to measure the uplift against; below 50')),
    formError,
    h('div', { class: 'form-actions' }, submit,
      h('a', { class: 'button-link', href: existing ? `#/campaigns?id=${encodeURIComponent(c.id)}`
        : '#/campaigns' }, 'Cancel')));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
    for (const wrap of form.querySelectorAll('.field.invalid')) wrap.classList.remove('invalid');
    formError.textContent = '';
    submit.disabled = true;
    try {
      const body = withNulls(readForm(form, currency, existing));
      const answer = existing
        ? await request('PUT', `/portal/api/campaigns/${encodeURIComponent(c.id)}`, body)
        : await request('POST', '/portal/api/campaigns', body);
      location.hash = `#/campaigns?id=${encodeURIComponent(answer.campaign.id)}`;
    } catch (error) {
      submit.disabled = false;
      if (!(error instanceof ApiError)) throw error;
      const name = formFieldOf(error.field);
      const slot = name && form.querySelector(`#err-${name}`);
      if (slot) {
        // The API counts the control share in basis points; the form asks for percent.
        slot.textContent = name === 'control_percent' && error.field === 'control_basis_points'
          ? 'must be from 0 to 49.99%' : error.message;
        slot.closest('.field').classList.add('invalid');
        form.elements[name].focus();
      } else {
        formError.textContent = error.message;
      }
    }
  });

  if (!current()) return;
  container.replaceChildren(
    h('div', { class: 'page-head' },
      h('h1', {}, existing ? `Edit ${c.name}` : 'New campaign'),
      h('p', { class: 'subtitle' }, existing ? c.id : 'Offers the nightly batch will issue')),
    form);
}

// ---- results ----

function tile(id, label, value, detail) {
  return h('div', { class: 'tile', id },
    h('div', { class: 'tile-label' }, label),
    h('div', { class: 'tile-value' }, value),
    detail ? h('div', { class: 'tile-detail' }, detail) : null);
}

// "+$3.10 per customer (95%: −$0.40 to +$6.60)", or that there is too little to tell.
function upliftTile(id, label, uplift, currency) {
  if (!uplift.ci95) {
    return tile(id, label, 'not enough data yet',
      'needs at least two customers treated and two held out');
  }
  const [low, high] = uplift.ci95;
  const sure = low > 0 ? 'the campaign raised it' : high < 0 ? 'the campaign lowered it'
    : 'no clear effect yet';
  const shown = tile(id, label, `${signedMoney(uplift.uplift_per_customer, currency)} per customer`,
    `(95%: ${signedMoney(low, currency)} to ${signedMoney(high, currency)}) · ${sure}`);
  shown.querySelector('.tile-value').classList.add('uplift');
  return shown;
}

async function renderResults(container, user, id) {
  const rerender = () => renderResults(container, user, id);
  const current = startRender(container);
  const results = await get(`/portal/api/campaigns/${encodeURIComponent(id)}/results`);
  const { campaign, report, budget, currency } = results;
  const admin = user.role === 'admin';
  const status = campaign.paused ? 'paused' : campaign.running ? 'running'
    : new Date(campaign.starts_at) > new Date() ? 'scheduled' : 'ended';
  const moneyAxis = (v) => new Intl.NumberFormat(undefined,
    { notation: 'compact', maximumFractionDigits: 2 }).format(v);

  const charts = [];
  if (results.per_day.length > 0) {
    charts.push(dayChart('Coupons per day (UTC)', results.per_day, [
      { label: 'Redeemed', value: (d) => d.redeemed, bars: true },
      { label: 'Issued', value: (d) => d.issued },
    ], count, true));
  }
  if (report.treated_customers + report.control_customers > 0) {
    const sales = report.sales;
    charts.push(comparisonChart(`Sales per customer (${currency}), treated vs held out`, [
      { label: `Treated (${count(report.treated_customers)})`, value: moneyValue(sales.treated_mean, currency) },
      { label: `Held out (${count(report.control_customers)})`, value: moneyValue(sales.control_mean, currency) },
    ], sales.ci95 ? sales.ci95.map((v) => moneyValue(sales.control_mean + v, currency)) : null,
    moneyAxis));
  }

  const couponBudget = budget.coupons.total === null
    ? `${count(budget.coupons.spent)} coupons, no count limit`
    : `${count(budget.coupons.spent)} of ${count(budget.coupons.total)} coupons, ${
      count(budget.coupons.remaining)} left`;
  if (!current()) return;
  container.replaceChildren(
    h('div', { class: 'page-head' },
      h('a', { class: 'back', href: '#/campaigns' }, '‹ Campaigns'),
      h('h1', {}, campaign.name),
      h('p', { class: 'subtitle' },
        h('span', { class: `status status-${status}`, id: 'campaign-status' }, statusNames[status]),
        ` ${kinds[campaign.kind] || campaign.kind} · ${
          periodText(campaign.starts_at, campaign.ends_at)} · ${campaign.target_segment
          ? `segment ${segments[campaign.target_segment]}` : 'every customer'} · ${
          percent(campaign.control_basis_points, 10000)} held out`),
      admin ? h('div', { class: 'controls' },
        h('a', { class: 'button-link', href: `#/campaigns?edit=${encodeURIComponent(campaign.id)}` },
          'Edit'),
        status === 'ended' ? null : pauseButton(campaign, rerender)) : null),
    h('section', { class: 'tiles', 'aria-label': 'Results' },
      tile('tile-issued', 'Coupons issued', count(report.issued),
        `${count(report.treated_customers)} customers treated, ${
          count(report.control_customers)} held out`),
      tile('tile-redeemed', 'Coupons redeemed', count(report.redeemed),
        `${money(results.discount_given, currency)} discount given`),
      tile('tile-rate', 'Redemption rate', report.issued ? percent(report.redeemed, report.issued) : '–',
        'of the coupons issued'),
      upliftTile('tile-sales-uplift', 'Uplift in sales', report.sales, currency),
      upliftTile('tile-margin-uplift', 'Uplift in margin', report.margin, currency)),
    h('p', { class: 'budget-line', id: 'budget' },
      `Budget: ${money(budget.money.spent, currency)} of ${money(budget.money.total, currency)} spent, ${
        money(budget.money.remaining, currency)} left · ${couponBudget}.`),
    charts.length > 0
      ? h('section', { class: 'charts campaign-charts', 'aria-label': 'Charts' }, charts)
      : h('p', { class: 'empty' }, 'No coupons yet: the nightly batch issues them while the campaign runs.'),
    h('p', { class: 'notes' },
      `Uplift: what a treated customer bought over the coupon's life, minus what a held-out one did; margin assumes ${
        percent(report.margin_rate, 1)} of the full price, less the discounts. `,
      h('a', { class: 'csv-link', href: `/portal/api/campaigns/${encodeURIComponent(campaign.id)}/results?format=csv`,
        download: `campaign-${campaign.id}-days.csv` }, 'Download CSV of the days')));
}

export default async function render(container, { user }) {
  const query = hashQuery();
  if (query.has('id')) return renderResults(container, user, query.get('id'));
  if (query.has('edit')) return renderForm(container, user, query.get('edit'));
  if (query.has('new')) return renderForm(container, user, null);
  return renderList(container, user);
}
