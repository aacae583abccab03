import { describe, expect, it } from 'vitest';
import { churnRisk } from './churn.js';

describe('churn risk', () => {
  it('is P(no purchase in 90 days) when no rule applies, with the documented levels', () => {
    expect(churnRisk({ probabilityNoPurchase: 0.2, purchaseDays: [0, 30, 60, 90], ageDays: 100, complaints: 0, populationIntervalDays: null })).toEqual({ risk: expect.closeTo(0.2, 12) as number, level: 'low', raisedBy: [] });
    expect(churnRisk({ probabilityNoPurchase: 0.5, purchaseDays: [0], ageDays: 10, complaints: 0, populationIntervalDays: null }).level).toBe('medium');
    expect(churnRisk({ probabilityNoPurchase: 0.6, purchaseDays: [0], ageDays: 10, complaints: 0, populationIntervalDays: null }).level).toBe('high');
  });

  it('rises when the person is overdue against their own rhythm (a quarter of what is left per cycle beyond 2)', () => {
    // Mean interval 30 days, last purchase day 60, now day 150: 3 cycles overdue → keep 0.9 · 0.75^1.
    const r = churnRisk({ probabilityNoPurchase: 0.1, purchaseDays: [0, 30, 60], ageDays: 150, complaints: 0, populationIntervalDays: null });
    expect(r.risk).toBeCloseTo(1 - 0.9 * 0.75, 12);
    expect(r.raisedBy).toEqual(['overdue']);
  });

  it('measures a one-time buyer against the population\'s cycle, and shrinks a regular buyer\'s own cycle toward it', () => {
    // One purchase on day 0, now day 100, population 20 days: 5 cycles overdue → keep 1 · 0.75^3.
    expect(churnRisk({ probabilityNoPurchase: 0, purchaseDays: [0], ageDays: 100, complaints: 0, populationIntervalDays: 20 }).risk).toBeCloseTo(1 - Math.pow(0.75, 3), 12);
    // Own mean 30 over 2 intervals, population 60: cycle (2·30 + 2·60)/4 = 45; 112.5 days since day 60 → 2.5 cycles → keep 0.9 · 0.75^0.5.
    expect(churnRisk({ probabilityNoPurchase: 0.1, purchaseDays: [0, 30, 60], ageDays: 172.5, complaints: 0, populationIntervalDays: 60 }).risk).toBeCloseTo(1 - 0.9 * Math.pow(0.75, 0.5), 12);
  });

  it('rises on the early warnings: falling frequency and complaints (capped at three)', () => {
    const falling = churnRisk({ probabilityNoPurchase: 0, purchaseDays: [0, 10, 20, 30, 110], ageDays: 120, complaints: 0, populationIntervalDays: null });
    expect(falling.raisedBy).toContain('falling_frequency');
    const five = churnRisk({ probabilityNoPurchase: 0, purchaseDays: [0], ageDays: 10, complaints: 5, populationIntervalDays: null });
    expect(five.risk).toBeCloseTo(1 - Math.pow(0.8, 3), 12);
    expect(five.raisedBy).toEqual(['complaints']);
    expect(() => churnRisk({ probabilityNoPurchase: 1.5, purchaseDays: [], ageDays: 1, complaints: 0, populationIntervalDays: null })).toThrow(/probabilityNoPurchase/);
  });
});
