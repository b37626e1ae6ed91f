// Dates a person reads: long and in the UI language («23 de noviembre de 2026»),
// never ISO. Content dates are calendar days, so they are read in UTC.

/** `YYYY-MM-DD` as a long date in `locale`; anything else is returned as given. */
export function longDate(iso: string | null | undefined, locale: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  if (!m) return iso ?? '';
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(day);
}
