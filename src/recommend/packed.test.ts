import { describe, expect, it } from 'vitest';
import { DUE, LATEST, NUMBER, PackedInteractions, PackedMap, PositionSet } from './packed.js';

describe('PackedInteractions', () => {
  it('reads back every interaction, in order, with its kind and exact time', () => {
    const list = [
      { itemId: 'mug', kind: 'purchase' as const, at: Date.parse('2024-01-01T10:00:00.123Z') },
      { itemId: 'tea', kind: 'view' as const, at: 1.5 },
      { itemId: 'mug', kind: 'add_to_cart' as const, at: -86_400_000 },
    ];
    const packed = PackedInteractions.from(list);
    expect(packed.length).toBe(3);
    expect([...packed]).toEqual(list);
    // Iterable more than once.
    expect([...packed].map((e) => e.itemId)).toEqual(['mug', 'tea', 'mug']);
    expect(PackedInteractions.from([]).length).toBe(0);
    expect([...PackedInteractions.from([])]).toEqual([]);
  });
});

describe('PackedMap', () => {
  const latest = new Map([
    ['mug', { kind: 'purchase' as const, at: 1_700_000_000_123 }],
    ['tea', { kind: 'view' as const, at: 0.25 }],
    ['cup', { kind: 'add_to_cart' as const, at: 42 }],
  ]);

  it('answers like the map it was made from: get, has, size, keys, values, entries, forEach', () => {
    const packed = PackedMap.from(latest, LATEST);
    expect(packed.size).toBe(3);
    expect(packed.get('tea')).toEqual({ kind: 'view', at: 0.25 });
    expect(packed.get('nope')).toBeUndefined();
    expect(packed.has('cup')).toBe(true);
    expect(packed.has('nope')).toBe(false);
    expect([...packed.keys()]).toEqual(['mug', 'tea', 'cup']);
    expect([...packed.values()]).toEqual([...latest.values()]);
    expect([...packed.entries()]).toEqual([...latest.entries()]);
    expect(new Map(packed)).toEqual(latest);
    const seen: string[] = [];
    packed.forEach((v, k, m) => { seen.push(`${k}:${v.kind}`); expect(m).toBe(packed); });
    expect(seen).toEqual(['mug:purchase', 'tea:view', 'cup:add_to_cart']);
  });

  it('keeps numbers and three-number values exactly', () => {
    const times = new Map([['a', 1_322_000_000_000], ['b', -Infinity], ['c', Number.MAX_SAFE_INTEGER]]);
    expect(new Map(PackedMap.from(times, NUMBER))).toEqual(times);
    const due = new Map([['a', { ratio: 0.8123, intervalDays: 14.5, lastAt: 1_322_000_000_000 }]]);
    expect(PackedMap.from(due, DUE).get('a')).toEqual(due.get('a'));
    expect(PackedMap.from(new Map<string, number>(), NUMBER).size).toBe(0);
  });
});

describe('PositionSet', () => {
  it('answers like a Set of the same positions, for every position of a catalog', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const count of [0, 1, 2, 3, 50, 400]) {
      const positions = Array.from({ length: count }, () => Math.floor(random() * 1000));
      const set = PositionSet.of(positions);
      const reference = new Set(positions);
      expect(set.size).toBe(reference.size);
      for (let p = -1; p <= 1000; p++) expect(set.has(p)).toBe(reference.has(p));
    }
  });

  it('sorts numerically, not as text', () => {
    const set = PositionSet.of([100, 9, 20]);
    expect([9, 20, 100].every((p) => set.has(p))).toBe(true);
    expect(set.has(10)).toBe(false);
  });
});
