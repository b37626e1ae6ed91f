import { describe, expect, it } from 'vitest';
import type { SharedDetails } from '../../src/lib/api';
import { NOTHING_TICKED, onlyTicked } from '../../src/lib/shared';

const details: SharedDetails = {
  alias: 'Luz Marina', age: 15, gender: 'unknown', nationality: 'VE', languages: ['es'],
  travelling: 'unaccompanied', helper: 'not-asked',
};

describe('onlyTicked', () => {
  it('sends nothing of the child when nothing is ticked', () => {
    expect(Object.values(onlyTicked(details, NOTHING_TICKED)).every((v) => v === null)).toBe(true);
  });

  it('sends only the ticked details', () => {
    const sent = onlyTicked(details, { ...NOTHING_TICKED, age: true });
    expect(sent.age).toBe(15);
    expect({ ...sent, age: null }).toEqual(onlyTicked(details, NOTHING_TICKED));
  });
});
