// Drives Debian's chromium, headless, through the portal the way a manager would: a wrong
// password is refused on screen, the right one opens the dashboard with the expected
// figures and its charts drawn, the period switch works, the audit log shows the login
// and downloads as CSV (each entry's details in words, its filters labelled), logging out
// returns to the login form, and a throttled login says how many minutes to wait. Run by
// portal_dashboard_test.cc, which starts the server and records the sales; the shared
// checks (script errors, CSP, other origins) are portal_browser_lib.mjs.
//
//   node portal_browser.mjs --url https://127.0.0.1:PORT --email E --password P
//     --name N --chromium /usr/bin/chromium --screenshots DIR
//     --sales '$12.34' --purchases 3 --active 2
import { readFileSync } from 'node:fs';
import {
  chartsDrawn, expect, logIn, logOut, requiredOptions, runInBrowser, textOf,
} from './portal_browser_lib.mjs';

const opt = requiredOptions(['email', 'password', 'name', 'sales', 'purchases', 'active']);

await runInBrowser('portal-dashboard', opt, async ({ page, log, shot }) => {
  log('a wrong password');
  await page.locator('#email').waitFor();
  await page.fill('#email', opt.email);
  await page.fill('#password', 'not the password at all');
  await page.click('button[type=submit]');
  await page.locator('#login-error').waitFor({ state: 'visible' });
  const refusal = await textOf(page, '#login-error');
  expect(refusal.includes('Wrong e-mail or password'), `login error reads "${refusal}"`);
  await shot('1-wrong-password.png');

  log('the right password');
  await logIn(page, opt.email, opt.password);
  await page.locator('#tile-sales .tile-value').waitFor();
  await page.locator('figure.chart canvas').nth(2).waitFor();
  expect(await textOf(page, '#user-name') === opt.name, 'the user name is not shown');
  expect(await textOf(page, '#user-role') === 'Admin', 'the role is not shown');
  const navigation = await page.locator('.nav a').allInnerTexts();
  expect(navigation[0] === 'Dashboard', `the navigation lists ${navigation.join()}`);

  for (const period of ['7 days', 'Today']) {
    if (period === 'Today') {
      await page.click('button[data-days="1"]');
      await page.locator('.subtitle', { hasText: 'Today' }).waitFor();
      await page.locator('figure.chart canvas').nth(2).waitFor();
    }
    await page.waitForTimeout(300);  // the charts fit their width on the next frame
    const sales = await textOf(page, '#tile-sales .tile-value');
    const purchases = await textOf(page, '#tile-sales .tile-detail');
    const active = await textOf(page, '#tile-active .tile-value');
    const cardShare = await textOf(page, '#tile-card-share .tile-value');
    log(period, { sales, purchases, active, cardShare });
    expect(sales === opt.sales, `${period}: sales show "${sales}", expected "${opt.sales}"`);
    expect(purchases === `${opt.purchases} purchases`, `${period}: "${purchases}"`);
    expect(active === opt.active, `${period}: active customers "${active}"`);
    expect(/%$/.test(cardShare), `${period}: card share "${cardShare}"`);
    const charts = await chartsDrawn(page);
    log(period, 'charts', JSON.stringify(charts));
    expect(charts.length === 3, `${period}: ${charts.length} charts`);
    for (const chart of charts) {
      expect(chart.width > 200 && chart.height > 100, `${period}: a chart is ${chart.width}x${chart.height}`);
      expect(chart.painted > 500, `${period}: a chart has ${chart.painted} pixels drawn`);
    }
    expect(charts[0].series > 20, `${period}: the sales chart has no bars drawn`);
    // Dates along the bottom (a one-day chart once read "6pm, 12am, 6am"), and each
    // legend with the period's figure before any pointer hovers a day.
    const dayLabels = await page.locator('figure.chart').first().getAttribute('data-days');
    log(period, 'day labels', dayLabels);
    expect(dayLabels && !/(:|AM|PM|am|pm)/.test(dayLabels)
      && (period === 'Today' ? dayLabels.split('|').length === 1
        : dayLabels.split('|').filter(Boolean).length >= 3),
    `${period}: the chart's axis reads "${dayLabels}"`);
    const legend = await page.locator('figure.chart').first().locator('.u-legend .u-value')
      .allInnerTexts();
    log(period, 'legend', JSON.stringify(legend));
    expect(legend.length === 3 && legend[1] === sales && legend.every((text) => text.trim()),
      `${period}: the sales chart's legend reads ${JSON.stringify(legend)}`);
    await shot(period === 'Today' ? '3-dashboard-today.png' : '2-dashboard-7-days.png');
  }

  log("today's figures as CSV");
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dashboard-csv')]);
  const dayCsv = readFileSync(await download.path(), 'utf8').split('\r\n').filter(Boolean);
  expect(dayCsv.length === 2 && dayCsv[0] === 'date,currency,sales,card_sales,purchases,'
    + 'active_customers,coupons_issued,coupons_redeemed'
    && dayCsv[1].includes(`,USD,${opt.sales.replace(/[^0-9.]/g, '')},`)
    && dayCsv[1].includes(`,${opt.purchases},${opt.active},`),
  `the dashboard's CSV: ${JSON.stringify(dayCsv)}`);

  log('the audit log');
  await page.click('.nav a[data-path="audit"]');
  await page.locator('#audit-table tbody tr').first().waitFor();
  const firstEntry = await page.locator('#audit-table tbody tr').first().innerText();
  expect(firstEntry.includes('login') && firstEntry.includes(opt.email),
    `the newest audit entry reads "${firstEntry}"`);
  const csvLink = await page.locator('#audit-table a.csv').getAttribute('href');
  const csv = await page.evaluate(async (href) => (await fetch(href)).text(), csvLink);
  expect(csv.startsWith('seq,at,user_id,user_email,action,target,detail,remote_address'),
    `the audit CSV starts "${csv.slice(0, 60)}"`);
  // Details one per line in words, not an entry's JSON; each filter labelled in view.
  const created = page.locator('#audit-table tbody tr', { hasText: 'portal_user.create' }).first();
  const detail = await created.locator('dl.audit-detail').innerText();
  expect(/role\s+(admin|analyst|store_manager)/.test(detail) && !detail.includes('{'),
    `an account's creation reads "${detail}"`);
  const filters = await page.locator('.page-head .filters label.field > span').allInnerTexts();
  expect(filters.join() === 'Action,On,From,To', `the audit filters are labelled ${filters.join()}`);
  await shot('4-audit-log.png');
  await page.fill('#audit-action', 'campaign');
  await page.locator('#audit-action').dispatchEvent('change');
  await page.locator('#audit-table td.empty').waitFor();

  log('the server out of reach: the page says so in words');
  await page.click('.nav a[data-path="dashboard"]');
  await page.locator('#tile-sales').waitFor();
  await page.route('**/portal/api/dashboard?*', (route) => route.abort('connectionrefused'));
  await page.click('button[data-days="30"]');
  await page.locator('p.error[role=alert]').waitFor();
  const unreachable = await textOf(page, 'p.error[role=alert]');
  expect(unreachable === 'The server could not be reached. Check the network connection and try again.',
    `an unreachable server reads "${unreachable}"`);
  await shot('4-server-unreachable.png');
  await page.unroute('**/portal/api/dashboard?*');

  log('logging out');
  await logOut(page);
  expect((await page.locator('.notice').innerText()).includes('logged out'), 'no logged-out notice');
  await page.reload();
  await page.locator('#email').waitFor();  // the session is gone, not only the screen
  await shot('5-logged-out.png');

  // Throttled logins, as the server answers them after five failures (the real throttle
  // would lock this address out of the suite's other tests): the wait in minutes.
  await page.route('**/portal/api/session', (route) => (route.request().method() === 'POST'
    ? route.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '593' },
      body: JSON.stringify({ error: { code: 'resource_exhausted',
        message: 'too many failed logins; try again in 593 s' } }),
    })
    : route.continue()));
  await page.fill('#email', opt.email);
  await page.fill('#password', 'not the password');
  await page.click('button[type=submit]');
  await page.locator('#login-error').waitFor();
  const throttled = await textOf(page, '#login-error');
  expect(throttled === 'Too many failed logins from this computer or for this account. '
    + 'Try again in 10 minutes.', `a throttled login reads "${throttled}"`);
  await shot('6-login-throttled.png');
  await page.unroute('**/portal/api/session');
}, { allowedConsoleErrors: [/status of 429/, /ERR_CONNECTION_REFUSED/] });
