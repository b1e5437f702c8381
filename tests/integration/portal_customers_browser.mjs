// Drives Debian's chromium, headless, through the portal's customer pages: an admin finds
// a customer by name, downloads the list's CSV, opens the customer's page and sees the
// figures and purchases the test recorded, logs a complaint due yesterday and sees it
// flagged overdue (on the page and in the list's panel), is told which field is wrong,
// changes a consent that is still there after a reload; then a manager of another store
// opens the same customer's address and is refused on screen, as the API refuses them.
// The customer's page also shows the nightly run's lapse risk, usual gap between visits,
// expected next visit and category affinities (the test runs loyalty-batch first).
// On the way the admin sorts the list by spend, closes the follow-up, replaces a lost card,
// registers a new card, merges another customer into its holder and erases them (each
// confirm step names them), and an analyst sees the customer without any control that
// changes something.
// Run by portal_customers_test.cc, which starts the server and records the purchases.
//
//   node portal_customers_browser.mjs --url https://127.0.0.1:PORT --chromium PATH
//     --screenshots DIR --email E --manager-email M --password P --customer-id N
//     --customer-name 'Lovelace, Ada' --search Lovelace --visits 2 --spend '$12.57'
//     --totals '$8.38,$4.19' --analyst-email A --new-card 2000000000077
//     --replacement-card 2000000000084 --merge-id 2 --merge-name 'Grace Hopper'
//     --top-spender 'anonymous #3' --least-spender 'Grace Hopper' --spend-from 10
//     --spend-to 15 (in the currency's major units: only the customer's spend between)
//     --usual-gap '14 days' --lapse-band low
import { readFileSync } from 'node:fs';
import { expect, logIn, logOut, requiredOptions, runInBrowser, textOf } from './portal_browser_lib.mjs';

const opt = requiredOptions(['email', 'manager-email', 'analyst-email', 'password',
  'customer-id', 'customer-name', 'search', 'visits', 'spend', 'totals', 'new-card',
  'replacement-card', 'merge-id', 'merge-name', 'top-spender', 'least-spender', 'spend-from',
  'spend-to', 'usual-gap', 'lapse-band']);
const customerPath = `#/customers/${opt['customer-id']}`;

