// Drives Debian's chromium, headless, through the portal's Performance page: an admin
// sees every store's and cashier's exact figures, the sales chart drawn, the period
// switch, the cashiers filtered by store with their CSV; a store manager sees only their
// own store. Run by portal_performance_test.cc, which starts the server and records the
// sales (two stores, three cashiers, a till without sign-on, a sale three days ago).
//
//   node portal_performance_browser.mjs --url https://127.0.0.1:PORT --chromium PATH
//     --screenshots DIR --admin E --manager E --password P
import {
  chartsDrawn, expect, logIn, logOut, requiredOptions, runInBrowser, textOf,
} from './portal_browser_lib.mjs';

const opt = requiredOptions(['admin', 'manager', 'password']);

// Every row of a table as {cell class: text}, in the order shown.
async function rowsOf(page, table) {
  return page.evaluate((id) => [...document.querySelectorAll(`#${id} tbody tr`)].map((row) =>
    Object.fromEntries([...row.querySelectorAll('td')].map((td) => [td.className,
      td.innerText.trim()]))), table);
}

// Expects `row` to hold `expected` (a subset of its cells), naming what differs.
function expectRow(what, row, expected) {
  expect(row, `${what}: no such row`);
  for (const [cell, text] of Object.entries(expected)) {
    expect(row[cell] === text, `${what}: ${cell} shows "${row[cell]}", expected "${text}"`);
  }
}

async function openPerformance(page) {
  await page.click('.nav a[data-path="performance"]');
  await page.locator('#stores-table').waitFor();
  await page.locator('figure.chart canvas').waitFor();
  await page.waitForTimeout(300);  // the chart fits its width on the next frame
}

await runInBrowser('portal-performance', opt, async ({ page, log, shot }) => {
  log('the admin, 7 days');
  await logIn(page, opt.admin, opt.password);
  const navigation = await page.locator('.nav a').allInnerTexts();
  expect(navigation.includes('Performance'),
    `the navigation lists ${navigation.join()}`);
  await openPerformance(page);
  expect((await textOf(page, '.subtitle')).startsWith('7 days'), 'not the 7 days');

  let stores = await rowsOf(page, 'stores-table');
  log('stores', JSON.stringify(stores));
  expect(stores.length === 2, `${stores.length} stores shown`);
  expectRow('S001', stores[0], {
    rank: '1', store: 'Test store (S001)', sales: '$19.92', purchases: '4', mean_basket: '$4.98',
    card_share: '75%', card_sales_share: '82%', coupons_redeemed: '1', discount: '$0.42',
    returns: '0', refunds: '$0.00',
  });
  expectRow('S002', stores[1], {
    rank: '2', store: 'Harbour (S002)', sales: '$11.96', purchases: '4', mean_basket: '$2.99',
    card_share: '25%', coupons_redeemed: '0',
  });
  let cashiers = await rowsOf(page, 'cashiers-table');
  log('cashiers', JSON.stringify(cashiers));
  expect(cashiers.length === 4, `${cashiers.length} cashier rows shown`);
  expectRow('C2', cashiers[0], {
    store: 'Test store (S001)', rank: '1', cashier: 'C2', sales: '$12.15', purchases: '2',
    mean_basket: '$6.08', card_share: '100%', coupons_redeemed: '1', discount: '$0.42',
  });
  expectRow('C1', cashiers[1], {
    rank: '2', cashier: 'C1', sales: '$7.77', mean_basket: '$3.89', card_share: '50%',
    coupons_redeemed: '0',
  });
  expectRow('C3', cashiers[2], {
    store: 'Harbour (S002)', rank: '1', cashier: 'C3', sales: '$10.17', purchases: '3',
    mean_basket: '$3.39', card_share: '33.3%',
  });
  expectRow('no cashier', cashiers[3], {
    rank: '2', cashier: 'No cashier signed on', sales: '$1.79', card_share: '0%',
  });
  const charts = await chartsDrawn(page);
  log('chart', JSON.stringify(charts));
  expect(charts.length === 1, `${charts.length} charts`);
  expect(charts[0].width > 200 && charts[0].height > 100,
    `the chart is ${charts[0].width}x${charts[0].height}`);
  expect(charts[0].series > 100, 'the sales chart has no bars drawn');
  await shot('1-performance-7-days.png');

  log('today');
  await page.click('button[data-days="1"]');
  await page.locator('.subtitle', { hasText: 'Today' }).waitFor();
  await page.locator('figure.chart canvas').waitFor();
  stores = await rowsOf(page, 'stores-table');
  expectRow('S002 today', stores[1], { sales: '$7.77', purchases: '3', card_share: '33.3%' });
  cashiers = await rowsOf(page, 'cashiers-table');
  expectRow('C3 today', cashiers[2], { cashier: 'C3', sales: '$5.98', purchases: '2' });
  expect((await chartsDrawn(page))[0].series > 100, 'today: no bars drawn');
  await shot('2-performance-today.png');

  log('the cashiers of one store, by card share, and their CSV');
  await page.click('button[data-days="7"]');
  await page.locator('.subtitle', { hasText: '7 days' }).waitFor();
  await page.selectOption('#cashier-store', 'S002');
  // The page draws itself again: wait for the filtered table, not the one before it.
  await page.waitForFunction(() => document.querySelectorAll('#cashiers-table tbody tr').length === 2);
  cashiers = await rowsOf(page, 'cashiers-table');
  expect(cashiers.length === 2 && cashiers.every((row) => row.store === 'Harbour (S002)'),
    `the filter left ${JSON.stringify(cashiers)}`);
  await page.click('#cashiers-table button[data-sort="card_share"]');
  await page.locator('#cashiers-table th.card_share[aria-sort="descending"]').waitFor();
  cashiers = await rowsOf(page, 'cashiers-table');
  expectRow('C3 by card share', cashiers[0], { cashier: 'C3', card_share: '33.3%' });
  const href = await page.locator('#csv-cashiers').getAttribute('href');
  expect(href.includes('table=cashiers') && href.includes('store=S002') &&
    href.includes('format=csv'), `the CSV link is ${href}`);
  const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href);
  log('csv', JSON.stringify(csv));
  expect(csv.startsWith('store_id,rank,cashier_id,purchases,sales,'), 'the CSV has no header');
  expect(csv.includes('\r\nS002,1,C3,3,10.17,3.39,1,0.3333,1.79,'), 'the CSV lacks C3');
  expect(!csv.includes('S001'), 'the CSV of S002 names S001');
  await shot('3-cashiers-of-harbour.png');

  log('a store manager sees only their store');
  await logOut(page);
  await logIn(page, opt.manager, opt.password);
  await openPerformance(page);
  stores = await rowsOf(page, 'stores-table');
  expect(stores.length === 1, `the manager sees ${stores.length} stores`);
  expectRow('S001 for its manager', stores[0], { store: 'Test store (S001)', sales: '$19.92' });
  cashiers = await rowsOf(page, 'cashiers-table');
  expect(cashiers.length === 2 && cashiers.every((row) => row.store === 'Test store (S001)'),
    `the manager sees ${JSON.stringify(cashiers)}`);
  expect((await textOf(page, '.subtitle')).endsWith('store S001'), 'the scope is not S001');
  await shot('4-manager-own-store.png');
});
