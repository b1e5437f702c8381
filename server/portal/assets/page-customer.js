// One customer's page (#/customers/{id}): details and consents, cards, profile figures,
// favourites, the nightly run's lapse risk and affinities, coupons, purchases a page at a
// time, the contact log with overdue follow-ups flagged, and for those who may change
// things: edit, card replacement, merge, export and (admins) erase. Analysts read only;
// a store manager asking for another store's customer gets the same answer as for an
// unknown one.
import { ApiError, get, request } from './api.js';
import { h, startRender } from './dom.js';
import { csvCell, csvLinkFor, csvMoney } from './table.js';
import { count, money } from './format.js';
import { detailsBody, detailsFields, labelled, onSubmit } from './customer-form.js';
import {
  dueDate, lapseBands, localDate, localMidnight, localTime, segmentName, utcSeconds,
} from './page-customers.js';

const displayName = (customer) => (customer.erased_at ? `erased customer #${customer.id}`
  : customer.details?.name || `anonymous customer #${customer.id}`);

function section(id, title, ...children) {
  return h('section', { class: 'panel', id, 'aria-label': title }, h('h2', {}, title), children);
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.flatMap(([label, value, id]) => [
    h('dt', {}, label), h('dd', { id }, value ?? '–')]));
}

// `csvName`: the table also downloads as CSV under that name (the purchases table has the
// server's CSV instead, since it pages).
function table(id, headers, rows, emptyText, csvName) {
  if (rows.length === 0) return h('p', { class: 'empty', id: `${id}-empty` }, emptyText);
  const element = h('table', { class: 'data', id },
    h('thead', {}, h('tr', {}, headers.map(([label, numeric]) =>
      h('th', { scope: 'col', class: numeric ? 'num' : null }, label)))),
    h('tbody', {}, rows));
  if (!csvName) return element;
  return h('div', { class: 'table-with-csv' }, csvLinkFor(element, csvName), element);
}

const cell = (value, numeric) => h('td', { class: numeric ? 'num' : null }, value);
const countCell = (n) => csvCell(count(n), String(n));
const moneyCell = (minor, currency) => csvCell(money(minor, currency), csvMoney(minor, currency),
  { currency });

function detailsSection(customer, editable, base, rerender) {
  const d = customer.details;
  const shown = facts([
    ['Name', d?.name, 'detail-name'],
    ['E-mail', d?.email, 'detail-email'],
    ['Phone', d?.phone, 'detail-phone'],
    ['Birthday', d?.birthday, 'detail-birthday'],
    ['Offers by e-mail', d ? (d.consent_email ? 'yes' : 'no') : '–', 'consent-email'],
    ['Offers by SMS', d ? (d.consent_sms ? 'yes' : 'no') : '–', 'consent-sms'],
    ['Found us through', d?.acquisition_source, 'detail-source'],
    ['Registered', d ? localDate(d.registered_at) : 'not registered', 'detail-registered'],
  ]);
  if (!editable) return section('details', 'Details and consents', shown);

  const form = h('form', { class: 'edit-form', id: 'details-form', hidden: true },
    detailsFields(d),
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', id: 'save-details' }, 'Save'),
      h('button', { type: 'button', class: 'secondary',
        onclick: () => { form.hidden = true; shown.hidden = false; edit.hidden = false; } },
      'Cancel')));
  onSubmit(form, () => {
    const body = detailsBody(form);
    // The first source stays with the customer.
    if (d?.acquisition_source) body.acquisition_source = d.acquisition_source;
    return request('PUT', `${base}/details`, body);
  }, rerender);
  const edit = h('button', { type: 'button', class: 'secondary', id: 'edit-details',
    onclick: () => {
      form.hidden = false;
      shown.hidden = true;
      edit.hidden = true;
      form.elements.name.focus();
    } },
  d ? 'Edit details and consents' : 'Register details');
  const blocked = customer.erased_at || customer.merged_into;
  return section('details', 'Details and consents', shown, blocked ? null : edit, form);
}

