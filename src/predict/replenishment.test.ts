import { describe, expect, it } from 'vitest';
import { createIntervalCollector, productDays, replenishmentDue } from './replenishment.js';

const DAY = 86_400_000;

describe('replenishment', () => {
  it('learns product intervals from people who bought again, and ignores products bought once', () => {
    const pop = createIntervalCollector({ minIntervals: 3, minPeople: 2 });
    pop.add(new Map([['coffee', [0, 30, 60]], ['lamp', [5]]]));
    pop.add(new Map([['coffee', [100, 120]]]));
    pop.add(new Map([['coffee', [7, 47]]]));
    // coffee gaps: 30, 30, 20, 40 → median 30.
    expect(pop.productIntervals()).toEqual(new Map([['coffee', 30]]));
  });

  it('shrinks the person\'s own mean interval toward the product\'s, by (n·own + k·pop)/(n + k)', () => {
    const intervals = new Map([['coffee', 30], ['tea', 60]]);
    // Coffee: own intervals 10, 10 (n=2, mean 10), k=2 → (20 + 60)/4 = 20 days after day 20.
    // Tea: bought once (n=0) → the population's 60 days after day 5.
    const due = replenishmentDue(new Map([['coffee', [0, 10, 20]], ['tea', [5]], ['lamp', [1, 2]]]), intervals);
    expect(due).toEqual({ coffee: 40 * DAY, tea: 65 * DAY });
    expect(Object.keys(due)).toEqual(['coffee', 'tea']);
  });

  it('reads distinct purchase days per product from order lines, returns left out', () => {
    const days = productDays([
      { placedAt: 3 * DAY + 5, items: [{ itemId: 'a', quantity: 1 }, { itemId: 'b', quantity: -1 }] },
      { placedAt: 3 * DAY + 9, items: [{ itemId: 'a', quantity: 2 }] },
      { placedAt: 1 * DAY, items: [{ itemId: 'a', quantity: 1 }] },
    ]);
    expect(days).toEqual(new Map([['a', [1, 3]]]));
  });
});
