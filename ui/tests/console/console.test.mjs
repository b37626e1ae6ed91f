// The web console in headless Chromium, against a real senda-server
// (crates/senda-server/examples/console_demo.rs): log in with the one-time
// password and TOTP, add staff, make an enrolment code, enrol a real device
// with it, see it after its sync, revoke it, route a service, open the
// statistics with a suppressed cell and the time to acceptance, export the CSV,
// set the retention period and PIN policy and see a device follow them after
// its sync. axe-core at desktop and tablet size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, SHOTS, assertAccessible, assertFitsWidth } from '../browser/harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const DEMO = join(here, '../../../target/debug/examples/console_demo');
const DESKTOP = { width: 1280, height: 800 };
const TABLET = { width: 768, height: 1024 };

let demo, lines, info, browser;

/** The next line the demo prints that starts with `prefix`. */
function nextLine(prefix) {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no "${prefix}" line from the demo`)), 120_000);
    const on = (line) => {
      if (line.startsWith(prefix)) {
        clearTimeout(timer);
        lines.off('line', on);
        ok(line);
      }
    };
    lines.on('line', on);
  });
}

before(async () => {
  demo = spawn(DEMO, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  lines = createInterface({ input: demo.stdout });
  info = JSON.parse(await nextLine('{'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  demo?.kill();
});

/** RFC 6238 (SHA-1, 6 digits, 30 s) from a base-32 secret, as an authenticator app does. */
function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage: true });
}

async function check(page, name, viewport) {
  await assertFitsWidth(page, viewport);
  await assertAccessible(page, name);
  await shot(page, name);
}

test('a coordinator runs Senda from the console', { timeout: 300_000 }, async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'es-CO', acceptDownloads: true,
    // The console's CSP forbids inline scripts; only axe-core is injected here.
    bypassCSP: true });
  const page = await context.newPage();
  const url = (path) => `${info.url}${path}`;

  // Log in: the one-time password, a new password, then the second factor.
  await page.goto(url('/console/'));
  assert.match(page.url(), /\/console\/login$/);
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  await check(page, 'login-desktop', DESKTOP);
  await page.fill('#login', 'admin');
  await page.fill('#password', info.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/console\/password$/);
  await page.fill('#password', 'una frase larga para la consola');
  await page.fill('#repeat', 'una frase larga para la consola');
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/console\/totp$/);
  await check(page, 'totp-setup-desktop', DESKTOP);
  const secret = await page.getAttribute('[data-secret]', 'data-secret');
  await page.fill('#code', totp(secret));
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/console\/organisations$/);
  await check(page, 'organisations-desktop', DESKTOP);

  // Add a colleague and make an enrolment code for her.
  await page.goto(url(`/console/org/${info.field}/staff`));
  await page.fill('#staff-name', 'Rosa Díaz');
  await page.fill('#staff-team', 'frontera');
  await page.click('section[aria-labelledby=add-h] button[type=submit]');
  await page.waitForSelector('.notice');
  await page.click('button[aria-label="Crear código de inscripción para Rosa Díaz"]');
  await page.waitForSelector('[data-code]');
  const code = await page.getAttribute('p.code [data-code]', 'data-code');
  assert.match(code, /^[0-9A-Z]{10}$/);
  assert.ok(await page.isVisible('figure.qr svg'), 'the code as a QR code');
  assert.match(await page.textContent('section.once'), /caduca en 7 días/);
  await check(page, 'enrolment-code-desktop', DESKTOP);

  // A real device enrols with that code and syncs: it appears as Rosa's.
  demo.stdin.write(`enrol ${code}\n`);
  const deviceId = (await nextLine('enrolled ')).split(' ')[1];
  await page.goto(url(`/console/org/${info.field}/devices`));
  const row = page.locator(`tr[data-device="${deviceId}"]`);
  assert.match(await row.textContent(), /Rosa Díaz/);
  // What the device reported at its sync: versions, outbox, audit log count and head.
  assert.match(await row.locator('[data-versions]').textContent(), /Aplicación \S+.*Contenido v1/s);
  assert.match(await row.locator('[data-audit]').textContent(), /\d+ entradas/);
  await check(page, 'devices-desktop', DESKTOP);
  await row.locator('button').click();
  await page.waitForSelector('.notice');
  assert.match(await row.textContent(), /Revocado/);
  // Its next sync is refused: the revocation took effect.
  demo.stdin.write('sync\n');
  assert.match(await nextLine('revoked'), /^revoked/);

  // Route a service, typed from the directory, to the receiving organisation.
  await page.goto(url(`/console/org/${info.receiver}/routes`));
  assert.match(await page.textContent('ul.services'), /svc-legal-rumichaca/, 'a service with no receiver');
  await page.fill('#service', 'svc-psico-tumbes');
  await page.click('main form[method=post] button[type=submit]');
  await page.waitForSelector('.notice');
  assert.match(await page.textContent('main table'), /svc-psico-tumbes/);
  await check(page, 'routes-desktop', DESKTOP);

  // Statistics: seven and one referral: the one shows as «<5», the seven is hidden with it.
  await page.goto(url('/console/stats'));
  assert.equal(await page.textContent('#by-status td[data-hidden=small]'), '<5');
  assert.ok(await page.isVisible('#by-status td[data-hidden=complement]'));
  await check(page, 'stats-desktop', DESKTOP);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a[href^="/console/stats.csv?"][href*="table=status"]'),
  ]);
  const csv = await readFile(await download.path(), 'utf8');
  assert.match(csv, /<5/);
  assert.doesNotMatch(csv, /,1,|,7,/);

  // Time to acceptance: six accepted by the receiver's device, each within a day.
  assert.match(await page.textContent('#acceptance tbody'), /0 a 1 día\s*6/);

  // Settings: retention and PIN policy, which the devices follow from their next sync.
  await page.goto(url(`/console/org/${info.field}/settings`));
  await check(page, 'settings-desktop', DESKTOP);
  await page.fill('#days', '45');
  await page.click('form[action$="/settings/retention"] button[type=submit]');
  await page.waitForSelector('.notice');
  await page.fill('#min_length', '8');
  await page.uncheck('#letters');
  await page.click('form[action$="/settings/pin"] button[type=submit]');
  await page.waitForSelector('.notice');
  assert.equal(await page.inputValue('#days'), '45');
  assert.equal(await page.inputValue('#min_length'), '8');
  assert.equal(await page.isChecked('#letters'), false);
  await check(page, 'settings-saved-desktop', DESKTOP);
  demo.stdin.write('worker-sync\n');
  assert.equal(await nextLine('settings '), 'settings 45 8 false');

  // The audit log shows what was done.
  await page.goto(url('/console/audit'));
  assert.match(await page.textContent('main table'), /Revocó un dispositivo/);
  await check(page, 'audit-desktop', DESKTOP);

  // Tablet: the same pages fit and pass axe.
  await page.setViewportSize(TABLET);
  for (const [name, path] of [
    ['stats', '/console/stats'],
    ['staff', `/console/org/${info.field}/staff`],
    ['devices', `/console/org/${info.field}/devices`],
    ['settings', `/console/org/${info.field}/settings`],
    ['content', '/console/content'],
    ['referrals', `/console/org/${info.field}/referrals`],
  ]) {
    await page.goto(url(path));
    await check(page, `${name}-tablet`, TABLET);
  }
  // The language switch: English, then Portuguese.
  await page.click('a[hreflang=en]');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('h1'), /Referrals/);
  await page.click('a[hreflang=pt]');
  assert.equal(await page.getAttribute('html', 'lang'), 'pt');
  await check(page, 'referrals-tablet-pt', TABLET);
  await context.close();
});
