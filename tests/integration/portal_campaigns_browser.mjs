// Drives Debian's chromium, headless, through the portal's campaigns the way the
// marketing team would: the admin finds the list, creates a campaign through the form
// (a wrong field first, whose error shows next to it), sees it in the list and pauses
// it, then opens the campaign the nightly batch ran and reads its figures and charts; an
// analyst then sees the same pages without a control that changes anything. Run by
// portal_campaigns_test.cc, which starts the server, runs the batch and redeems coupons.
// The browser is in New York time: a period is whole days there, stored as the UTC
// instants of their midnights, and one made at UTC midnights shows its times and zone.
//
//   node portal_campaigns_browser.mjs --url https://127.0.0.1:PORT --chromium PATH
//     --screenshots DIR --admin E --analyst E --password P --campaign ID
//     --issued N --redeemed N
import {
  chartsDrawn, expect, logIn, logOut, requiredOptions, runInBrowser, textOf,
} from './portal_browser_lib.mjs';

const opt = requiredOptions(['admin', 'analyst', 'password', 'campaign', 'issued', 'redeemed']);

const row = (page, id) => page.locator(`#campaigns tr[data-campaign="${id}"]`);

async function openList(page) {
  await page.click('.nav a[data-path="campaigns"]');
  await page.locator('#campaigns tbody tr').first().waitFor();
}

// The results page of the campaign the batch ran: its tiles and its two charts drawn.
async function checkResults(page, log, who) {
  await page.locator('#tile-issued .tile-value').waitFor();
  await page.locator('figure.chart canvas').nth(1).waitFor();
  await page.waitForTimeout(300);  // the charts fit their width on the next frame
  const issued = await textOf(page, '#tile-issued .tile-value');
  const redeemed = await textOf(page, '#tile-redeemed .tile-value');
  const rate = await textOf(page, '#tile-rate .tile-value');
  const sales = await textOf(page, '#tile-sales-uplift .tile-value');
  const salesInterval = await textOf(page, '#tile-sales-uplift .tile-detail');
  const margin = await textOf(page, '#tile-margin-uplift .tile-value');
  log(who, { issued, redeemed, rate, sales, salesInterval, margin });
  expect(issued === opt.issued, `${who}: issued shows "${issued}", expected ${opt.issued}`);
  expect(redeemed === opt.redeemed, `${who}: redeemed shows "${redeemed}", expected ${opt.redeemed}`);
  const expectedRate = `${Math.round((1000 * Number(opt.redeemed)) / Number(opt.issued)) / 10}%`;
  expect(rate === expectedRate, `${who}: the rate shows "${rate}", expected ${expectedRate}`);
  const money = '[+−]?\\$[\\d,]+\\.\\d\\d';
  expect(new RegExp(`^${money} per customer$`).test(sales), `${who}: sales uplift "${sales}"`);
  expect(new RegExp(`^\\(95%: ${money} to ${money}\\)`).test(salesInterval),
    `${who}: sales interval "${salesInterval}"`);
  expect(new RegExp(`^${money} per customer$`).test(margin), `${who}: margin uplift "${margin}"`);
  const budget = await textOf(page, '#budget');
  expect(/^Budget: \$[\d,.]+ of \$100,000\.00 spent/.test(budget), `${who}: budget "${budget}"`);

  const charts = await chartsDrawn(page);
  log(who, 'charts', JSON.stringify(charts));
  expect(charts.length === 2, `${who}: ${charts.length} charts`);
  for (const chart of charts) {
    expect(chart.width > 200 && chart.height > 100, `${who}: a chart is ${chart.width}x${chart.height}`);
    expect(chart.painted > 500, `${who}: a chart has ${chart.painted} pixels drawn`);
    expect(chart.series > 20, `${who}: a chart has no bars drawn`);
  }
}

