// What every portal browser script shares: Debian's chromium launched headless through
// playwright-core, a watch on script errors, Content-Security-Policy violations and
// requests to another origin (any of them fails the run), logging in, and the check that
// a chart's canvas has been drawn. A script calls runInBrowser(name, scenario); the
// scenario gets { page, log, shot } and throws to fail. Screenshots go to --screenshots.
//
// Every script takes at least: --url https://127.0.0.1:PORT --chromium PATH
//   --screenshots DIR, plus its own options (declared by the script).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

// The script's options (every one required) plus url, chromium and screenshots.
export function requiredOptions(names) {
  const all = ['url', 'chromium', 'screenshots', ...names];
  const { values } = parseArgs({
    options: Object.fromEntries(all.map((name) => [name, { type: 'string' }])),
  });
  for (const name of all) {
    if (!values[name]) throw new Error(`--${name} is required`);
  }
  return values;
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

export async function textOf(page, selector) {
  return (await page.locator(selector).innerText()).trim();
}

// Every chart's canvas: its size, pixels drawn, and pixels of the first series' colour
// (#2563eb, solid or under its translucent fill), so a chart of axes alone is told apart.
export async function chartsDrawn(page, selector = 'figure.chart canvas') {
  return page.evaluate((query) => [...document.querySelectorAll(query)].map((canvas) => {
    const context = canvas.getContext('2d');
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    let series = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      painted += 1;
      if (data[i] < 90 && data[i + 1] > 80 && data[i + 1] < 150 && data[i + 2] > 200) series += 1;
    }
    return { width: canvas.width, height: canvas.height, painted, series };
  }), selector);
}

// Fills the login form and waits until the shell shows the user's name.
export async function logIn(page, email, password) {
  await page.locator('#email').waitFor();
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.locator('#user-name').waitFor();
}

export async function logOut(page) {
  await page.click('#logout');
  await page.locator('#email').waitFor();
}

// Runs `scenario({ page, log, shot })` in a fresh headless chromium profile. The process
// exits non-zero when the scenario throws or the page had a problem; a failure leaves
// failure.png. `allowedConsoleErrors` are patterns of expected console errors (a refused
// request the scenario provokes on purpose shows up there); `timezoneId` ("America/
// New_York") is the browser's zone, by default the machine's.
export async function runInBrowser(name, opt, scenario,
  { allowedConsoleErrors = [], timezoneId } = {}) {
  const log = (...parts) => console.error(`[${name}]`, ...parts);
  const problems = [];
  mkdirSync(opt.screenshots, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'portal-chromium-'));
  // The session check before login answers 401: expected on every run.
  const allowed = [/status of 401/, ...allowedConsoleErrors];
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
      ...(timezoneId ? { timezoneId } : {}),
    });
    page = context.pages()[0] || await context.newPage();
    const origin = new URL(opt.url).origin;
    page.on('console', (message) => {
      if (message.type() === 'error' && !allowed.some((pattern) => pattern.test(message.text()))) {
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
    const shot = (file) => page.screenshot({ path: join(opt.screenshots, file), fullPage: true });
    log('opening', `${opt.url}/portal/`);
    await page.goto(`${opt.url}/portal/`);
    await scenario({ page, log, shot });
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
}
