// Content honesty on screen (#13), in headless Chromium against the fake
// commands: rights cards say who reviewed them (a long date, never ISO) or that
// nobody has; real lines read as real and demo as demo, never "verificado"; a
// demo pack puts a «Versión de prueba» banner on the public side; a crossing
// shows its danger-zone guidance; the result screen waits for its data, never
// says "no line" or shows an indicator's id while loading, and says
// «Sin información suficiente» when most was not assessed.
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

const bodyText = (page) => page.evaluate(() => document.body.innerText);

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  describe(`content on screen at ${name} size`, () => {
    it('shows review lines, real and demo lines, the demo banner and danger-zone guidance', async () => {
      const page = await browser.newPage({ viewport });
      await page.route((url) => !url.href.startsWith(site.url), (route) => route.abort());
      await page.goto(site.url);
      const shot = (step) => page.screenshot({ path: join(SHOTS, `content-${name}-${step}.png`), fullPage: true });

      await page.click('[data-test=door-public]');
      const banner = page.locator('[data-test=demo-banner]');
      await banner.waitFor();
      assert.match(await banner.textContent(), /^Versión de prueba/);
      await shot('01-demo-banner');

      // A reviewed rights card: who, and a long date in the UI language.
      await page.click('[data-test=country-CO]');
      const co = page.locator('[data-test=article-colombia-derechos]');
      await co.waitFor();
      assert.equal(
        (await co.locator('[data-test=review-line]').textContent()).trim(),
        'Revisado por Abogada de protección, Organización de prueba el 23 de noviembre de 2026.',
      );
      await co.locator('[data-test=legal-basis] summary').click();
      assert.match(await co.locator('[data-test=legal-basis]').textContent(), /Base legal\s*Ley 1098 de 2006, art\. 4/);
      assert.ok(!(await bodyText(page)).includes('2026-11-23'), 'no ISO date is shown');
      assert.ok(!/verificad/i.test(await bodyText(page)), 'never "verificado"');
      await assertFitsWidth(page, viewport);
      await assertAccessible(page, 'rights with review line');
      await co.screenshot({ path: join(SHOTS, `content-${name}-02-rights-card.png`) });
      await page.click('[data-locale=en]');
      assert.equal(
        (await co.locator('[data-test=review-line]').textContent()).trim(),
        'Reviewed by Abogada de protección, Organización de prueba on November 23, 2026.',
      );
      await page.click('[data-locale=es]');

      // A rights card nobody reviewed says so.
      await page.click('[data-test=change-country]');
      await page.click('[data-test=country-PE]');
      const pe = page.locator('[data-test=article-peru-derechos]');
      await pe.waitFor();
      assert.equal((await pe.locator('[data-test=review-line]').textContent()).trim(), 'Sin revisión legal todavía.');
      await page.click('[data-test=change-country]');
      await page.click('[data-test=country-CO]');

      // Help: emergency and protection lines apart; real lines read as real, demo as demo.
      await page.click('[data-test=tab-help]');
      await page.click('[data-test=chip-linea-emergencia]');
      const first = page.locator('[data-test=help-search] a.call').first();
      await first.waitFor();
      assert.equal(await first.getAttribute('href'), 'tel:123');
      await page.click('[data-test=chip-linea-proteccion]');
      const line = page.locator('[data-test=hit]', { hasText: 'Línea 141' });
      await line.waitFor();
      assert.equal(
        (await line.locator('[data-test=real-badge]').textContent()).trim(),
        'Número real. Lo revisó Equipo de contenido de Senda el 23 de noviembre de 2026.',
      );
      assert.equal(await line.locator('[data-test=demo-badge]').count(), 0);
      // The directory's own text follows the UI language when it has one.
      await page.click('[data-locale=pt]');
      await page.locator('[data-test=hit] h3', { hasText: 'Linha 141 do ICBF' }).waitFor();
      await page.click('[data-locale=es]');
      await page.click('[data-test=chip-linea-proteccion]');
      const shelter = page.locator('[data-test=hit]', { hasText: 'Alojamiento temporal' });
      await shelter.waitFor();
      assert.match(await shelter.locator('[data-test=demo-badge]').textContent(), /^Dato de prueba/);
      assert.equal(await shelter.locator('[data-test=real-badge]').count(), 0);
      assert.ok(!/verificad/i.test(await bodyText(page)), 'never "verificado"');
      await assertAccessible(page, 'help with real and demo lines');
      await shot('03-help-real-demo');

      // A crossing: its danger-zone guidance, one point per line.
      await page.click('[data-test=tab-map]');
      await page.locator('[data-test="point-p-cruce-cucuta"]').dispatchEvent('click');
      const card = page.locator('[data-test=map-card]');
      const dangers = card.locator('[data-test=place-dangers]');
      await dangers.waitFor();
      assert.match(await dangers.textContent(), /Cuidado en este paso/);
      assert.match(await dangers.textContent(), /pagar después/);
      await assertAccessible(page, 'danger-zone card');
      await card.screenshot({ path: join(SHOTS, `content-${name}-04-danger-zone-card.png`) });
      await page.close();
    });

    it('waits for the result, then shows labels and both kinds of line; insufficient never reads low', async () => {
      const page = await browser.newPage({ viewport });
      await page.goto(site.url);
      const shot = (step) => page.screenshot({ path: join(SHOTS, `content-${name}-${step}.png`), fullPage: true });
      await page.click('[data-test=door-staff]');
      await page.fill('[data-test=name]', 'Ana');
      await page.fill('[data-test=pin]', '482916');
      await page.fill('[data-test=pin-again]', '482916');
      await page.click('[data-test=submit]');
      await page.getByRole('heading', { name: 'Hola, Ana' }).waitFor();

      await page.locator('[data-test=case-line]', { hasText: 'Sol' }).click();
      await page.getByRole('button', { name: 'Ver resultado' }).click();
      // While loading: a loading state, never a false "no line", never a raw id.
      await page.locator('[data-test=result-loading]').waitFor();
      const seen = [];
      const watch = setInterval(async () => {
        seen.push(await bodyText(page).catch(() => ''));
      }, 50);
      await page.locator('[data-test=result]').waitFor();
      clearInterval(watch);
      seen.push(await bodyText(page));
      for (const text of seen) {
        assert.ok(!text.includes('no tiene una línea'), 'no false "no line" while loading');
        assert.ok(!text.includes('sin-alojamiento') && !text.includes('peligro-inmediato'), 'no raw indicator ids');
      }
      assert.equal(await page.locator('[data-test=result-loading]').count(), 0);
      const contributions = await page.textContent('[data-test=contributions]');
      assert.match(contributions, /Sin lugar seguro donde dormir/);
      assert.match(contributions, /Peligro inmediato/);
      assert.equal(await page.locator('[data-test=emergency-lines] a').first().getAttribute('href'), 'tel:123');
      assert.equal(await page.locator('[data-test=protection-lines] a').first().getAttribute('href'), 'tel:141');
      assert.equal(await page.locator('[data-test=no-line]').count(), 0);
      assert.match(await page.textContent('[data-test=not-validated]'), /No es un instrumento validado/);
      await assertFitsWidth(page, viewport);
      await assertAccessible(page, 'result immediate');
      await shot('05-result-immediate');

      // All undisclosed: «Sin información suficiente», never «Riesgo bajo».
      await page.click('text=Volver al caso');
      await page.click('[data-test=case-back]');
      await page.locator('[data-test=case-line]', { hasText: 'Ana' }).click();
      await page.getByRole('button', { name: 'Ver resultado' }).click();
      const badge = page.locator('[data-test=result] [data-test=level]');
      await badge.waitFor();
      assert.equal(await badge.getAttribute('data-level'), 'insufficient');
      assert.equal((await badge.textContent()).trim(), 'Sin información suficiente');
      assert.ok(!(await bodyText(page)).includes('Riesgo bajo'));
      await page.locator('[data-test=insufficient]').waitFor();
      await assertAccessible(page, 'result insufficient');
      await shot('06-result-insufficient');
      await page.close();
    });
  });
}
