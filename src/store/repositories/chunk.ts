/**
 * Splits rows so that one multi-row statement stays under the engine's parameter limit.
 *
 * @example
 * chunkRows(rows, 18, 32000) // batches of at most 1,777 rows of 18 columns
 */
export function chunkRows<T>(rows: readonly T[], columns: number, maxParameters: number): T[][] {
  const size = Math.max(1, Math.floor(maxParameters / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Like `chunkRows`, but every chunk has one of a few fixed sizes — `largest` (capped by the
 * parameter limit), then the powers of two that make up the remainder — so the same few
 * statement shapes recur and the prepared-statement cache (dialects/sqlite.ts) reuses them
 * instead of compiling a new statement for every batch size. Use it on hot paths.
 *
 * @example
 * chunkRowsInShapes(rowsOf(300), 18, 32000).map((c) => c.length) // [256, 32, 8, 4]
 */
export function chunkRowsInShapes<T>(rows: readonly T[], columns: number, maxParameters: number, largest = 256): T[][] {
  const top = Math.max(1, Math.min(largest, Math.floor(maxParameters / columns)));
  const out: T[][] = [];
  let i = 0;
  for (; rows.length - i >= top; i += top) out.push(rows.slice(i, i + top));
  for (let size = 2 ** Math.floor(Math.log2(top)); size >= 1 && i < rows.length; size /= 2) {
    if (rows.length - i >= size) {
      out.push(rows.slice(i, i + size));
      i += size;
    }
  }
  return out;
}
