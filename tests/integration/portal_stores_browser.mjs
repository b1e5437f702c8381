// Drives Debian's chromium, headless, through the Stores and Acquisition pages as an
// admin would: the stores and their tills, a one-time code from "Enroll a terminal" read
// off the screen, a real till (loyalty-terminal enroll) enrolling with it and sending a
// heartbeat, the new till on the page after a reload, revoking it through the confirm
// dialog, the till's credential then refused; then the acquisition ranking, its bar
// chart drawn, a re-sort, and an admin naming a source and booking its cost. Run by
// portal_stores_test.cc, which seeds the customers and costs.
//
//   node portal_stores_browser.mjs --url https://127.0.0.1:PORT --email E --password P
//     --terminal PATH/loyalty-terminal --server-ca FILE --credential FILE
//     --chromium /usr/bin/chromium --screenshots DIR
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  chartsDrawn, expect, logIn, requiredOptions, runInBrowser, textOf,
} from './portal_browser_lib.mjs';

const opt = requiredOptions(['email', 'password', 'terminal', 'server-ca', 'credential']);

// A heartbeat with the till's credential, as the till's forwarder sends it: the status.
async function heartbeat(page, credential, backlog) {
  const answer = await page.request.post(`${opt.url}/v1/terminals/heartbeat`, {
    headers: { Authorization: `Bearer ${credential.credential}` },
    data: { backlog, software_version: 'browser-test' },
  });
  return answer.status();
}

