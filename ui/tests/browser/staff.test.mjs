// The staff door in headless Chromium, against the fake command module,
// at a desktop and a 360×640 phone viewport.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, VIEWPORTS, assertFitsWidth, assertAccessible, launch, serveDist } from './harness.mjs';

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
  describe(`staff door at ${name} size`, () => {
    it('creates the vault, locks, refuses a wrong PIN and unlocks', async () => {
      const page = await browser.newPage({ viewport });
      await page.goto(site.url);
      const shot = (step) => page.screenshot({ path: join(SHOTS, `ui-${name}-${step}.png`), fullPage: true });

      await page.getByRole('heading', { name: '¿Qué necesitas hoy?' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'es');
      await assertFitsWidth(page, viewport);
      await assertAccessible(page, 'start');
      await shot('01-start');

      await page.click('[data-test=door-staff]');
      await page.getByRole('heading', { name: 'Primer uso: crea tu perfil' }).waitFor();
      await page.fill('[data-test=name]', 'Ana');
      await page.fill('[data-test=pin]', '482916');
      await page.fill('[data-test=pin-again]', '482917');
      await page.click('[data-test=submit]');
      assert.equal(await page.textContent('[data-test=error]'), 'Los dos PIN no coinciden.');
      await page.fill('[data-test=pin]', '482916');
      await page.fill('[data-test=pin-again]', '482916');
      await assertAccessible(page, 'create');
      await shot('02-create');
      await page.click('[data-test=submit]');

      await page.getByRole('heading', { name: 'Hola, Ana' }).waitFor();
      await page.getByText('Lista de verificación: Tamizaje en el cruce (v2, 3 preguntas)').waitFor();
      await assertFitsWidth(page, viewport);
      await assertAccessible(page, 'staff home');
      await shot('03-home');

      // The directory: a demo entry says so; an empty area says so and offers the nearest.
      await page.fill('[data-test=directory-text]', 'alojamiento');
      await page.click('[data-test=directory-submit]');
      await page.locator('[data-test=demo-badge]').first().waitFor();
      assert.equal(await page.locator('[data-test=demo-badge]').first().textContent(), 'Dato de prueba: puede no ser real. Pregunta a un equipo humanitario antes de ir o llamar.');
      await page.selectOption('[data-test=directory-country]', 'BO');
      await page.click('[data-test=directory-submit]');
      await page.getByText('No hay ningún servicio que coincida en esta zona.').waitFor();
      await page.getByText('Los más cercanos en otras zonas').waitFor();
      await page.locator('[data-test=service-search]').screenshot({ path: join(SHOTS, `ui-${name}-03b-directory.png`) });

      await page.click('[data-test=lock]');
      await page.getByRole('heading', { name: 'Personal' }).waitFor();
      // One person on the device: already chosen, by the first word of her name.
      await page.getByText('PIN de Ana').waitFor();
      await page.fill('[data-test=pin]', '000000');
      await page.click('[data-test=submit]');
      const error = await page.textContent('[data-test=error]');
      assert.equal(error, 'PIN incorrecto. Quedan 9 intentos antes del bloqueo.');
      await shot('04-wrong-pin');

      await page.fill('[data-test=pin]', '482916');
      await page.click('[data-test=submit]');
      await page.getByRole('heading', { name: 'Hola, Ana' }).waitFor();

      // The owner adds a colleague with the same PIN (allowed: unlock asks who first).
      await page.fill('[data-test=staff-name]', 'Beto Ruiz');
      await page.fill('[data-test=staff-pin]', '482916');
      await page.click('[data-test=staff-submit]');
      await page.getByText('Beto Ruiz ya puede abrir la bóveda con su propio PIN.').waitFor();
      await page.click('[data-test=lock]');
      await page.getByRole('heading', { name: '¿Quién eres?' }).waitFor();
      assert.deepEqual(await page.locator('[data-test=who]').allTextContents().then((t) => t.map((s) => s.trim())), ['Ana', 'Beto']);
      await assertFitsWidth(page, viewport);
      await assertAccessible(page, 'who are you');
      await shot('04b-who');
      await page.click('[data-test=who][data-label=Beto]');
      await page.getByText('PIN de Beto').waitFor();
      await page.fill('[data-test=pin]', '482916');
      await page.click('[data-test=submit]');
      await page.getByRole('heading', { name: 'Hola, Beto Ruiz' }).waitFor();
      // Staff neither add nor remove colleagues.
      await page.locator('[data-test=staff-owner-only]').waitFor();
      assert.equal(await page.locator('[data-test=remove-staff]').count(), 0);
      await page.click('[data-test=lock]');

      await page.click('[data-test=who][data-label=Ana]');
      await page.fill('[data-test=pin]', '482916');
      await page.click('[data-test=submit]');
      await page.getByRole('heading', { name: 'Hola, Ana' }).waitFor();
      await page.click('[data-test=remove-staff][data-name="Beto Ruiz"]');
      await page.locator('[data-test=remove-confirm]').waitFor();
      await shot('04c-remove');
      await page.click('[data-test=remove-yes]');
      await page.getByText('Se quitó a Beto Ruiz. Su PIN ya no abre este dispositivo.').waitFor();
      await page.click('[data-test=lock]');
      await page.getByText('PIN de Ana').waitFor();
      assert.equal(await page.locator('[data-test=not-me]').count(), 0);
      await page.fill('[data-test=pin]', '482916');
      await page.click('[data-test=submit]');
      await page.getByRole('heading', { name: 'Hola, Ana' }).waitFor();

      await page.click('[data-locale=en]');
      await page.getByRole('heading', { name: 'Hello, Ana' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await shot('05-home-en');
      await page.click('[data-locale=pt]');
      await page.getByRole('heading', { name: 'Olá, Ana' }).waitFor();
      await page.close();
    });
  });
}
