import { describe, expect, it } from 'vitest';
import { form } from '../../src/lib/form.svelte';

describe('form', () => {
  it('keeps a refusal until what it was about changes', async () => {
    const f = form();
    await f.run(async () => {
      throw { code: 'consent-incomplete', missing: 'child-agreement' };
    });
    expect(f.error).toEqual({ code: 'consent-incomplete', missing: 'child-agreement' });
    f.clear();
    expect(f.error).toBeNull();
  });
});