await runInBrowser('portal-campaigns', opt, async ({ page, log, shot }) => {
  log('the admin opens the list');
  await logIn(page, opt.admin, opt.password);
  await openList(page);
  const navigation = await page.locator('.nav a').allInnerTexts();
  expect(navigation.includes('Campaigns'), `the navigation lists ${navigation.join()}`);
  const ran = await row(page, opt.campaign).locator('td').allInnerTexts();
  log('the batch\'s campaign', ran);
  expect(ran[2] === 'Running', `its status reads "${ran[2]}"`);
  expect(ran[5] === opt.issued && ran[6] === opt.redeemed, `issued and redeemed read ${ran[5]}, ${ran[6]}`);
  expect(/^\$[\d,.]+ of \$100,000\.00$/.test(ran[4]), `budget reads "${ran[4]}"`);
  // Made at UTC midnights, which are evenings in New York: shown with the time and zone.
  expect(/^\w{3} \d{1,2}, \d{4}, (7:00 PM EST|8:00 PM EDT) – \w{3} \d{1,2}, \d{4}, (7:00 PM EST|8:00 PM EDT)$/.test(ran[3]),
    `the period reads "${ran[3]}"`);
  const cells = await row(page, opt.campaign).locator('td.actions > *').evaluateAll((elements) =>
    elements.map((element) => {
      const box = element.getBoundingClientRect();
      return { top: Math.round(box.top), height: Math.round(box.height) };
    }));
  log('edit and pause buttons', JSON.stringify(cells));
  expect(cells.length === 2 && cells[0].top === cells[1].top && cells[0].height === cells[1].height,
    `Edit and Pause are not side by side at one height: ${JSON.stringify(cells)}`);
  const csv = await page.locator('a.csv-link').getAttribute('href');
  expect(csv === '/portal/api/campaigns?format=csv', `the CSV link is ${csv}`);
  await shot('1-list.png');

  log('a new campaign, with a control share too large');
  await page.click('#new-campaign');
  await page.locator('#campaign-form').waitFor();
  log('each discount type shows the fields it needs');
  const shown = async (name) => page.locator(`.field[data-field="${name}"]`).isVisible();
  expect(!(await shown('buy_quantity')) && !(await shown('get_quantity')),
    'percent off shows item quantities');
  await page.selectOption('#f-discount_type', 'buy_x_get_y');
  expect(await shown('buy_quantity') && await shown('get_quantity'),
    'buy X get Y hides its item quantities');
  const multibuyHint = await textOf(page, '#depth-hint');
  expect(/items to buy/.test(multibuyHint), `buy X get Y's hint reads "${multibuyHint}"`);
  await shot('1b-form-buy-x-get-y.png');
  await page.selectOption('#f-discount_type', 'free_item');
  expect(!(await shown('buy_quantity')) && await shown('get_quantity'),
    'a free item shows the wrong quantities');
  const spendHint = await textOf(page, '#spend-hint');
  expect(/^Required/.test(spendHint), `a free item's spend hint reads "${spendHint}"`);
  await page.selectOption('#f-discount_type', 'percent_off');
  await page.fill('#f-id', 'coffee-push');
  await page.fill('#f-name', 'Coffee push');
  await page.selectOption('#f-kind', 'category_push');
  await page.selectOption('#f-target_segment', 'at_risk');
  await page.fill('#f-categories', 'COFFEE');
  const hint = await textOf(page, '#period-hint');
  expect(hint.includes('America/New_York'), `the period's hint reads "${hint}"`);
  await page.fill('#f-starts_at', '2027-01-05');
  await page.fill('#f-ends_at', '2027-01-31');
  await page.fill('#f-min_depth', '5');
  await page.fill('#f-max_depth', '20');
  await page.fill('#f-max_discount', '5');
  await page.fill('#f-budget', '1250.50');
  await page.fill('#f-budget_coupons', '500');
  await page.fill('#f-per_customer_cap', '2');
  await page.fill('#f-validity_days', '10');
  await page.fill('#f-control_percent', '60');
  await page.click('#save-campaign');
  await page.locator('#err-control_percent').waitFor({ state: 'visible' });
  const refusal = await textOf(page, '#err-control_percent');
  log('refused:', refusal);
  expect(refusal.length > 0, 'no error next to the control share');
  expect(await page.locator('.field.invalid').count() === 1, 'not exactly one field marked');
  expect(await page.locator('.field.invalid #f-control_percent').count() === 1,
    'the marked field is not the control share');
  await shot('2-form-field-error.png');

  log('corrected and saved');
  await page.fill('#f-control_percent', '15');
  await page.click('#save-campaign');
  await page.locator('h1', { hasText: 'Coffee push' }).waitFor();
  const noData = await textOf(page, '#tile-sales-uplift .tile-value');
  expect(noData === 'not enough data yet', `a new campaign's uplift reads "${noData}"`);
  expect(await textOf(page, '#campaign-status') === 'Scheduled', 'the new campaign is not scheduled');
  await shot('3-created.png');

  log('paused from the list');
  await openList(page);
  const created = await row(page, 'coffee-push').locator('td').allInnerTexts();
  expect(created[0] === 'Coffee push' && created[1] === 'Category push', `the row reads ${created}`);
  expect(/^\$0\.00 of \$1,250\.50/.test(created[4]), `its budget reads "${created[4]}"`);
  expect(created[3] === 'Jan 5, 2027 – Jan 31, 2027', `its period reads "${created[3]}"`);
  const firstNames = async () => (await page.locator('#campaigns tbody tr td:first-child')
    .allInnerTexts());
  await page.click('button[data-sort="name"]');
  await page.locator('th[aria-sort="ascending"] button[data-sort="name"]').waitFor();
  let names = await firstNames();
  expect(names.join() === 'Coffee push,December personal offers', `by name: ${names}`);
  // The arrow every sortable table shows (dom.js sortArrow), on this page too.
  const arrow = await textOf(page, 'th[aria-sort="ascending"] .sort-arrow');
  expect(arrow === '▲', `the ascending arrow reads "${arrow}"`);
  await page.click('button[data-sort="name"]');
  await page.locator('th[aria-sort="descending"] button[data-sort="name"]').waitFor();
  names = await firstNames();
  expect(names.join() === 'December personal offers,Coffee push', `by name, descending: ${names}`);
  await row(page, 'coffee-push').locator('button.pause-toggle').click();
  await row(page, 'coffee-push').locator('.status', { hasText: 'Paused' }).waitFor();
  expect(await textOf(page, '#campaigns tr[data-campaign="coffee-push"] button.pause-toggle') === 'Resume',
    'the paused campaign offers no Resume');
  await shot('4-list-paused.png');

  log('edited: the form holds what was saved');
  await row(page, 'coffee-push').locator('a', { hasText: 'Edit' }).click();
  await page.locator('#campaign-form').waitFor();
  const held = {
    id: await page.inputValue('#f-id'),
    budget: await page.inputValue('#f-budget'),
    control: await page.inputValue('#f-control_percent'),
    categories: await page.inputValue('#f-categories'),
    segment: await page.inputValue('#f-target_segment'),
    first: await page.inputValue('#f-starts_at'),
    last: await page.inputValue('#f-ends_at'),
  };
  log('the form holds', held);
  expect(held.id === 'coffee-push' && held.budget === '1250.5' && held.control === '15'
    && held.categories === 'COFFEE' && held.segment === 'at_risk' && held.first === '2027-01-05'
    && held.last === '2027-01-31', 'the form lost a field');
  expect(await page.locator('#f-id[readonly]').count() === 1, 'the id can be changed');
  await page.fill('#f-name', 'Coffee push, January');
  await shot('4b-edit-form.png');
  await page.click('#save-campaign');
  await page.locator('h1', { hasText: 'Coffee push, January' }).waitFor();
  expect(await textOf(page, '#campaign-status') === 'Paused', 'the edit resumed the campaign');
  await page.click('a.back');
  await page.locator('#campaigns tbody tr').first().waitFor();

  log('the batch\'s campaign: figures and charts');
  await row(page, opt.campaign).locator('a').first().click();
  await checkResults(page, log, 'admin');
  expect(await page.locator('button.pause-toggle').count() === 1, 'the admin has no pause button');
  await shot('5-results.png');

  log('the analyst reads without controls');
  await logOut(page);
  await logIn(page, opt.analyst, opt.password);
  await openList(page);
  expect(await page.locator('#new-campaign').count() === 0, 'the analyst sees New campaign');
  expect(await page.locator('button.pause-toggle').count() === 0, 'the analyst sees Pause');
  expect(await page.locator('a', { hasText: 'Edit' }).count() === 0, 'the analyst sees Edit');
  expect(await row(page, 'coffee-push').count() === 1, 'the analyst does not see the new campaign');
  await shot('6-analyst-list.png');
  await row(page, opt.campaign).locator('a').first().click();
  await checkResults(page, log, 'analyst');
  expect(await page.locator('button.pause-toggle').count() === 0, 'the analyst sees Pause');
  expect(await page.locator('a', { hasText: 'Edit' }).count() === 0, 'the analyst sees Edit');
  await shot('7-analyst-results.png');
}, { allowedConsoleErrors: [/status of 400/],  // the form's refused first try
  timezoneId: 'America/New_York' });
