// Every string on screen comes from locales/<lang>/*.ftl through Fluent.
// A new locale folder (say, Haitian Creole) appears in the language switch
// with no code change; any message it lacks falls back to Spanish.
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import { isCommandError, type Text } from './api/types';

const sources = import.meta.glob('../../../locales/*/*.ftl', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export const DEFAULT_LOCALE = 'es';

/** One bundle per locale folder found among `files` (path → Fluent source). */
export function buildBundles(files: Record<string, string>): Map<string, FluentBundle> {
  const bundles = new Map<string, FluentBundle>();
  for (const [path, source] of Object.entries(files)) {
    const locale = path.split('/').at(-2)!;
    let bundle = bundles.get(locale);
    if (!bundle) {
      bundle = new FluentBundle(locale, { useIsolating: false });
      bundles.set(locale, bundle);
    }
    const errors = bundle.addResource(new FluentResource(source));
    for (const e of errors) console.error(`locales/${locale}:`, e);
  }
  return bundles;
}

const bundles = buildBundles(sources);

/** Spanish first, then the rest alphabetically. */
export function localesOf(found: Map<string, FluentBundle>): string[] {
  return [...found.keys()].sort((a, b) => (a === DEFAULT_LOCALE ? -1 : b === DEFAULT_LOCALE ? 1 : a.localeCompare(b)));
}
export const locales: string[] = localesOf(bundles);

export type Args = Record<string, FluentVariable | undefined>;

export class I18n {
  locale = $state(DEFAULT_LOCALE);
  private bundles: Map<string, FluentBundle>;

  constructor(found: Map<string, FluentBundle>) {
    this.bundles = found;
  }

  setLocale(locale: string) {
    if (this.bundles.has(locale)) {
      this.locale = locale;
      if (typeof document !== 'undefined') document.documentElement.lang = locale;
    }
  }

  /** The message `id` in the current locale, else in Spanish, else the id itself. */
  t(id: string, args?: Args): string {
    for (const locale of [this.locale, DEFAULT_LOCALE]) {
      const bundle = this.bundles.get(locale);
      const message = bundle?.getMessage(id);
      if (bundle && message?.value) {
        // With an errors array Fluent never throws: a missing variable shows as {$name}.
        const errors: Error[] = [];
        const text = bundle.formatPattern(message.value, clean(args), errors);
        if (errors.length && import.meta.env.DEV) console.warn(id, errors);
        return text;
      }
    }
    return id;
  }

  /** The name of a locale in its own language (for the language switch). */
  nameOf(locale: string): string {
    const bundle = this.bundles.get(locale);
    const message = bundle?.getMessage('language-name');
    return bundle && message?.value ? bundle.formatPattern(message.value) : locale;
  }

  /** Content text in the current locale, else Spanish; `fallback` says which. */
  pick(text: Text): { text: string; fallback: boolean } {
    const own = text[this.locale]?.trim();
    if (own) return { text: own, fallback: false };
    return { text: text[DEFAULT_LOCALE] ?? '', fallback: this.locale !== DEFAULT_LOCALE };
  }

  /** A sentence for any error a command may return. */
  error(e: unknown): string {
    if (!isCommandError(e)) return this.t('error-unexpected');
    const secs = Number(e.retry_after_secs ?? 0);
    // A server refusal with a sentence of its own (locales/*/abuse.ftl), else the generic one.
    if (e.code === 'refused' && typeof e.reason === 'string') {
      const own = this.t(`error-refused-${e.reason}`);
      if (own !== `error-refused-${e.reason}`) return own;
    }
    const text = this.t(`error-${e.code}`, { ...e, minutes: Math.max(1, Math.ceil(secs / 60)) });
    return text === `error-${e.code}` ? this.t('error-unexpected') : text;
  }
}

function clean(args?: Args): Record<string, FluentVariable> | undefined {
  if (!args) return undefined;
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Record<
    string,
    FluentVariable
  >;
}

export const i18n = new I18n(bundles);
export const t = (id: string, args?: Args) => i18n.t(id, args);
