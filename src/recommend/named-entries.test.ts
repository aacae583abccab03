import { describe, expect, it } from 'vitest';
import { removeByName, upsertByName } from './named-entries.js';

describe('upsertByName / removeByName', () => {
  const list = [{ name: 'home', n: 1 }, { name: 'cart', n: 2 }];

  it('replaces in place, appends new ones, and counts a name given twice once', () => {
    expect(upsertByName(list, [{ name: 'cart', n: 3 }, { name: 'pdp', n: 4 }, { name: 'pdp', n: 5 }], 10, 'placements')).toEqual({
      ok: true, value: { list: [{ name: 'home', n: 1 }, { name: 'cart', n: 3 }, { name: 'pdp', n: 5 }], created: ['pdp'], replaced: ['cart'] },
    });
  });

  it('refuses to grow past the limit, but replacing in a full list is fine', () => {
    expect(upsertByName(list, [{ name: 'pdp', n: 4 }], 2, 'placements')).toEqual({ ok: false, error: 'a workspace has at most 2 placements: it has 2, and 1 would be added' });
    expect(upsertByName(list, [{ name: 'home', n: 9 }], 2, 'placements').ok).toBe(true);
  });

  it('removes by name, or says there was none', () => {
    expect(removeByName(list, 'home')).toEqual([{ name: 'cart', n: 2 }]);
    expect(removeByName(list, 'nope')).toBeNull();
  });
});