function cardsSection(customer, editable, base, rerender) {
  const rows = customer.cards.map((card) => h('tr', { class: card.status },
    cell(card.number), cell(card.status === 'blocked' ? 'blocked' : 'active'),
    cell(localDate(card.issued_at)), cell(localDate(card.blocked_at)),
    cell(card.replaced_by || '–')));
  const list = table('cards-table', [['Card'], ['Status'], ['Issued'], ['Blocked'],
    ['Replaced by']], rows, 'No card.', `customer-${customer.id}-cards.csv`);
  const active = customer.cards.filter((card) => card.status === 'active');
  if (!editable || active.length === 0) return section('cards', 'Cards', list);
  const form = h('form', { class: 'inline-form', id: 'replace-card-form' },
    labelled('Block card', h('select', { name: 'card_number' },
      active.map((card) => h('option', { value: card.number }, card.number)))),
    labelled('Replace with', h('input', { name: 'new_card_number', type: 'text',
      inputmode: 'numeric', maxlength: 13, placeholder: '13 digits', required: true })),
    h('button', { type: 'submit' }, 'Block and replace'));
  onSubmit(form, () => request('POST', `${base}/card-replacement`, {
    card_number: form.elements.card_number.value,
    new_card_number: form.elements.new_card_number.value.trim(),
  }), rerender);
  return section('cards', 'Cards', list, form);
}

function profileSection(customer, currency) {
  const p = customer.profile;
  const tile = (id, label, value) => h('div', { class: 'tile', id },
    h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value));
  const stores = p.stores.map((s) => h('tr', {},
    cell(s.store_id), countCell(s.visits), moneyCell(s.spend, currency),
    cell(localDate(s.last_visit_at))));
  return section('profile', 'Profile',
    h('div', { class: 'tiles' },
      tile('figure-visits', 'Visits', count(p.visits)),
      tile('figure-spend', 'Spend', money(p.spend, currency)),
      tile('figure-basket', 'Mean basket', money(p.mean_basket, currency)),
      tile('figure-gap', 'Days between visits',
        p.mean_days_between_visits === null ? '–' : count(Math.round(p.mean_days_between_visits))),
      tile('figure-segment', 'Segment', segmentName(customer.segment))),
    facts([['First visit', localTime(p.first_visit_at), 'first-visit'],
      ['Last visit', localTime(p.last_visit_at), 'last-visit']]),
    table('stores-table', [['Store'], ['Visits', true], ['Spend', true], ['Last visit']],
      stores, 'No visit yet.', `customer-${customer.id}-stores.csv`));
}

function favouritesSection(customer, currency) {
  return section('favourites', 'Favourites',
    h('div', { class: 'columns' },
      table('categories-table', [['Category'], ['Spend', true]],
        customer.favourite_categories.map((c) => h('tr', {},
          cell(c.category), moneyCell(c.spend, currency))), 'No category yet.',
        `customer-${customer.id}-categories.csv`),
      table('products-table', [['Product'], ['SKU'], ['Quantity', true], ['Purchases', true]],
        customer.favourite_products.map((p) => h('tr', {},
          cell(p.name || p.sku), cell(p.sku), countCell(p.quantity),
          countCell(p.purchases))), 'No product yet.',
        `customer-${customer.id}-products.csv`)));
}

// The nightly run's features: lapse risk against the customer's own cadence, their usual
// gap and when the next visit is due, and the categories they favour against the chain.
const lift = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
const percentOf = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

