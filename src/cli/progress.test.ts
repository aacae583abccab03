import { describe, expect, it } from 'vitest';
import { etaText } from './progress.js';

describe('etaText', () => {
  it('extrapolates the rate so far to what is left', () => {
    expect(etaText(50, 100, 10)).toBe('10s');
    expect(etaText(25, 100, 65)).toBe('3m15s');
    expect(etaText(1, 100, 40)).toBe('1h06m');
  });
  it('says 0s when done and -- while nothing is known', () => {
    expect(etaText(100, 100, 3)).toBe('0s');
    expect(etaText(120, 100, 3)).toBe('0s');
    expect(etaText(0, 100, 3)).toBe('--');
    expect(etaText(10, 100, 0)).toBe('--');
    expect(etaText(10, 0, 5)).toBe('--');
  });
});
