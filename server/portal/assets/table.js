// The portal's tables: a caption row with the CSV download, headers that sort when the
// API sorts, and an empty state in words rather than a blank box.
import { h, sortArrow } from './dom.js';
import { fractionDigits, moneyValue } from './format.js';

// columns: [{label, cell: (row) => text or element, numeric, sortKey}]. With `sort`
// ({key, descending}) and `onSort(key)`, headers with a sortKey are buttons. `csv` is
// the URL of the same rows as CSV; `empty` the sentence shown when there are none.
export function dataTable({ id, caption, columns, rows, sort, onSort, csv, empty }) {
  const head = h('tr', {}, columns.map((column) => {
    const classes = column.numeric ? 'numeric' : null;
    if (!column.sortKey || !onSort) return h('th', { scope: 'col', class: classes }, column.label);
    const active = sort && sort.key === column.sortKey;
    const direction = active ? (sort.descending ? 'descending' : 'ascending') : 'none';
    return h('th', { scope: 'col', class: classes, 'aria-sort': direction },
      h('button', { type: 'button', class: 'sort', onclick: () => onSort(column.sortKey) },
        column.label, sortArrow(direction)));
  }));
  const body = rows.length === 0
    ? h('tbody', {}, h('tr', {}, h('td', { class: 'empty', colspan: columns.length }, empty)))
    : h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((column) =>
      h('td', { class: column.numeric ? 'numeric' : null }, column.cell(row))))));
  return h('section', { class: 'table-card', id },
    h('div', { class: 'table-head' },
      h('h2', {}, caption),
      csv ? h('a', { class: 'csv', href: csv, download: '' }, 'Download CSV') : null),
    h('div', { class: 'table-scroll' }, h('table', { class: 'data' }, h('thead', {}, head), body)));
}

// One CSV field as the server writes them (RFC 4180; a leading =, +, -, @, tab or
// carriage return defused with ').
function csvField(text) {
  const value = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

// Rows of values (the first one the header) as CSV.
export function csvOfRows(rows) {
  return rows.map((row) => row.map((value) => csvField(String(value))).join(',')).join('\r\n')
    + '\r\n';
}

// Money in every CSV the portal offers, server's or page's: a plain decimal in the
// currency's major units ("12.57"), the currency in a column of its own, never "$12.57".
export function csvMoney(minor, currency) {
  return moneyValue(minor, currency).toFixed(currency ? fractionDigits(currency) : 0);
}

// A table cell that shows `shown` and writes `csv` in the table's CSV (a number as a
// spreadsheet reads it rather than as the locale prints it); `currency` when `csv` is
// an amount of money, which adds the table's currency column.
export function csvCell(shown, csv, { numeric = true, currency } = {}) {
  return h('td', { class: numeric ? 'num' : null, 'data-csv': csv, 'data-currency': currency },
    shown);
}

// A CSV of what a table shows, for tables whose rows the page already holds (a
// customer's cards, stores, favourites, coupons): each cell's data-csv, else its text;
// with amounts of money, a last column names their currency.
export function csvOfTable(table) {
  const rows = [...table.rows].map((row) => [...row.cells].map((cell) => cell.dataset.csv
    ?? cell.textContent.trim()));
  const priced = table.querySelector('[data-currency]');
  if (!priced) return csvOfRows(rows);
  return csvOfRows(rows.map((row, i) => [...row, i === 0 ? 'currency' : priced.dataset.currency]));
}

// A "Download CSV" link saved as `filename`, whose file `makeCsv()` writes in the page
// when clicked, so nothing is fetched.
export function csvLink(id, filename, makeCsv) {
  return h('a', {
    class: 'csv', id, download: filename, href: '#',
    onclick: (event) => {
      const link = event.currentTarget;
      if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([makeCsv()], { type: 'text/csv' }));
    },
  }, 'Download CSV');
}

// A "Download CSV" link for `table`: the rows on screen.
export function csvLinkFor(table, filename) {
  return csvLink(`${table.id}-csv`, filename, () => csvOfTable(table));
}