await runInBrowser('portal-stores', opt, async ({ page, log, shot }) => {
  await logIn(page, opt.email, opt.password);
  const navigation = await page.locator('.nav a').allInnerTexts();
  log('navigation', navigation.join(', '));
  expect(navigation.includes('Stores') && navigation.includes('Acquisition'),
    `the navigation lists ${navigation.join()}`);

  log('the stores page');
  await page.click('.nav a[data-path="stores"]');
  const s001 = page.locator('section.store[data-store="S001"]');
  await s001.waitFor();
  await page.locator('section.store[data-store="S002"]').waitFor();
  expect(await s001.locator('tr[data-terminal="S001-T01"]').count() === 1, 'S001-T01 not listed');
  expect((await textOf(page, 'section.store[data-store="S002"] .empty')) === 'No terminals yet.',
    'S002 has no empty state');
  expect(await page.locator('#terminals-csv').getAttribute('href') === '/portal/api/stores?format=csv',
    'no CSV link for the terminals');
  await page.locator('#conflicts .empty').waitFor();
  await shot('1-stores.png');

  log('a page still loading when the user moves on does not replace the next page');
  let releaseDashboard;
  const dashboardHeld = new Promise((resolve) => { releaseDashboard = resolve; });
  await page.route('**/portal/api/dashboard?*', async (route) => {
    await dashboardHeld;
    await route.continue();
  });
  await page.click('.nav a[data-path="dashboard"]');
  await page.click('.nav a[data-path="stores"]');
  await s001.waitFor();
  const lateDashboard = page.waitForResponse((answer) => answer.url().includes('/portal/api/dashboard?'));
  releaseDashboard();
  await lateDashboard;
  await page.waitForLoadState('networkidle');
  await page.unroute('**/portal/api/dashboard?*');
  expect(await s001.isVisible(), 'the late dashboard replaced the stores page');
  expect((await textOf(page, 'h1')) === 'Stores', `the page shows "${await textOf(page, 'h1')}"`);

  log('enrolling a till from the page');
  await s001.locator('button.enroll').click();
  await page.locator('#enroll-code').waitFor();
  const code = await textOf(page, '#enroll-code');
  log('code on screen', code);
  expect(code.length >= 8, `the code reads "${code}"`);
  expect((await textOf(page, '#enroll-expiry')).startsWith('Valid until'), 'no expiry shown');
  await shot('2-enrollment-code.png');
  execFileSync(opt.terminal, ['enroll', '--server', opt.url, '--server-ca', opt['server-ca'],
    '--code', code, '--credential', opt.credential, '--name', 'Browser till'],
  { stdio: ['ignore', 'inherit', 'inherit'], timeout: 30000 });
  const credential = JSON.parse(readFileSync(opt.credential, 'utf8'));
  log('enrolled as', credential.terminal_id);
  expect(credential.terminal_id === 'S001-T02', `enrolled as ${credential.terminal_id}`);
  expect(await heartbeat(page, credential, 4) === 200, 'the new till\'s heartbeat was refused');
  await page.click('#enroll-done');

  await page.reload();
  const row = page.locator('tr[data-terminal="S001-T02"]');
  await row.waitFor();
  expect((await row.locator('td').first().innerText()).trim() === 'Browser till', 'wrong name');
  expect((await row.locator('.backlog').innerText()).trim() === '4', 'backlog not shown');
  expect((await row.locator('.badge').innerText()).trim() === 'Active', 'not shown as active');
  expect((await row.locator('.last-seen').innerText()).trim() !== '–', 'last seen not shown');
  await shot('3-till-enrolled.png');

  log('revoking it');
  await row.locator('button.revoke').click();
  await page.locator('#revoke-dialog').waitFor();
  expect((await textOf(page, '#revoke-dialog h2')) === 'Revoke Browser till?', 'confirm title');
  await shot('4-revoke-confirm.png');
  await page.click('#revoke-confirm');
  await row.locator('.badge.revoked').waitFor();
  expect(await row.locator('button.revoke').count() === 0, 'a revoked till still offers revoke');
  await shot('5-till-revoked.png');
  const refused = await heartbeat(page, credential, 0);
  log('heartbeat after revoking', refused);
  expect(refused === 403, `the revoked credential got ${refused}`);

  log('the acquisition page');
  await page.click('.nav a[data-path="acquisition"]');
  const table = page.locator('#acquisition-table');
  await table.waitFor();
  await page.locator('figure.chart canvas').waitFor();
  await page.waitForTimeout(300);  // the chart fits its width on the next frame
  const sources = await table.locator('tbody tr').evaluateAll(
    (rows) => rows.map((r) => r.dataset.source));
  log('ranked by revenue', sources.join(', '));
  expect(sources[0] === 'flyer' && sources[1] === 'unknown', `ranking ${sources.join()}`);
  const first = await table.locator('tbody tr').first().locator('td').allInnerTexts();
  expect(first[1] === 'Door-to-door flyers', `first row ${first.join(' | ')}`);
  expect(first[4] === '$100.00', `flyer cost shows "${first[4]}"`);
  const charts = await chartsDrawn(page);
  log('chart', JSON.stringify(charts));
  expect(charts.length === 1, `${charts.length} charts`);
  expect(charts[0].width > 200 && charts[0].painted > 500, 'the chart is empty');
  expect(charts[0].series > 20, 'the chart has no bars drawn');
  expect(await page.locator('#cost-form').count() === 1, 'an admin has no cost form');
  await shot('6-acquisition.png');

  log('ranked by customers');
  await page.click('button.sort[data-sort="customers"]');
  await page.locator('button.sort.active[data-sort="customers"]').waitFor();
  const byCustomers = await page.locator('#acquisition-table tbody tr').evaluateAll(
    (rows) => rows.map((r) => r.dataset.source));
  log('ranked by customers', byCustomers.join(', '));
  expect(byCustomers[byCustomers.length - 1] === 'radio', `ranking ${byCustomers.join()}`);
  await shot('7-acquisition-by-customers.png');

  log('editing a source: a bad amount is refused on screen, then a name and a cost are saved');
  await page.fill('#cost-source', 'radio');
  await page.fill('#cost-amount', 'lots');
  await page.click('#cost-form button[type=submit]');
  await page.locator('#cost-error').waitFor({ state: 'visible' });
  expect((await textOf(page, '#cost-error')).includes('not a number'), 'no error for a bad amount');
  await page.fill('#cost-name', 'Radio ads');
  await page.fill('#cost-start', '2026-01-01');
  await page.fill('#cost-end', '2026-01-31');
  await page.fill('#cost-amount', '25.50');
  await page.click('#cost-form button[type=submit]');
  const radio = page.locator('#acquisition-table tr[data-source="radio"]');
  await radio.locator('td', { hasText: 'Radio ads' }).waitFor();
  const booked = await page.locator('#costs-table tbody tr').allInnerTexts();
  log('costs booked', booked.join(' / '));
  expect(booked.some((line) => line.includes('Radio ads') && line.includes('2026-01-31')
    && line.includes('$25.50')), `the new cost is not listed: ${booked.join(' / ')}`);
  await shot('8-cost-saved.png');
}, { allowedConsoleErrors: [] });
