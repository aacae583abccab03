import { describe, expect, it } from 'vitest';
import { evaluateOffline } from './offline-evaluation.js';
import { seededRng } from './rng.js';
import type { TrainingInteraction } from './serving-model.js';

const DAY = 86_400_000;
const SPLIT = Date.UTC(2024, 5, 1);
const buy = (userId: string, itemId: string, daysFromSplit: number): TrainingInteraction => ({ userId, itemId, kind: 'purchase', at: SPLIT + daysFromSplit * DAY, orderId: `${userId}-${itemId}-${daysFromSplit}` });

describe('evaluateOffline', () => {
  // Profiled people a and b; c – f refused profiling. Everyone's favourite is "mug", which only
  // the refused people bought before the split; a and b buy it after.
  const allowed = [buy('a', 'tea', -10), buy('b', 'spoon', -9), buy('b', 'spoon', -8), buy('a', 'mug', 5), buy('b', 'mug', 6)];
  const refused = ['c', 'd', 'e', 'f'].map((u, i) => buy(u, 'mug', -20 + i));
  const catalog = ['tea', 'spoon', 'mug'].map((id) => ({ id, name: id, categoryPath: [], brand: null, tags: [], attributes: {}, price: null, currency: null, inStock: true, createdAt: SPLIT - 100 * DAY }));
  const popularityAt1 = (everyone?: readonly TrainingInteraction[]) => {
    const r = evaluateOffline({ interactions: allowed, ...(everyone === undefined ? {} : { everyone }), catalog: catalog as never, splitAt: SPLIT, ks: [1], rng: seededRng(1) });
    return r.rows.find((row) => row.strategy === 'popularity')!;
  };

  it('counts everyone in the popularity baselines, as serving does, and only the profiled people in the test', () => {
    const withEveryone = popularityAt1([...allowed, ...refused]);
    const withoutThem = popularityAt1();
    // With everyone, "mug" leads and is a's and b's first recommendation: two hits. Without,
    // a gets "spoon" and b (who has it) "tea": none.
    expect(withEveryone.recall).toBe(1);
    expect(withoutThem.recall).toBe(0);
    expect(withEveryone.users).toBe(2);
    expect(withoutThem.users).toBe(2);
  });
});
