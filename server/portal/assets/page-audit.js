// Audit log (admins): every change, login and export, newest first, filtered by action,
// target or period, a page at a time, and the same rows as CSV.
import { get } from './api.js';
import { field, h, startRender } from './dom.js';
import { dataTable } from './table.js';

const state = { action: '', target: '', from: '', to: '', pages: [] };

// The date inputs are the viewer's local days; the API wants instants.
function localDayStart(date) {
  return date ? new Date(`${date}T00:00:00`).toISOString().replace(/\.\d+Z$/, 'Z') : '';
}
function localDayEnd(date) {
  if (!date) return '';
  const end = new Date(`${date}T00:00:00`);
  end.setDate(end.getDate() + 1);
  return end.toISOString().replace(/\.\d+Z$/, 'Z');
}

function query(extra = {}) {
  const params = new URLSearchParams();
  if (state.action) params.set('action', state.action);
  if (state.target) params.set('target', state.target);
  if (state.from) params.set('from', localDayStart(state.from));
  if (state.to) params.set('to', localDayEnd(state.to));
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params;
}

const isoInstant = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function detailValue(value) {
  if (value === null || value === '') return '–';
  if (typeof value === 'string' && isoInstant.test(value)) return new Date(value).toLocaleString();
  if (Array.isArray(value)) {
    return value.length === 0 ? 'none'
      : value.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(', ');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// An entry's details one per line, "name value", with times in the viewer's zone: a
// campaign's thirty settings as one line of JSON ran off the table's edge.
function detailCell(detail) {
  const entries = Object.entries(detail || {});
  if (entries.length === 0) return '';
  return h('dl', { class: 'audit-detail' }, entries.flatMap(([name, value]) => [
    h('dt', {}, name.replaceAll('_', ' ')), h('dd', {}, detailValue(value))]));
}

const columns = [
  { label: 'When', cell: (e) => new Date(e.at).toLocaleString() },
  { label: 'Who', cell: (e) => (e.user ? `${e.user.name} (${e.user.email})` : 'command line') },
  { label: 'Action', cell: (e) => e.action },
  { label: 'On', cell: (e) => e.target },
  { label: 'Details', cell: (e) => detailCell(e.detail) },
  { label: 'From', cell: (e) => e.remote_address },
];

export default async function render(container) {
  const current = startRender(container);
  const rerender = () => render(container);
  const before = state.pages[state.pages.length - 1];
  const data = await get(`/portal/api/audit?${query(before ? { before } : {})}`);

  // Each filter with its label in view: two date boxes alone read as the same box twice.
  const input = (name, label, placeholder, type = 'text') => field(label, h('input', {
    id: `audit-${name}`, type, value: state[name], placeholder,
    onchange: (event) => { state[name] = event.target.value; state.pages = []; rerender(); },
  }));
  const pager = h('div', { class: 'pager' },
    h('button', { type: 'button', class: 'secondary', id: 'audit-newer', disabled: state.pages.length === 0,
      onclick: () => { state.pages.pop(); rerender(); } }, 'Newer'),
    h('button', { type: 'button', class: 'secondary', id: 'audit-older', disabled: data.next_before === null,
      onclick: () => { state.pages.push(data.next_before); rerender(); } }, 'Older'));

  if (!current()) return;
  container.replaceChildren(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Audit log'),
      h('p', { class: 'subtitle' }, 'Every change, login and export, newest first'),
      h('div', { class: 'filters' },
        input('action', 'Action', 'e.g. customer'), input('target', 'On', 'e.g. customer:42'),
        input('from', 'From', null, 'date'), input('to', 'To', null, 'date'))),
    dataTable({
      id: 'audit-table',
      caption: 'Entries',
      columns,
      rows: data.entries,
      csv: `/portal/api/audit?${query({ format: 'csv' })}`,
      empty: 'Nothing matches these filters.',
    }),
    pager);
}
