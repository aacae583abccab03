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
