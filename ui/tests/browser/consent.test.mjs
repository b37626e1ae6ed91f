// The consent step in headless Chromium, against the fake command module:
// keeping the case on the organisation's server is opt-in, and the sentence
// says what the server holds and for how long.
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
  describe(`consent step at ${name} size`, () => {
    it('starts with "keep on the server" unticked and says what the server holds', async () => {
      const page = await browser.newPage({ viewport });
      await page.goto(site.url);
      await page.click('[data-test=door-staff]');
      await page.getByRole('heading', { name: 'Primer uso: crea tu perfil' }).waitFor();
      await page.fill('[data-test=name]', 'Ana');
      await page.fill('[data-test=pin]', '482916');
      await page.fill('[data-test=pin-again]', '482916');
      await page.click('[data-test=submit]');
      await page.getByRole('heading', { name: 'Hola, Ana' }).waitFor();

      await page.click('[data-test=case-line]');
      await page.getByRole('heading', { name: 'Luz' }).waitFor();
      await page.click('[data-test=refer]');
      await page.click('[data-test=choose-svc-aloj]');
      // What the receiver may learn of the child is opt-in, detail by detail.
      for (const f of ['alias', 'age', 'gender', 'nationality', 'languages', 'travelling', 'helper']) {
        assert.equal(await page.locator(`[data-test=share-${f}]`).isChecked(), false, f);
      }
      await page.click('[data-test=summary-reviewed]');
      await page.click('[data-test=summary-next]');
      await page.getByRole('heading', { name: 'Consentimiento' }).waitFor();

      const box = page.locator('[data-test=share-with-org]');
      assert.equal(await box.isChecked(), false, 'no consent box is ever pre-ticked');
      for (const x of ['use-override', 'child-agrees']) {
        assert.equal(await page.locator(`[data-test=${x}]`).isChecked(), false, x);
      }
      const sentence = await page.locator('label', { has: box }).textContent();
      assert.match(sentence, /servidor de la organización/);
      assert.match(sentence, /sellado, de modo que solo los dispositivos de la organización pueden abrirlo/);
      assert.match(sentence, /plazo de conservación de la organización/);
      await assertFitsWidth(page, viewport);
      await assertAccessible(page, 'consent');
      await page.screenshot({ path: join(SHOTS, `ui-${name}-06-consent-opt-in.png`), fullPage: true });
      await box.check();
      assert.equal(await box.isChecked(), true);
      await page.close();
    });
  });
}
