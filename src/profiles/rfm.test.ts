import { describe, expect, it } from 'vitest';
import { DAY_MS } from './inputs.js';
import { RFM_SEGMENT_GRID, fmScore, rfmSegment, type Score } from './rfm-segments.js';
import { rfmTraitValues, scoreRfm, type RfmInput } from './rfm.js';
import { RFM_SEGMENTS } from './trait-registry.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const person = (profileId: string, daysAgo: number, ordersCount: number, revenue: number): RfmInput =>
  ({ profileId, lastOrderAt: NOW - daysAgo * DAY_MS, ordersCount, revenue });

describe('scoreRfm — hand-worked population of 10', () => {
  /*
   * n = 10; score = 1 + floor((10 × worse + 5 × equal) / 20), where "worse" counts people
   * with more days since their last order (R) or fewer orders / less revenue (F, M).
   * R: 0 d → (90 + 5)/20 → 5;  3 d ×2 → (70 + 10)/20 = 4 → 5;  10 d → 65/20 → 4;
   *    30 d ×3 → (30 + 15)/20 → 3;  60 d → 25/20 → 2;  90 d → 15/20 → 1;  365 d → 5/20 → 1
   * F: orders 1,1,1,1,2,3,4,6,8,10 → 1 ×4: 20/20 → 2;  2: 45/20 → 3;  3: 55/20 → 3;  4: 65/20 → 4;
   *    6: 75/20 → 4;  8: 85/20 → 5;  10: 95/20 → 5
   * M: 5, 20, 20, 35, 150, 300, 400, 600, 900, 1000 → 5: 1;  20 ×2: (10 + 10)/20 → 2;  35: 35/20 → 2;
   *    150: 45/20 → 3;  300: 55/20 → 3;  400: 65/20 → 4;  600: 75/20 → 4;  900: 5;  1000: 5
   * Segments from the grid with FM = floor((F + M) / 2).
   */
  const population = [
    person('p1', 0, 10, 1000), person('p2', 3, 1, 20), person('p3', 3, 4, 400), person('p4', 10, 2, 150),
    person('p5', 30, 1, 35), person('p6', 30, 6, 600), person('p7', 30, 3, 300), person('p8', 60, 1, 20),
    person('p9', 90, 8, 900), person('p10', 365, 1, 5),
    { profileId: 'p11', lastOrderAt: null, ordersCount: 0, revenue: 0 },
  ];
  const expected: Array<[string, string, string]> = [
    ['p1', '555', 'Champions'], ['p2', '522', 'Potential Loyalist'], ['p3', '544', 'Champions'],
    ['p4', '433', 'Potential Loyalist'], ['p5', '322', 'About to Sleep'], ['p6', '344', 'Loyal'],
    ['p7', '333', 'Need Attention'], ['p8', '222', 'Hibernating'], ['p9', '155', "Can't Lose Them"],
    ['p10', '121', 'Lost'],
  ];

  it('scores by mid-rank quintiles and names the segment', () => {
    const result = scoreRfm({ population, now: NOW });
    expect(result.scored.map((s) => [s.profileId, s.cell, s.segment])).toEqual(expected);
    expect(result.unscored).toEqual(['p11']);
    expect(result.scored[9]).toMatchObject({ recencyDays: 365, recency: 1, frequency: 2, monetary: 1, fm: 1 });
  });

  it('does not depend on the order of the population', () => {
    const reversed = scoreRfm({ population: [...population].reverse(), now: NOW });
    const byId = new Map(reversed.scored.map((s) => [s.profileId, s.cell]));
    for (const [id, cell] of expected) expect(byId.get(id)).toBe(cell);
  });

  it('maps a score onto the declared trait names', () => {
    const p1 = scoreRfm({ population, now: NOW }).scored[0]!;
    expect(rfmTraitValues(p1)).toEqual({ rfm_recency_score: 5, rfm_frequency_score: 5, rfm_monetary_score: 5, rfm_cell: '555', rfm_segment: 'Champions' });
  });
});

describe('scoreRfm — ties and edges', () => {
  it('gives everyone the middle score when all values are equal', () => {
    const same = ['a', 'b', 'c', 'd'].map((id) => person(id, 7, 2, 50));
    // below 0, equal 4, n 4 → 1 + floor(20 / 8) = 3
    expect(scoreRfm({ population: same, now: NOW }).scored.map((s) => s.cell)).toEqual(['333', '333', '333', '333']);
  });

  it('counts whole days, so two orders on the same elapsed day tie', () => {
    const r = scoreRfm({ population: [
      { profileId: 'a', lastOrderAt: NOW - 2 * DAY_MS - 1000, ordersCount: 1, revenue: 1 },
      { profileId: 'b', lastOrderAt: NOW - 2 * DAY_MS - 80_000_000, ordersCount: 1, revenue: 1 },
    ], now: NOW });
    expect(r.scored.map((s) => [s.recencyDays, s.recency])).toEqual([[2, 3], [2, 3]]);
  });

  it('rejects a population that lists a profile twice', () => {
    expect(() => scoreRfm({ population: [person('a', 1, 1, 1), person('a', 2, 1, 1)], now: NOW })).toThrow(/twice/);
  });
});

