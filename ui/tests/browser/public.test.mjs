// The public side (migrant mode) in headless Chromium, against the fake
// command module, at a desktop and a 360×640 phone viewport: country, rights,
// language switch, help search, the offline map, quick exit; axe on each screen.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, VIEWPORTS, assertAccessible, assertFitsWidth, launch, serveDist } from './harness.mjs';

let browser;
let site;
before(async () => {
  site = await serveDist();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  site?.close();
});

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  describe(`public side at ${name} size`, () => {
    it('shows rights for the chosen country, help, the map, and exits quickly', async () => {
      const page = await browser.newPage({ viewport });
      // No network beyond the local test server: the map must draw offline.
      await page.route((url) => !url.href.startsWith(site.url), (route) => route.abort());
      await page.goto(site.url);
      const historyAtStart = await page.evaluate(() => history.length);
      const shot = (step) => page.screenshot({ path: join(SHOTS, `ui-${name}-p${step}.png`), fullPage: true });

      await page.click('[data-test=door-public]');
      await page.getByRole('heading', { name: 'Información y derechos' }).waitFor();
      assert.equal(await page.locator('input[type=password]').count(), 0);
      await page.locator('[data-test=quick-exit]').waitFor();
      await assertAccessible(page, 'country choice');
      await shot('01-country');

      await page.click('[data-test=country-CO]');
      await page.getByRole('heading', { name: 'Tus derechos en Colombia' }).waitFor();
      await page.getByRole('heading', { name: 'En Colombia: tus derechos' }).waitFor();
      assert.equal(await page.locator('[data-test=article-peru-derechos]').count(), 0, 'another country is not shown');
      await assertFitsWidth(page, viewport);
      await assertAccessible(page, 'rights');
      await shot('02-rights');

      // Another country: its own rights card replaces Colombia's.
      await page.click('[data-test=change-country]');
      await page.click('[data-test=country-PE]');
      await page.getByRole('heading', { name: 'En Perú: tus derechos' }).waitFor();
      assert.equal(await page.locator('[data-test=article-colombia-derechos]').count(), 0);
      await page.click('[data-test=change-country]');
      await page.click('[data-test=country-CO]');
      await page.getByRole('heading', { name: 'En Colombia: tus derechos' }).waitFor();

      // English and back; a missing translation falls back to Spanish and says so.
      await page.click('[data-locale=en]');
      await page.getByRole('heading', { name: 'In Colombia: your rights' }).waitFor();
      await page.click('[data-test=tab-journey]');
      const offers = page.locator('[data-test=article-ofertas-falsas]');
      assert.equal(await offers.locator('h3').textContent(), 'Watch out for offers that are too good');
      await page.click('[data-locale=pt]');
      assert.equal(await offers.locator('h3').textContent(), 'Cuidado con las ofertas demasiado buenas');
      assert.match(await offers.locator('[data-test=fallback]').textContent(), /espanhol/);
      await page.click('[data-locale=es]');
      await page.getByRole('heading', { name: 'Antes de salir' }).waitFor();
      await assertAccessible(page, 'journey');
      await shot('03-journey');

      // Help: a hotline with a click-to-call link, and whom each service serves.
      await page.click('[data-test=tab-help]');
      await page.click('[data-test=chip-linea-emergencia]');
      const call = page.locator('[data-test=help-search] a.call').first();
      await call.waitFor();
      assert.equal(await call.getAttribute('href'), 'tel:123');
      await page.getByText('Atiende a personas LGBTIQ+').first().waitFor();
      await assertAccessible(page, 'help');
      await shot('04-help');

      // The map: drawn from bundled outlines; tapping a point opens its card.
      await page.click('[data-test=tab-map]');
      // The map's code and outlines load when the tab is opened.
      const land = page.locator('[data-test=map] path.land');
      await land.first().waitFor();
      assert.ok((await land.count()) > 100, 'country outlines are drawn');
      await page.click('[data-test=zoom-in]');
      await page.locator('[data-test="point-p-trochas-cucuta"]').dispatchEvent('click');
      await page.locator('[data-test=map-card]').getByText('Pasos no oficiales (demo)').waitFor();
      await assertFitsWidth(page, viewport);
      await assertAccessible(page, 'map');
      await shot('05-map');

      // Quick exit with the button: a neutral page; nothing of Senda, no way back in history.
      await page.click('[data-test=quick-exit]');
      await page.locator('[data-test=neutral]').waitFor();
      assert.equal(await page.getByText('Senda').count(), 0);
      assert.equal(await page.title(), 'Notas');
      assert.equal(await page.evaluate(() => history.length), historyAtStart, 'no history entries to go back to');
      await shot('06-quick-exit');

      // Back in (three taps), the country choice is gone: state was dropped. Escape exits too.
      for (let i = 0; i < 3; i++) await page.click('.neutral-title');
      await page.click('[data-test=door-public]');
      await page.locator('[data-test=country-chooser]').waitFor();
      await page.keyboard.press('Escape');
      await page.locator('[data-test=neutral]').waitFor();
      await page.close();
    });

    it('offers large text and high contrast without storing anything', async () => {
      const page = await browser.newPage({ viewport });
      await page.goto(site.url);
      await page.click('[data-test=door-public]');
      await page.click('[data-test=country-PE]');
      await page.click('.display-settings summary');
      await page.check('[data-test=large-text]');
      await page.check('[data-test=high-contrast]');
      assert.equal(await page.evaluate(() => document.documentElement.className), 'large-text high-contrast');
      await assertFitsWidth(page, viewport);
      await assertAccessible(page, 'large text, high contrast');
      await shot(page, name);
      const stored = await page.evaluate(() => localStorage.length + sessionStorage.length + document.cookie.length);
      assert.equal(stored, 0, 'the public side stores nothing in the browser');
      await page.close();
    });
  });
}

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `ui-${name}-p07-large-contrast.png`), fullPage: true });