function featuresSection(customer) {
  const f = customer.features;
  if (!f) {
    return section('features', 'Lapse risk and affinities',
      h('p', { class: 'empty', id: 'features-empty' },
        'Not computed yet: the nightly run (loyalty-batch coupons) fills this in.'));
  }
  const tile = (id, label, value, detail) => h('div', { class: 'tile', id },
    h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value),
    detail ? h('div', { class: 'tile-detail' }, detail) : null);
  const days = Math.max(1, Math.round(f.days_between_visits));
  const dueIn = Math.round((Date.parse(f.next_visit_at) - Date.now()) / 86400000);
  const due = dueIn >= 0 ? `next visit expected ${localDate(f.next_visit_at)}`
    : `next visit was expected ${localDate(f.next_visit_at)}, ${count(-dueIn)} days ago`;
  const band = lapseBands.includes(f.lapse_risk_band) ? f.lapse_risk_band : 'low';
  const rows = f.top_categories.map((c) => h('tr', {},
    cell(c.category), csvCell(`×${lift.format(c.lift)}`, String(c.lift)),
    cell(`${count(c.baskets)} of ${count(f.visits)}`, true)));
  return section('features', 'Lapse risk and affinities',
    h('div', { class: 'tiles features-tiles' },
      tile('figure-lapse-risk', 'Lapse risk', percentOf.format(f.lapse_risk),
        h('span', { class: `lapse lapse-${band}`, id: 'lapse-band' }, band)),
      tile('figure-usual-gap', 'Usually every', `${count(days)} ${days === 1 ? 'day' : 'days'}`),
      tile('figure-next-visit', 'Next visit expected', localDate(f.next_visit_at),
        dueIn < 0 ? h('span', { class: 'lapse lapse-high' }, 'overdue') : null)),
    h('p', { id: 'features-summary' },
      `Usually every ${count(days)} ${days === 1 ? 'day' : 'days'}, ${due}. Last visit `
      + `${localDate(f.last_visit_at)}; as of the nightly run of ${f.run_date}.`),
    table('affinities-table', [['Category'], ['Lift against the chain', true], ['Visits with it', true]],
      rows, 'No category stands out yet.', `customer-${customer.id}-affinities.csv`));
}

function couponsSection(customer) {
  const c = customer.coupon_counts;
  const rows = customer.coupons.map((coupon) => h('tr', { class: `coupon-${coupon.status}` },
    cell(coupon.title), cell(coupon.campaign || '–'), cell(coupon.status),
    cell(localDate(coupon.issued_at)), cell(localDate(coupon.expires_at)),
    cell(localDate(coupon.redeemed_at))));
  return section('coupons', 'Coupons',
    h('p', { class: 'muted', id: 'coupon-counts' },
      `${count(c.issued)} issued · ${count(c.redeemed)} redeemed · ${count(c.expired)} expired`
      + ` · ${count(c.live)} live${c.voided ? ` · ${count(c.voided)} voided` : ''}`),
    table('coupons-table', [['Coupon'], ['Campaign'], ['Status'], ['Issued'], ['Expires'],
      ['Redeemed']], rows, 'No coupon issued yet.', `customer-${customer.id}-coupons.csv`));
}

function purchaseRow(purchase) {
  const items = purchase.lines.reduce((sum, line) => sum + line.quantity, 0);
  return h('tr', {},
    cell(localTime(purchase.occurred_at)), cell(purchase.store_id),
    cell(count(items), true),
    cell(purchase.discount ? money(purchase.discount, purchase.currency) : '–', true),
    cell(money(purchase.total, purchase.currency), true));
}

function purchasesSection(customer, base) {
  const first = customer.recent_purchases;
  const rows = first.purchases.map(purchaseRow);
  const list = table('purchases-table', [['When'], ['Store'], ['Items', true],
    ['Discount', true], ['Total', true]], rows, 'No purchase yet.');
  let next = first.next_cursor;
  const more = h('button', { type: 'button', class: 'secondary', id: 'more-purchases',
    hidden: !next });
  more.textContent = 'Load more';
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await get(`${base}/purchases?limit=20&cursor=${encodeURIComponent(next)}`);
      list.querySelector('tbody').append(...page.purchases.map(purchaseRow));
      next = page.next_cursor;
      more.hidden = !next;
    } catch (error) {
      more.after(h('p', { class: 'error', role: 'alert' }, error.message));
    } finally {
      more.disabled = false;
    }
  });
  const csv = h('a', { class: 'button-link secondary', id: 'purchases-csv',
    href: `${base}/purchases?format=csv`, download: `customer-${customer.id}-purchases.csv` },
  'Download CSV');
  return section('purchases', 'Purchases', first.purchases.length ? csv : null, list, more);
}

