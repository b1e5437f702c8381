// Drives Debian's chromium, headless, through the portal the way a manager would: a wrong
// password is refused on screen, the right one opens the dashboard with the expected
// figures and its charts drawn, the period switch works, and logging out returns to the
// login form. Any script error, Content-Security-Policy violation or request to another
// origin fails the run. Run by portal_browser_test.cc, which starts the server and
// records the sales; progress and failures go to stderr, screenshots to --screenshots.
//
//   node portal_browser.mjs --url https://127.0.0.1:PORT --email E --password P
//     --name N --chromium /usr/bin/chromium --screenshots DIR
//     --sales '$12.34' --purchases 3 --active 2
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: opt } = parseArgs({
  options: Object.fromEntries(
    ['url', 'email', 'password', 'name', 'chromium', 'screenshots', 'sales', 'purchases',
      'active'].map((name) => [name, { type: 'string' }])),
});
for (const [name, value] of Object.entries(opt)) {
  if (!value) throw new Error(`--${name} is required`);
}

const log = (...parts) => console.error('[portal-browser]', ...parts);
const problems = [];
mkdirSync(opt.screenshots, { recursive: true });
const userDataDir = mkdtempSync(join(tmpdir(), 'portal-chromium-'));

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function textOf(page, selector) {
  return (await page.locator(selector).innerText()).trim();
}

// Every chart's canvas is sized and has pixels drawn, and the sales chart has pixels
// of its series colour (the bars), not only axes.
async function chartsDrawn(page) {
  return page.evaluate(() => [...document.querySelectorAll('figure.chart canvas')].map((canvas) => {
    const context = canvas.getContext('2d');
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    let series = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      painted += 1;
      // #2563eb, the first series' colour, solid or under its translucent fill.
      if (data[i] < 90 && data[i + 1] > 80 && data[i + 1] < 150 && data[i + 2] > 200) series += 1;
    }
    return { width: canvas.width, height: canvas.height, painted, series };
  }));
}

let context;
let page;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: opt.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    ignoreHTTPSErrors: true,  // the server's self-signed certificate
    viewport: { width: 1366, height: 768 },
    locale: 'en-US',
  });
  page = context.pages()[0] || await context.newPage();
  const origin = new URL(opt.url).origin;
  page.on('console', (message) => {
    // The 401s are expected: the session check before login, and the wrong password.
    if (message.type() === 'error' && !/status of 401/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== origin) {
      problems.push(`request to another origin: ${request.url()}`);
    }
  });

  log('opening', `${opt.url}/portal/`);
  await page.goto(`${opt.url}/portal/`);
  await page.locator('#email').waitFor();

  log('a wrong password');
  await page.fill('#email', opt.email);
  await page.fill('#password', 'not the password at all');
  await page.click('button[type=submit]');
  await page.locator('#login-error').waitFor({ state: 'visible' });
  const refusal = await textOf(page, '#login-error');
  expect(refusal.includes('Wrong e-mail or password'), `login error reads "${refusal}"`);
  await page.screenshot({ path: join(opt.screenshots, '1-wrong-password.png') });

  log('the right password');
  await page.fill('#password', opt.password);
  await page.click('button[type=submit]');
  await page.locator('#tile-sales .tile-value').waitFor();
  await page.locator('figure.chart canvas').nth(2).waitFor();
  expect(await textOf(page, '#user-name') === opt.name, 'the user name is not shown');
  expect(await textOf(page, '#user-role') === 'Admin', 'the role is not shown');
  const navigation = await page.locator('.nav a').allInnerTexts();
  expect(navigation.join() === 'Dashboard', `the navigation lists ${navigation.join()}`);

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
    await page.screenshot({
      path: join(opt.screenshots, period === 'Today' ? '3-dashboard-today.png' : '2-dashboard-7-days.png'),
      fullPage: true,
    });
  }

  log('logging out');
  await page.click('#logout');
  await page.locator('#email').waitFor();
  expect((await page.locator('.notice').innerText()).includes('logged out'), 'no logged-out notice');
  await page.reload();
  await page.locator('#email').waitFor();  // the session is gone, not only the screen
  await page.screenshot({ path: join(opt.screenshots, '4-logged-out.png') });

  expect(problems.length === 0, problems.join('\n'));
  log('passed; screenshots in', opt.screenshots);
} catch (error) {
  log('FAILED:', error.message);
  for (const problem of problems) log(problem);
  if (page) await page.screenshot({ path: join(opt.screenshots, 'failure.png') }).catch(() => {});
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
