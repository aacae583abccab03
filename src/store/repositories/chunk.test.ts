import { describe, expect, it } from 'vitest';
import { chunkRows, chunkRowsInShapes } from './chunk.js';

const rowsOf = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('chunkRows', () => {
  it('keeps each chunk under the parameter limit', () => {
    expect(chunkRows(rowsOf(10), 3, 9).map((c) => c.length)).toEqual([3, 3, 3, 1]);
  });
});

describe('chunkRowsInShapes', () => {
  it('uses the largest size, then the powers of two of the remainder', () => {
    expect(chunkRowsInShapes(rowsOf(300), 18, 32_000).map((c) => c.length)).toEqual([256, 32, 8, 4]);
    expect(chunkRowsInShapes(rowsOf(1), 18, 32_000).map((c) => c.length)).toEqual([1]);
    expect(chunkRowsInShapes(rowsOf(0), 18, 32_000)).toEqual([]);
  });

  it('keeps every row once, in order, and never exceeds the parameter limit', () => {
    for (const n of [1, 7, 100, 255, 256, 257, 1000, 5003]) {
      for (const [columns, limit] of [[18, 32_000], [6, 100], [1, 5], [19, 65_535]] as const) {
        const chunks = chunkRowsInShapes(rowsOf(n), columns, limit);
        expect(chunks.flat()).toEqual(rowsOf(n));
        for (const c of chunks) expect(c.length * columns).toBeLessThanOrEqual(Math.max(columns, limit));
      }
    }
  });

  it('produces at most a handful of distinct sizes whatever the row count', () => {
    const sizes = new Set<number>();
    for (let n = 1; n <= 2000; n++) for (const c of chunkRowsInShapes(rowsOf(n), 18, 32_000)) sizes.add(c.length);
    expect(sizes.size).toBeLessThanOrEqual(9);
  });
});
