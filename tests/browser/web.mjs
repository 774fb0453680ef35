// Browser test of plaint serve's web pages in headless Chromium (Debian's chromium, driven by
// playwright-core), with JavaScript switched off: the pages must work without it. Submits a
// complaint through the form, finds it on the status page with its reference number and access
// code, checks that a wrong code and an unknown reference show nothing, and signs in to the
// compliance dashboard. Screenshots go to SHOTDIR. Prints "ok - ..." / "not ok - ..." lines (TAP
// style) and, last, one JSON line {"ref", "code"} for the calling script.
// Usage: node web.mjs BASE_URL SHOTDIR STAFF_TOKEN
import { chromium } from 'playwright-core';

const [base, shots, token] = process.argv.slice(2);
let failures = 0;
function check(what, cond, detail) {
  console.log(`${cond ? 'ok' : 'not ok'} - ${what}${cond || detail === undefined ? '' : ': ' + detail}`);
  if (!cond) failures++;
}

const browser = await chromium.launch({
  executablePath: process.env.PLAINT_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let ref = '', code = '';
try {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1000, height: 800 } });
  const page = await ctx.newPage();
  const shot = (name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });

  // 1. the complaint form
  let resp = await page.goto(`${base}/complaint`);
  check('the form page answers 200', resp.status() === 200, resp.status());
  await page.fill('#name', 'Zoë Łukasiewicz-Ørsted');
  await page.fill('#email', 'zoe@example.com');
  await page.selectOption('#category', 'Mortgage');
  await page.fill('#narrative', 'My October mortgage payment was taken twice. Please refund the second one.');
  await shot('01-complaint-form');
  [resp] = await Promise.all([page.waitForNavigation(), page.click('#submit')]);
  check('submitting answers 201', resp.status() === 201, resp.status());
  ref = ((await page.textContent('#ref')) || '').trim();
  code = ((await page.textContent('#code')) || '').trim();
  check('a reference number is shown', /^CMP-\d{4}-\d{6,}$/.test(ref), ref);
  check('an access code is shown', /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/.test(code), code);
  await shot('02-complaint-received');

  // 2. the status page with the right code
  async function lookup(r, c) {
    await page.goto(`${base}/status`);
    await page.fill('#ref', r);
    await page.fill('#code', c);
    const [res] = await Promise.all([page.waitForNavigation(), page.click('#lookup')]);
    return res;
  }
  resp = await lookup(ref, code.toLowerCase().replaceAll('-', ' '));
  check('the right code (any case, spaces) answers 200', resp.status() === 200, resp.status());
  check('the status page shows the reference', ((await page.textContent('#c-ref')) || '').trim() === ref);
  const status = ((await page.textContent('#c-status')) || '').trim();
  check('the status page shows a status', status.length > 0, status);
  const rows = await page.locator('#history tr').count();
  check('the history has the received line and the status changes', rows >= 3, rows);
  check('the category is shown', (await page.content()).includes('Mortgage'));
  check('no personal data on the status page', !(await page.content()).includes('zoe@example.com') && !(await page.content()).includes('Łukasiewicz'));
  await shot('03-status-found');

  // 3. a wrong code shows nothing of the complaint
  const wrong = (code[0] === 'A' ? 'B' : 'A') + code.slice(1);
  resp = await lookup(ref, wrong);
  check('a wrong code answers 404', resp.status() === 404, resp.status());
  check('a wrong code shows the not-found message', await page.locator('#not-found').isVisible());
  check('a wrong code shows no complaint table', (await page.locator('#complaint').count()) === 0);
  check('a wrong code shows no status, history or category',
        (await page.locator('#history').count()) === 0 && !(await page.content()).includes('Mortgage'));
  await shot('04-status-wrong-code');

  // 4. an unknown reference looks the same
  const wrongBody = (await page.textContent('main')).replace(ref, 'REF');
  resp = await lookup('CMP-2026-999999', code);
  check('an unknown reference answers 404', resp.status() === 404, resp.status());
  check('an unknown reference reads exactly like a wrong code',
        (await page.textContent('main')).replace('CMP-2026-999999', 'REF') === wrongBody);
  await shot('05-status-unknown-reference');

  // 5. the compliance dashboard
  resp = await page.goto(`${base}/dashboard`);
  check('the dashboard sends a stranger to the sign-in page', page.url().endsWith('/login'), page.url());
  await page.fill('#token', token);
  [resp] = await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
  check('signing in leads to the dashboard', page.url().endsWith('/dashboard') && resp.status() === 200, `${page.url()} ${resp.status()}`);
  const open = Number(((await page.textContent('#open-total')) || '').trim());
  check('the dashboard counts the open complaint', open >= 1, open);
  check('the dashboard lists the escalation or the open status', (await page.locator('#by-status tr').count()) >= 2);
  check('the dashboard shows the latest verification', ((await page.textContent('#verification')) || '').includes('verified'));
  check('the dashboard links the reports', (await page.locator('#reports a').count()) >= 1);
  await shot('06-dashboard');
  [resp] = await Promise.all([page.waitForNavigation(), page.click('#sign-out')]);
  resp = await page.goto(`${base}/dashboard`);
  check('after signing out the dashboard asks to sign in again', page.url().endsWith('/login'), page.url());
  await ctx.close();
} catch (e) {
  check('the browser session ran to the end', false, e.message);
} finally {
  await browser.close();
}
console.log(JSON.stringify({ ref, code }));
process.exit(failures === 0 ? 0 : 1);