describe('scoreRfm — Online Retail customers of Italy', () => {
  /*
   * The 15 customers with at least one row whose Country is "Italy" in
   * ../shared/datasets/online-retail/online_retail.csv.gz. Aggregates over all rows of each
   * customer, by a python3 one-off (standard library only): last order = max InvoiceDate of
   * non-C invoices (read as UTC, as the importer does); orders = distinct non-C invoices;
   * revenue = sum(Quantity × UnitPrice) including C rows (rounded to cents). Customer 12505
   * has only a cancellation. "now" = 2011-12-10T00:00:00Z, the day after the last invoice.
   *
   * Expected cells computed independently in SQLite (Python's sqlite3, SQLite 3.40) with
   * window functions: worse = RANK() OVER (ORDER BY days DESC | f | m) − 1,
   * equal = COUNT(*) OVER (PARTITION BY the value), score = 1 + (10 × worse + 5 × equal) / (2n)
   * in integer division, n = 14; segment from the README grid at FM = (F + M) / 2 rounded down.
   */
  const italy: RfmInput[] = [
    { profileId: '12349', lastOrderAt: 1321869060000, ordersCount: 1, revenue: 1757.55 },
    { profileId: '12505', lastOrderAt: null, ordersCount: 0, revenue: -4.5 },
    { profileId: '12514', lastOrderAt: 1300379880000, ordersCount: 1, revenue: 1017.68 },
    { profileId: '12515', lastOrderAt: 1292946180000, ordersCount: 1, revenue: 383.7 },
    { profileId: '12552', lastOrderAt: 1320141720000, ordersCount: 2, revenue: 437.82 },
    { profileId: '12578', lastOrderAt: 1321623000000, ordersCount: 2, revenue: 2753.36 },
    { profileId: '12584', lastOrderAt: 1323164100000, ordersCount: 9, revenue: 1893.95 },
    { profileId: '12586', lastOrderAt: 1321979040000, ordersCount: 1, revenue: 179.94 },
    { profileId: '12591', lastOrderAt: 1296052500000, ordersCount: 1, revenue: 452.85 },
    { profileId: '12594', lastOrderAt: 1320236400000, ordersCount: 10, revenue: 3320.22 },
    { profileId: '12610', lastOrderAt: 1321522440000, ordersCount: 5, revenue: 2057.99 },
    { profileId: '12611', lastOrderAt: 1318943520000, ordersCount: 1, revenue: 1193.32 },
    { profileId: '12618', lastOrderAt: 1321614600000, ordersCount: 1, revenue: 177.31 },
    { profileId: '12725', lastOrderAt: 1291391100000, ordersCount: 1, revenue: 427.8 },
    { profileId: '14912', lastOrderAt: 1322040000000, ordersCount: 2, revenue: 841.52 },
  ];
  const expected: Array<[string, number, string, string]> = [
    ['12349', 18, '424', 'Potential Loyalist'], ['12514', 267, '223', 'Hibernating'], ['12515', 353, '121', 'Lost'],
    ['12552', 38, '242', 'At Risk'], ['12578', 21, '445', 'Loyal'], ['12584', 3, '554', 'Champions'],
    ['12586', 17, '521', 'New'], ['12591', 317, '122', 'Lost'], ['12594', 37, '355', 'Loyal'],
    ['12610', 22, '355', 'Loyal'], ['12611', 52, '224', 'At Risk'], ['12618', 21, '421', 'Promising'],
    ['12725', 371, '122', 'Lost'], ['14912', 16, '543', 'Potential Loyalist'],
  ];

  it('matches the SQLite reference', () => {
    const r = scoreRfm({ population: italy, now: Date.parse('2011-12-10T00:00:00Z') });
    expect(r.unscored).toEqual(['12505']);
    expect(r.scored.map((s) => [s.profileId, s.recencyDays, s.cell, s.segment])).toEqual(expected);
  });
});

describe('RFM segment grid', () => {
  /*
   * Putler's segment table ("RFM Analysis For Successful Customer Segmentation", putler.com),
   * as reproduced in the rfm R package vignette (Hebbali, CRAN "rfm"): inclusive score ranges
   * for R, F and M. Every cell of Tailor's R × FM grid must fall inside the ranges of the
   * segment it names (reading FM for both F and M).
   */
  const PUTLER: Record<string, { r: [number, number]; fm: [number, number] }> = {
    Champions: { r: [4, 5], fm: [4, 5] },
    Loyal: { r: [2, 5], fm: [3, 5] },
    'Potential Loyalist': { r: [3, 5], fm: [1, 3] },
    New: { r: [4, 5], fm: [1, 1] },
    Promising: { r: [3, 4], fm: [1, 1] },
    'Need Attention': { r: [2, 3], fm: [2, 3] },
    'About to Sleep': { r: [2, 3], fm: [1, 2] },
    'At Risk': { r: [1, 2], fm: [2, 5] },
    "Can't Lose Them": { r: [1, 1], fm: [4, 5] },
    Hibernating: { r: [1, 2], fm: [1, 2] },
    Lost: { r: [1, 2], fm: [1, 2] },
  };
  const scores: Score[] = [1, 2, 3, 4, 5];

  it('puts every cell inside its segment\'s published ranges', () => {
    for (const r of scores) {
      for (const fm of scores) {
        const segment = RFM_SEGMENT_GRID[r][fm - 1]!;
        const range = PUTLER[segment]!;
        expect(r >= range.r[0] && r <= range.r[1] && fm >= range.fm[0] && fm <= range.fm[1], `R${r} FM${fm} ${segment}`).toBe(true);
      }
    }
  });

  it('uses all eleven segments', () => {
    const used = new Set(scores.flatMap((r) => RFM_SEGMENT_GRID[r]));
    expect([...used].sort()).toEqual([...RFM_SEGMENTS].sort());
  });

  it('reads FM as the mean of F and M rounded down', () => {
    expect(fmScore(1, 2)).toBe(1);
    expect(fmScore(4, 5)).toBe(4);
    expect(rfmSegment({ recency: 5, frequency: 1, monetary: 2 })).toBe('New');
    expect(rfmSegment({ recency: 1, frequency: 4, monetary: 4 })).toBe("Can't Lose Them");
  });
});