function contactsSection(customer, editable, base, rerender) {
  const items = customer.contacts.map((contact) => {
    const due = contact.follow_up_due_at;
    const status = contact.done ? `done ${localDate(contact.done_at)}`
      : contact.overdue ? 'OVERDUE' : due ? 'open' : '';
    const done = editable && due && !contact.done
      ? h('button', { type: 'button', class: 'secondary small', 'data-contact': contact.id,
        onclick: async (event) => {
          event.target.disabled = true;
          try {
            await request('POST', `${base}/contacts/${contact.id}/done`);
            rerender();
          } catch (error) {
            event.target.after(h('span', { class: 'error', role: 'alert' }, error.message));
            event.target.disabled = false;
          }
        } }, 'Mark done')
      : null;
    return h('li', { class: `contact ${contact.kind}${contact.overdue ? ' overdue' : ''}`,
      'data-contact': contact.id },
    h('div', { class: 'contact-head' },
      h('span', { class: 'contact-kind' }, contact.kind),
      h('span', { class: 'muted' }, localTime(contact.created_at)),
      due ? h('span', { class: 'due' }, `follow up by ${dueDate(due)}`) : null,
      status ? h('span', { class: `badge ${contact.overdue ? 'badge-overdue' : ''}` }, status)
        : null,
      done),
    h('p', { class: 'contact-text' }, contact.text));
  });
  const log = items.length ? h('ul', { class: 'contacts', id: 'contacts' }, items)
    : h('p', { class: 'empty', id: 'contacts-empty' }, 'No note or complaint yet.');
  const overdue = customer.overdue_follow_ups
    ? h('p', { class: 'error', id: 'overdue-count' },
      `${customer.overdue_follow_ups} follow-up${customer.overdue_follow_ups === 1 ? ' is' : 's are'} overdue`)
    : null;
  if (!editable || customer.erased_at) return section('contact-log', 'Contact log', overdue, log);

  const form = h('form', { class: 'inline-form', id: 'contact-form' },
    labelled('Kind', h('select', { name: 'kind' },
      h('option', { value: 'note' }, 'note'), h('option', { value: 'complaint' }, 'complaint'))),
    labelled('Text', h('textarea', { name: 'text', rows: 2, maxlength: 4000, required: true })),
    labelled('Follow up by', h('input', { name: 'follow_up_due_at', type: 'date' })),
    h('button', { type: 'submit', id: 'add-contact' }, 'Add'));
  onSubmit(form, () => {
    const due = form.elements.follow_up_due_at.value;
    return request('POST', `${base}/contacts`, {
      kind: form.elements.kind.value,
      text: form.elements.text.value.trim(),
      // Due by the end of the chosen day in the viewer's zone.
      follow_up_due_at: due ? utcSeconds(localMidnight(due, 1)) : undefined,
    });
  }, rerender);
  return section('contact-log', 'Contact log', overdue, form, log);
}

// A button that asks first: `question` and `confirmLabel` show in its place until
// confirmed or cancelled. With `typed` ({ label, accepts }), the person must also type
// something `accepts` (what cannot be undone is not one click away); `act` gets it.
function confirmStep(id, label, question, confirmLabel, act, typed = null) {
  const holder = h('div', { class: 'confirm', id });
  const start = () => holder.replaceChildren(h('button', { type: 'button', class: 'secondary',
    id: `${id}-start`, onclick: ask }, label));
  async function ask() {
    const text = await question();
    if (text === null) return;
    const input = typed ? h('input', { id: `${id}-typed`, autocomplete: 'off',
      inputmode: 'numeric', spellcheck: 'false' }) : null;
    const yes = h('button', { type: 'button', class: 'danger', id: `${id}-confirm`,
      disabled: typed ? true : undefined,
      onclick: async () => {
        yes.disabled = true;
        try {
          await act(input ? input.value.trim() : undefined);
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) throw error;
          holder.append(h('p', { class: 'error', role: 'alert' }, error.message));
          yes.disabled = false;
        }
      } }, confirmLabel);
    if (input) {
      input.addEventListener('input', () => { yes.disabled = !typed.accepts(input.value.trim()); });
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !yes.disabled) yes.click();
      });
    }
    holder.replaceChildren(h('p', { class: 'confirm-question' }, text),
      input ? labelled(typed.label, input) : null, yes,
      h('button', { type: 'button', class: 'secondary', onclick: start }, 'Cancel'));
    if (input) input.focus();
  }
  start();
  return holder;
}

