/**
 * Sparse matrices in compressed-sparse-row (CSR) form with typed arrays: row `r` holds the
 * column indices `indices[indptr[r] .. indptr[r + 1])` (ascending) and their `values`.
 * Every model in this folder reads its input through this one shape.
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** A sparse vector: parallel lists of indices and values (a user's history over items). */
export interface SparseVector {
  readonly indices: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/** One non-zero entry, for building matrices from triplets. */
export interface MatrixEntry {
  row: number;
  col: number;
  value: number;
}

/**
 * Builds a CSR matrix from (row, col, value) triplets; duplicate positions are summed.
 *
 * @example
 * const m = csrFromEntries({ rows: 2, cols: 3, entries: [{ row: 1, col: 2, value: 5 }] });
 * m.indptr; // Int32Array [0, 0, 1]
 */
export function csrFromEntries(input: { rows: number; cols: number; entries: Iterable<MatrixEntry> }): CsrMatrix {
  const list = [...input.entries];
  for (const e of list) {
    if (e.row < 0 || e.row >= input.rows || e.col < 0 || e.col >= input.cols) {
      throw new RangeError(`entry (${e.row}, ${e.col}) is outside a ${input.rows}×${input.cols} matrix`);
    }
  }
  list.sort((a, b) => a.row - b.row || a.col - b.col);
  const indptr = new Int32Array(input.rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  let last: MatrixEntry | undefined;
  for (const e of list) {
    if (last !== undefined && last.row === e.row && last.col === e.col) {
      values[values.length - 1]! += e.value;
      continue;
    }
    indices.push(e.col);
    values.push(e.value);
    indptr[e.row + 1]!++;
    last = e;
  }
  for (let r = 0; r < input.rows; r++) indptr[r + 1]! += indptr[r]!;
  return { rows: input.rows, cols: input.cols, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

/**
 * The transpose, still in CSR form (so the columns of `m` become rows): O(nnz).
 *
 * @example
 * const itemsByUsers = transpose(usersByItems);
 */
export function transpose(m: CsrMatrix): CsrMatrix {
  const nnz = m.indptr[m.rows]!;
  const indptr = new Int32Array(m.cols + 1);
  for (let p = 0; p < nnz; p++) indptr[m.indices[p]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1]! += indptr[c]!;
  const cursor = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  // Rows are visited in ascending order, so each output row comes out sorted.
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const c = m.indices[p]!;
      const q = cursor[c]!++;
      indices[q] = r;
      values[q] = m.values[p]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

/**
 * Row `r` as a sparse vector (views into the matrix, not copies).
 *
 * @example
 * const history = rowOf(matrix, matrix.userIndex.get('u1')!);
 */
export function rowOf(m: CsrMatrix, r: number): SparseVector {
  const start = m.indptr[r]!;
  const end = m.indptr[r + 1]!;
  return { indices: m.indices.subarray(start, end), values: m.values.subarray(start, end) };
}

/**
 * A matrix with the same pattern and each value replaced by `fn(value, row, col)`.
 *
 * @example
 * const binary = mapValues(matrix, () => 1);
 */
export function mapValues(m: CsrMatrix, fn: (value: number, row: number, col: number) => number): CsrMatrix {
  const values = new Float64Array(m.values.length);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) values[p] = fn(m.values[p]!, r, m.indices[p]!);
  }
  return { rows: m.rows, cols: m.cols, indptr: m.indptr, indices: m.indices, values };
}

/**
 * Sum of each row's values (for column sums, pass the transpose).
 *
 * @example
 * rowSums(csrFromEntries({ rows: 1, cols: 2, entries: [{ row: 0, col: 1, value: 2 }] })); // [2]
 */
export function rowSums(m: CsrMatrix): Float64Array {
  const sums = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) s += m.values[p]!;
    sums[r] = s;
  }
  return sums;
}