// Yesterday in the viewer's zone (node and chromium share the machine's), as a date input
// takes it.
function yesterday() {
  const day = new Date();
  day.setDate(day.getDate() - 1);
  const two = (n) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${two(day.getMonth() + 1)}-${two(day.getDate())}`;
}

// The lines of the CSV that clicking `selector` downloads.
async function downloadedCsv(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync(await download.path(), 'utf8').split('\r\n').filter(Boolean);
}

async function waitForText(page, selector, text) {
  await page.locator(selector, { hasText: text }).first().waitFor();
}

await runInBrowser('portal-customers', opt, async ({ page, log, shot }) => {
  page.on('response', (response) => {
    if (response.status() >= 400) log('HTTP', response.status(), response.url());
  });
  log('the admin opens Customers');
  await logIn(page, opt.email, opt.password);
  const navigation = await page.locator('.nav a').allInnerTexts();
  expect(navigation[0] === 'Dashboard' && navigation[1] === 'Customers',
    `the navigation lists ${navigation.join()}`);
  await page.click('.nav a[data-path="customers"]');
  await page.locator('#customers-table').waitFor();
  await shot('1-customers.png');

  log('searching by name');
  await page.fill('#filter-q', opt.search);
  await page.click('#search');
  await waitForText(page, '#customers-total', /^1 customer$/);
  const rows = await page.locator('#customers-table tbody tr').allInnerTexts();
  expect(rows.length === 1 && rows[0].includes(opt['customer-name']),
    `the search shows ${JSON.stringify(rows)}`);
  await shot('2-search.png');

  log('the CSV of the same search');
  const csv = await downloadedCsv(page, '#customers-csv');
  log('csv', JSON.stringify(csv));
  expect(csv[0] === 'id,name,email,phone,consent_email,consent_sms,visits,spend,last_visit_at,segment,'
    + 'lapse_risk,lapse_risk_band,currency',
    `the CSV's header is "${csv[0]}"`);
  expect(csv.length === 2 && csv[1].startsWith(`${opt['customer-id']},`),
    'the CSV is not the one customer searched for');
  // Money in every CSV: a decimal in dollars with the currency beside it, never "$".
  const decimal = (shown) => shown.replace(/[^0-9.]/g, '');
  expect(csv[1].includes(`,${decimal(opt.spend)},`) && csv[1].endsWith(',USD')
    && !csv[1].includes('$'), `the CSV's spend: ${csv[1]}`);

  log("the customer's page");
  await page.click(`#customers-table a[href="${customerPath}"]`);
  await page.locator('#customer-name').waitFor();
  expect(await textOf(page, '#customer-name') === opt['customer-name'], 'the name is wrong');
  const visits = await textOf(page, '#figure-visits .tile-value');
  const spend = await textOf(page, '#figure-spend .tile-value');
  expect(visits === opt.visits, `visits show "${visits}", expected "${opt.visits}"`);
  expect(spend === opt.spend, `spend shows "${spend}", expected "${opt.spend}"`);
  const totals = await page.locator('#purchases-table tbody tr td:last-child').allInnerTexts();
  expect(totals.join() === opt.totals, `purchase totals "${totals.join()}", expected "${opt.totals}"`);
  expect(await textOf(page, '#consent-email') === 'yes', 'the e-mail consent is not shown');
  expect(await textOf(page, '#consent-sms') === 'no', 'the SMS consent is not shown');
  const purchasesCsv = await downloadedCsv(page, '#purchases-csv');
  expect(purchasesCsv[0] === 'id,occurred_at,store_id,currency,items,discount,total'
    && purchasesCsv.length === 1 + totals.length
    && purchasesCsv.slice(1).map((line) => line.split(',').pop()).join()
      === totals.map(decimal).join(), `the purchases' CSV: ${JSON.stringify(purchasesCsv)}`);
  // The smaller tables download what they show, as CSV made in the page.
  const cardsCsv = await downloadedCsv(page, '#cards-table-csv');
  expect(cardsCsv[0] === 'Card,Status,Issued,Blocked,Replaced by' && cardsCsv.length === 2,
    `the cards' CSV: ${JSON.stringify(cardsCsv)}`);
  const storesCsv = await downloadedCsv(page, '#stores-table-csv');
  expect(storesCsv[0] === 'Store,Visits,Spend,Last visit,currency' && storesCsv.length >= 2
    && storesCsv.slice(1).every((line) => /^[^,]+,\d+,\d+\.\d\d,.*,USD$/.test(line)),
  `the stores' CSV: ${JSON.stringify(storesCsv)}`);
  await shot('3-customer.png');

  log("the nightly run's lapse risk and affinities");
  const lapse = await textOf(page, '#figure-lapse-risk .tile-value');
  expect(/^\d{1,3}\s?%$/.test(lapse), `the lapse risk shows "${lapse}"`);
  const band = await textOf(page, '#lapse-band');
  expect(band === opt['lapse-band'], `the lapse band shows "${band}", expected "${opt['lapse-band']}"`);
  const gap = await textOf(page, '#figure-usual-gap .tile-value');
  expect(gap === opt['usual-gap'], `the usual gap shows "${gap}", expected "${opt['usual-gap']}"`);
  const summary = await textOf(page, '#features-summary');
  expect(summary.startsWith(`Usually every ${opt['usual-gap']}, next visit expected `),
    `the features read "${summary}"`);
  expect(await textOf(page, '#figure-next-visit .tile-value') !== '–', 'no expected next visit');
  expect((await textOf(page, '#affinities-table-empty')) === 'No category stands out yet.',
    'the affinities do not say that no category stands out');
  await page.locator('#features').scrollIntoViewIfNeeded();
  await shot('3-features.png');

  log('a complaint due yesterday');
  await page.selectOption('#contact-form select[name=kind]', 'complaint');
  await page.fill('#contact-form textarea[name=text]', 'The receipt was printed twice.');
  await page.fill('#contact-form input[name=follow_up_due_at]', yesterday());
  await page.click('#add-contact');
  await page.locator('.contact.overdue .badge-overdue').waitFor();
  expect((await textOf(page, '.contact.overdue .contact-text')) === 'The receipt was printed twice.',
    'the overdue contact is not the complaint');
  expect((await textOf(page, '#overdue-count')).includes('1 follow-up is overdue'),
    'the overdue count is missing');
  const due = await textOf(page, '.contact.overdue .due');
  const yesterdayShown = await page.evaluate(() =>
    new Date(Date.now() - 24 * 60 * 60 * 1000).toLocaleDateString());
  expect(due === `follow up by ${yesterdayShown}`, `the due date reads "${due}"`);
  await shot('4-overdue-follow-up.png');

  log('a wrong e-mail is named, then the SMS consent is saved');
  await page.click('#edit-details');
  await page.fill('#details-form input[name=email]', 'not an address');
  await page.check('#edit-consent_sms');
  await page.click('#save-details');
  await page.locator('#details-form .field-error').waitFor();
  const fieldError = await textOf(page, '#details-form .field-error');
  expect(fieldError.startsWith('E-mail '), `the field error reads "${fieldError}"`);
  await shot('5-field-error.png');
  await page.fill('#details-form input[name=email]', 'ada@example.com');
  await page.click('#save-details');
  await waitForText(page, '#consent-sms', 'yes');
  await page.reload();
  await page.locator('#customer-name').waitFor();
  expect(await textOf(page, '#consent-sms') === 'yes', 'the SMS consent is lost after a reload');
  await shot('6-consent-saved.png');

  log("the list's overdue panel links to the customer");
  await page.click('.back');
  await page.locator(`#overdue-follow-ups a[href="${customerPath}"]`).waitFor();
  const panel = await textOf(page, '#overdue-follow-ups li');
  expect(panel.includes(due), `the panel reads "${panel}", the page "${due}"`);
  const followUpsCsv = await downloadedCsv(page, '#follow-ups-csv');
  expect(followUpsCsv.length === 2 && followUpsCsv[1].endsWith(',1,The receipt was printed twice.'),
    `the follow-ups' CSV: ${JSON.stringify(followUpsCsv)}`);
  await shot('7-follow-ups-panel.png');

  log('sorting everybody by spend, both ways');
  await page.click('#clear-filters');
  await waitForText(page, '#customers-total', /^3 customers$/);
  const firstRow = () => textOf(page, '#customers-table tbody tr:first-child td:first-child');
  await page.click('th button[data-sort=spend]');
  await page.locator('th[aria-sort=descending] button[data-sort=spend]').waitFor();
  expect(await firstRow() === opt['top-spender'], `the top spender shows as "${await firstRow()}"`);
  await page.click('th button[data-sort=spend]');
  await page.locator('th[aria-sort=ascending] button[data-sort=spend]').waitFor();
  expect(await firstRow() === opt['least-spender'], `the least spender shows as "${await firstRow()}"`);
  // The same arrow as every sortable table (dom.js sortArrow), the others without one.
  const arrows = await page.locator('#customers-table th .sort-arrow').allInnerTexts();
  expect(arrows.join() === '▲', `the headers' arrows read ${JSON.stringify(arrows)}`);

  log('a quick second click wins over a slow answer to the first');
  const byName = '**/portal/api/customers?sort=name&*';
  let releaseByName;
  const byNameHeld = new Promise((resolve) => { releaseByName = resolve; });
  await page.route(byName, async (route) => { await byNameHeld; await route.continue(); });
  await page.click('th button[data-sort=name]');
  await page.click('th button[data-sort=spend]');
  await page.locator('th[aria-sort=descending] button[data-sort=spend]').waitFor();
  const lateByName = page.waitForResponse((answer) => answer.url().includes('sort=name&'));
  releaseByName();
  await lateByName;
  await page.waitForLoadState('networkidle');
  await page.unroute(byName);
  expect(await page.locator('th[aria-sort=descending] button[data-sort=spend]').count() === 1,
    'the late answer sorted by name replaced the list sorted by spend');
  expect(await firstRow() === opt['top-spender'], `the top spender shows as "${await firstRow()}"`);
  await page.click('th button[data-sort=spend]');
  await page.locator('th[aria-sort=ascending] button[data-sort=spend]').waitFor();
  await shot('8-sorted-by-spend.png');

  log("filtering by the nightly run's lapse-risk band, and sorting by the risk");
  await page.click('#clear-filters');
  await waitForText(page, '#customers-total', /^3 customers$/);
  await page.click('th button[data-sort=last_visit]');
  await page.locator('th[aria-sort=descending] button[data-sort=last_visit]').waitFor();
  await page.click('th button[data-sort=last_visit]');  // an order of one's own
  await page.locator('th[aria-sort=ascending] button[data-sort=last_visit]').waitFor();
  await page.selectOption('#filter-risk', 'high');
  await page.click('#search');
  await page.locator('#customers-empty').waitFor();
  await waitForText(page, '#customers-total', /^0 customers scored by the nightly run$/);
  await page.selectOption('#filter-risk', opt['lapse-band']);
  await page.click('#search');
  await waitForText(page, '#customers-total', /^3 customers scored by the nightly run$/);
  expect(await page.locator('th[aria-sort=ascending] button[data-sort=last_visit]').count() === 1,
    'picking a band changed an order chosen by hand');
  await page.click('#clear-filters');
  await waitForText(page, '#customers-total', /^3 customers$/);
  await page.click('th button[data-sort=last_visit]');
  await page.locator('th[aria-sort=descending] button[data-sort=last_visit]').waitFor();
  await page.selectOption('#filter-risk', opt['lapse-band']);
  await page.click('#search');
  // From the default order, a band lists its most at risk first.
  await page.locator('th[aria-sort=descending] button[data-sort=lapse_risk]').waitFor();
  const risks = await page.locator('#customers-table tbody tr td:nth-child(7)').allInnerTexts();
  expect(risks.length === 3 && risks.every((risk) => new RegExp(`^\\d{1,3}\\s?%\\s*${opt['lapse-band']}$`).test(risk.trim())),
    `the lapse-risk column reads ${JSON.stringify(risks)}`);
  const riskCsv = await downloadedCsv(page, '#customers-csv');
  expect(riskCsv.length === 4 && riskCsv.slice(1).every((line) => line.endsWith(`,${opt['lapse-band']},USD`)),
    `the CSV of the band: ${JSON.stringify(riskCsv)}`);
  await shot('8-lapse-risk.png');
  await page.click('#clear-filters');
  await page.click('th button[data-sort=spend]');
  await page.locator('th[aria-sort=descending] button[data-sort=spend]').waitFor();
  await page.fill('#filter-min', opt['spend-from']);
  await page.fill('#filter-max', opt['spend-to']);
  await page.click('#search');
  await waitForText(page, '#customers-total', /^1 customer$/);
  expect(await firstRow() === opt['customer-name'], `spend from ${opt['spend-from']} to `
    + `${opt['spend-to']} finds "${await firstRow()}"`);

  log('the follow-up is done');
  await page.click(`#overdue-follow-ups a[href="${customerPath}"]`);
  await page.click('.contact.overdue button');
  await waitForText(page, '.contact .badge', 'done');
  expect(await page.locator('.contact.overdue, #overdue-count').count() === 0,
    'the follow-up still shows overdue');
  await shot('9-follow-up-done.png');

  log('a lost card is blocked and replaced');
  await page.fill('#replace-card-form input[name=new_card_number]', opt['replacement-card']);
  await page.click('#replace-card-form button[type=submit]');
  await page.locator('#cards-table tbody tr.blocked').waitFor();
  const cardRows = await page.locator('#cards-table tbody tr.active').allInnerTexts();
  expect(cardRows.length === 1 && cardRows[0].includes(opt['replacement-card']),
    `the active cards are ${JSON.stringify(cardRows)}`);
  await shot('10-card-replaced.png');
  await page.click('.back');

  log('registering a new card, a consent without an address refused by name');
  await page.click('#register-open');
  await page.fill('#register-form input[name=card_number]', opt['new-card']);
  await page.fill('#register-form input[name=name]', 'Johnson, Katherine');
  await page.check('#register-form input[name=consent_email]');
  await page.click('#register-save');
  await page.locator('#register-form .field-error').waitFor();
  const consentError = await textOf(page, '#register-form .field-error');
  expect(consentError.startsWith('Offers by e-mail '), `the field error reads "${consentError}"`);
  await page.fill('#register-form input[name=email]', 'kj@example.com');
  await page.click('#register-save');
  await waitForText(page, '#customer-name', 'Johnson, Katherine');
  const cards = await page.locator('#cards-table tbody tr').allInnerTexts();
  expect(cards.length === 1 && cards[0].includes(opt['new-card']), `cards ${JSON.stringify(cards)}`);
  await shot('11-registered.png');

  log('merging another customer into the new one, after a confirm step that names both');
  await page.fill('#merge-from', opt['merge-id']);
  await page.click('#merge-start');
  const mergeQuestion = await textOf(page, '#merge .confirm-question');
  expect(mergeQuestion.includes(opt['merge-name']) && mergeQuestion.includes('Johnson, Katherine'),
    `the merge step reads "${mergeQuestion}"`);
  await shot('12-merge-confirm.png');
  await page.click('#merge-confirm');
  await waitForText(page, '#figure-visits .tile-value', /^1$/);

  log('erasing the new customer, after a confirm step that names them and wants their number typed');
  await page.click('#erase-start');
  const question = await textOf(page, '#erase .confirm-question');
  expect(question.includes('Johnson, Katherine'), `the confirm step reads "${question}"`);
  expect(await page.isDisabled('#erase-confirm'), 'erase is one click away, nothing typed');
  const erasedId = /#([0-9]+)/.exec(question)[1];
  await page.fill('#erase-typed', `${erasedId}9`);
  expect(await page.isDisabled('#erase-confirm'), 'erase is offered for a wrong number');
  await page.fill('#erase-typed', erasedId);
  expect(!(await page.isDisabled('#erase-confirm')), 'erase stays off with the right number');
  await shot('13-erase-confirm.png');
  await page.click('#erase-confirm');
  await waitForText(page, '#customer-name', 'erased customer');
  expect(await page.locator('#erase').count() === 0, 'erase is offered again');
  await shot('14-erased.png');

  log('a narrow window: the list and the page fit its width, a wide table scrolls inside');
  const fitsWidth = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${opt.url}/portal/#/customers`);
  await page.locator('#customers-table').waitFor();
  expect(await fitsWidth(), 'the customer list is wider than a 390 px window');
  const logoutRight = await page.locator('#logout').evaluate((button) => button.getBoundingClientRect().right);
  expect(logoutRight <= 390, `the log-out button ends at ${logoutRight} px, out of a 390 px window`);
  await shot('14-narrow-list.png');
  await page.goto(`${opt.url}/portal/${customerPath}`);
  await page.locator('#customer-name').waitFor();
  expect(await fitsWidth(), "the customer's page is wider than a 390 px window");
  await shot('14-narrow-customer.png');
  await page.setViewportSize({ width: 1366, height: 768 });

  log('the session ends while a form is being saved: the login screen, nothing stored');
  await page.goto(`${opt.url}/portal/#/customers`);
  await page.click('#register-open');
  await page.fill('#register-form input[name=card_number]', opt['new-card']);
  await page.fill('#register-form input[name=name]', 'Late, Someone');
  await page.context().clearCookies();
  await page.click('#register-save');
  await waitForText(page, '.login .notice', 'Your session ended');
  expect(await page.locator('#register-form').count() === 0, 'the form stays after the session ended');
  await shot('15-session-ended.png');

  log('an analyst reads without controls');
  await logIn(page, opt['analyst-email'], opt.password);
  await page.goto(`${opt.url}/portal/${customerPath}`);
  await waitForText(page, '#customer-name', opt['customer-name']);
  for (const control of ['#edit-details', '#contact-form', '#replace-card-form', '#privacy',
    '.contact button', '#register-open']) {
    expect(await page.locator(control).count() === 0, `the analyst is offered ${control}`);
  }
  await shot('16-analyst.png');

  log("a manager of another store opens the customer's address");
  await logOut(page);
  await logIn(page, opt['manager-email'], opt.password);
  await page.goto(`${opt.url}/portal/${customerPath}`);
  await page.locator('#customer-missing').waitFor();
  const refusal = await textOf(page, '#customer-missing');
  expect(refusal.includes('not found, or is not in your stores'), `the page reads "${refusal}"`);
  expect(await page.locator('#customer-name').count() === 0, 'the customer is shown');
  const status = await page.evaluate(async (path) =>
    (await fetch(path, { headers: { Accept: 'application/json' } })).status,
  `/portal/api/customers/${opt['customer-id']}`);
  expect(status === 404, `the API answers ${status} to the manager`);
  await shot('17-manager-refused.png');
  // The wrong e-mail's 400, the ended session's 401 and the manager's 404s are provoked
  // on purpose.
}, { allowedConsoleErrors: [/status of 400/, /status of 401/, /status of 404/] });