function actionsSection(customer, user, base, rerender) {
  const name = displayName(customer);
  const mergeInput = h('input', { name: 'from', type: 'number', min: 1,
    placeholder: 'customer number', id: 'merge-from', 'data-label': 'Customer' });
  const mergeError = h('p', { class: 'error', role: 'alert', hidden: true });
  const merge = confirmStep('merge', 'Merge…', async () => {
    mergeError.hidden = true;
    const from = Number(mergeInput.value);
    if (!Number.isInteger(from) || from < 1 || from === customer.id) {
      mergeError.textContent = 'Enter the number of another customer.';
      mergeError.hidden = false;
      return null;
    }
    try {
      const other = await get(`/portal/api/customers/${from}`);
      return `Merge ${displayName(other)} (#${from}) into ${name} (#${customer.id})? Their `
        + 'cards, purchases, coupons and notes move here, and this cannot be undone.';
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw error;
      mergeError.textContent = error.status === 404
        ? `Customer #${from} not found, or not in your stores.` : error.message;
      mergeError.hidden = false;
      return null;
    }
  }, 'Merge', async () => {
    await request('POST', `${base}/merge`, { from: Number(mergeInput.value) });
    rerender();
  });
  const parts = [
    h('a', { class: 'button-link secondary', id: 'export-json', href: `${base}/export`,
      download: `customer-${customer.id}.json` }, 'Export data (JSON)'),
  ];
  if (!customer.erased_at && !customer.merged_into) {
    parts.push(h('div', { class: 'merge' },
      labelled('Merge another customer into this one', mergeInput), merge, mergeError));
  }
  if (user.role === 'admin' && !customer.erased_at) {
    parts.push(confirmStep('erase', 'Erase personal data…',
      async () => `Erase ${name} (#${customer.id})? Their details, cards and notes are deleted `
        + 'for good; purchases stay, anonymous, for reports.',
      `Erase ${name}`, async (confirm) => {
        await request('POST', `${base}/erase`, { confirm });
        rerender();
      }, {
        label: `Type the customer number (${customer.id}) or a card number to confirm`,
        accepts: (typed) => typed === String(customer.id)
          || customer.cards.some((card) => card.number === typed),
      }));
  }
  return section('privacy', 'Merge and privacy', h('div', { class: 'actions' }, parts));
}

export default async function render(container, context, id) {
  const { user } = context;
  const current = startRender(container);
  const rerender = () => render(container, context, id);
  const back = h('a', { href: '#/customers', class: 'back' }, '← Customers');
  if (!/^[1-9][0-9]{0,17}$/.test(id)) {
    container.replaceChildren(back, h('p', { class: 'error', role: 'alert', id: 'customer-missing' },
      'That is not a customer number.'));
    return;
  }
  const base = `/portal/api/customers/${id}`;
  let customer;
  try {
    customer = await get(base);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      if (!current()) return;
      container.replaceChildren(back, h('p', { class: 'error', role: 'alert', id: 'customer-missing' },
        `Customer #${id} was not found, or is not in your stores.`));
      return;
    }
    throw error;
  }
  const currency = customer.recent_purchases.purchases[0]?.currency || context.currency;
  const editable = user.role !== 'analyst';
  const state = customer.erased_at ? `erased ${localDate(customer.erased_at)}`
    : customer.merged_into ? 'merged' : null;
  if (!current()) return;
  document.title = `${displayName(customer)} · Loyalty portal`;
  container.replaceChildren(
    back,
    h('div', { class: 'page-head' },
      h('h1', { id: 'customer-name' }, displayName(customer)),
      h('p', { class: 'subtitle' }, `Customer #${customer.id} · since ${localDate(customer.created_at)}`,
        state ? h('span', { class: 'badge badge-overdue' }, state) : null,
        customer.merged_into ? h('a', { href: `#/customers/${customer.merged_into}` },
          ` now #${customer.merged_into}`) : null)),
    h('div', { class: 'customer-grid' },
      profileSection(customer, currency),
      detailsSection(customer, editable, base, rerender),
      contactsSection(customer, editable, base, rerender),
      cardsSection(customer, editable && !customer.erased_at, base, rerender),
      favouritesSection(customer, currency),
      featuresSection(customer),
      couponsSection(customer),
      purchasesSection(customer, base),
      editable ? actionsSection(customer, user, base, rerender) : null));
}
