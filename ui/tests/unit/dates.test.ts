import { describe, expect, it } from 'vitest';
import { longDate } from '../../src/lib/dates';

describe('longDate', () => {
  it('reads a content date as a long date in the UI language', () => {
    expect(longDate('2026-11-23', 'es')).toBe('23 de noviembre de 2026');
    expect(longDate('2026-11-23', 'en')).toBe('November 23, 2026');
    expect(longDate('2026-11-23', 'pt')).toBe('23 de novembro de 2026');
  });

  it('never shifts the day, whatever the time zone', () => {
    expect(longDate('2026-01-01', 'es')).toBe('1 de enero de 2026');
  });

  it('leaves what is not a date as it is', () => {
    expect(longDate('pronto', 'es')).toBe('pronto');
    expect(longDate(null, 'es')).toBe('');
  });
});
