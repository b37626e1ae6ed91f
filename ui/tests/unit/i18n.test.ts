import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { i18n, locales, t } from '../../src/lib/i18n.svelte';
import { COUNTRIES, ERROR_CODES, NATIONALITIES } from '../../src/lib/api/generated/types';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(svelte|ts)$/.test(name) ? [path] : [];
  });
}

/** Message ids the code names literally: t('id'), and error codes it raises itself. */
function idsUsedInCode(): Set<string> {
  const ids = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([a-z0-9-]+)'/g)) ids.add(m[1]);
    for (const m of text.matchAll(/\bcode: '([a-z0-9-]+)'/g)) ids.add(`error-${m[1]}`);
  }
  return ids;
}

describe('locales', () => {
  it('offers Spanish first, then English and Portuguese', () => {
    expect(locales[0]).toBe('es');
    expect(locales).toEqual(expect.arrayContaining(['en', 'pt']));
  });

  it('has every message the code uses, in every locale', () => {
    const used = idsUsedInCode();
    expect(used.size).toBeGreaterThan(30);
    for (const locale of locales) {
      i18n.setLocale(locale);
      const missing = [...used].filter((id) => t(id) === id);
      expect(missing, `missing in ${locale}`).toEqual([]);
    }
    i18n.setLocale('es');
  });
});

/** Prefixes of ids the code builds at run time: t(`status-${s}`) → 'status-'. */
function builtIdPrefixes(): Set<string> {
  const prefixes = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*`([a-z0-9-]+-)\$\{/g)) prefixes.add(m[1]);
  }
  return prefixes;
}

/** Every message id of one shipped locale, from all its .ftl files. */
function shippedIds(locale: string): Set<string> {
  const dir = fileURLToPath(new URL(`../../../locales/${locale}`, import.meta.url));
  const ids = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ftl'))) {
    for (const m of readFileSync(join(dir, name), 'utf8').matchAll(/^([a-z0-9-]+)\s*=/gm)) ids.add(m[1]);
  }
  return ids;
}

describe('ids built at run time', () => {
  // The literal-id test cannot see t(`status-${s}`): instead, every family of
  // such ids must exist and be the same in every shipped locale.
  it('has each family complete in every locale', () => {
    const prefixes = builtIdPrefixes();
    expect(prefixes.size).toBeGreaterThan(10);
    const spanish = shippedIds('es');
    for (const prefix of prefixes) {
      const family = [...spanish].filter((id) => id.startsWith(prefix)).sort();
      expect(family.length, `no Spanish message starts with ${prefix}`).toBeGreaterThan(0);
      for (const locale of ['en', 'pt']) {
        const other = shippedIds(locale);
        const missing = family.filter((id) => !other.has(id));
        expect(missing, `${prefix}* missing in ${locale}`).toEqual([]);
      }
    }
  });
});

describe('error sentences', () => {
  // The codes come from the Rust error enums (generated), not from a list kept here.
  it('has a sentence for every code a command can answer with, in every locale', () => {
    expect(ERROR_CODES.length).toBeGreaterThan(40);
    expect(ERROR_CODES).toContain('consent-incomplete');
    for (const locale of ['es', 'en', 'pt']) {
      const shipped = shippedIds(locale);
      const missing = ERROR_CODES.filter((code) => !shipped.has(`error-${code}`));
      expect(missing, `missing in ${locale}`).toEqual([]);
    }
  });

  it('names every country the core offers, in every locale', () => {
    for (const locale of ['es', 'en', 'pt']) {
      const shipped = shippedIds(locale);
      const missing = [...COUNTRIES, ...NATIONALITIES].filter((c) => !shipped.has(`country-${c.toLowerCase()}`));
      expect(missing, `missing in ${locale}`).toEqual([]);
    }
  });

  it('says in words what a consent lacks, never the code', () => {
    // The values of CaseError::ConsentIncomplete (crates/senda-core/src/casework/consent.rs).
    for (const locale of ['es', 'en', 'pt']) {
      i18n.setLocale(locale);
      for (const missing of ['child-agreement', 'explanation', 'language', 'consenter-not-suspected']) {
        const sentence = i18n.error({ code: 'consent-incomplete', missing });
        expect(sentence.endsWith(`: ${missing}.`), `${locale}: ${sentence}`).toBe(false);
        expect(sentence, `${locale} ${missing}`).not.toContain('{');
      }
    }
    i18n.setLocale('es');
  });

  it('says a wrong PIN with the attempts left, singular and plural', () => {
    i18n.setLocale('es');
    expect(i18n.error({ code: 'wrong-pin', attempts_left: 1 })).toBe(
      'PIN incorrecto. Queda 1 intento antes del bloqueo.',
    );
    expect(i18n.error({ code: 'wrong-pin', attempts_left: 7 })).toContain('Quedan 7 intentos');
  });

  it('turns a lockout into whole minutes', () => {
    i18n.setLocale('en');
    expect(i18n.error({ code: 'locked-out', retry_after_secs: 3600 })).toContain('in 60 minutes');
    i18n.setLocale('es');
  });

  it('gives a server refusal with a sentence of its own that sentence, others the generic one', () => {
    i18n.setLocale('es');
    expect(i18n.error({ code: 'refused', reason: 'quota-exceeded', message: 'x' })).toContain(
      'No se perdió nada',
    );
    expect(i18n.error({ code: 'refused', reason: 'quota-exceeded' })).not.toContain('quota');
    expect(i18n.error({ code: 'refused', reason: 'something-else', message: 'x' })).toContain(
      'something-else',
    );
  });

  it('never shows a raw code or a stack to a person', () => {
    expect(i18n.error({ code: 'no-such-code' })).toBe('Algo salió mal. Vuelve a intentarlo.');
    expect(i18n.error(new Error('boom'))).toBe('Algo salió mal. Vuelve a intentarlo.');
    expect(i18n.error('plain string')).toBe('Algo salió mal. Vuelve a intentarlo.');
  });
});

describe('a community locale', () => {
  it('is picked up from its folder alone and falls back to Spanish per message', async () => {
    const { I18n, buildBundles, localesOf } = await import('../../src/lib/i18n.svelte');
    const found = buildBundles({
      '../../../locales/es/app.ftl': 'greeting = Hola\nfarewell = Adiós\nlanguage-name = Español',
      '../../../locales/ht/app.ftl': 'greeting = Bonjou\nlanguage-name = Kreyòl ayisyen',
    });
    expect(localesOf(found)).toEqual(['es', 'ht']);
    const ht = new I18n(found);
    ht.setLocale('ht');
    expect(ht.t('greeting')).toBe('Bonjou');
    expect(ht.t('farewell')).toBe('Adiós');
    expect(ht.nameOf('ht')).toBe('Kreyòl ayisyen');
    // Content text in a language no screen string uses yet still shows, else Spanish with a note.
    expect(ht.pick({ es: 'Tus derechos', ht: 'Dwa ou' })).toEqual({ text: 'Dwa ou', fallback: false });
    expect(ht.pick({ es: 'Tus derechos' })).toEqual({ text: 'Tus derechos', fallback: true });
  });
});
