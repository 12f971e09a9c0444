/**
 * Small dense linear algebra for reservoir readouts: row-major matrices in `Float64Array`s, a
 * Cholesky factorisation and triangular solves. Everything works in place on caller-owned arrays.
 */
import { BuildError } from '../lang/errors.js';

/**
 * A dense row-major matrix: element (i, j) is `data[i * cols + j]`. Sequences of states or
 * features are matrices with one row per time step ([T × N]).
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/**
 * A zero matrix, or a matrix view of existing row-major data (not copied).
 *
 * @example
 * const X = matrix(3, 2);                               // zeros
 * const Y = matrix(2, 2, new Float64Array([1, 2, 3, 4])); // [[1, 2], [3, 4]]
 */
export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new BuildError('matrix', 'shape', `rows and cols must be non-negative integers, got ${rows} × ${cols}`);
  }
  if (data && data.length !== rows * cols) {
    throw new BuildError('matrix', 'data', `has ${data.length} values but ${rows} × ${cols} = ${rows * cols} are needed`, 'give row-major data of length rows * cols');
  }
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/**
 * A matrix from an array of equal-length rows (convenient for tests and small inputs).
 *
 * @example
 * const A = fromRows([[1, 2], [3, 4]]); // A.data = [1, 2, 3, 4]
 */
export function fromRows(rows: readonly ArrayLike<number>[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = matrix(r, c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) throw new BuildError('fromRows', `row ${i}`, `has ${rows[i].length} values, row 0 has ${c}`, 'give rows of equal length');
    for (let j = 0; j < c; j++) m.data[i * c + j] = rows[i][j];
  }
  return m;
}

/**
 * A row range [start, stop) of a matrix as a view (no copy).
 *
 * @example
 * const train = sliceRows(states, 100, 1100); // rows 100..1099
 */
export function sliceRows(m: Matrix, start: number, stop: number = m.rows): Matrix {
  if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop > m.rows || start > stop) {
    throw new BuildError('sliceRows', 'range', `[${start}, ${stop}) is not inside [0, ${m.rows})`, `use 0 ≤ start ≤ stop ≤ ${m.rows}`);
  }
  return { rows: stop - start, cols: m.cols, data: m.data.subarray(start * m.cols, stop * m.cols) };
}

/**
 * Column `j` of a matrix, copied into `out` (allocated if not given).
 *
 * @example
 * const x0 = column(lorenzSeries, 0);
 */
export function column(m: Matrix, j: number, out: Float64Array = new Float64Array(m.rows)): Float64Array {
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) out[i] = data[i * cols + j];
  return out;
}

/**
 * Column-wise concatenation [A | B | ...] of matrices with the same number of rows.
 *
 * @example
 * const features = hconcat(states, inputs); // readout sees the states and the input
 */
export function hconcat(...ms: Matrix[]): Matrix {
  const rows = ms.length ? ms[0].rows : 0;
  let cols = 0;
  for (const m of ms) {
    if (m.rows !== rows) throw new BuildError('hconcat', 'rows', `matrices have ${rows} and ${m.rows} rows`, 'concatenate matrices with the same number of rows');
    cols += m.cols;
  }
  const out = matrix(rows, cols);
  let off = 0;
  for (const m of ms) {
    for (let i = 0; i < rows; i++) out.data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), i * cols + off);
    off += m.cols;
  }
  return out;
}

/**
 * Cholesky factorisation A = L Lᵀ of a symmetric positive-definite n × n row-major matrix, in
 * place: on return the lower triangle (diagonal included) holds L; the strict upper triangle is
 * left as it was. Returns the index of the first non-positive pivot, or -1 on success (the caller
 * decides how to refuse).
 *
 * @example
 * const A = new Float64Array([4, 2, 2, 3]);
 * cholesky(A, 2); // A's lower triangle = [[2, ·], [1, √2]]
 */
export function cholesky(a: Float64Array, n: number): number {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) return j;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s * inv;
    }
  }
  return -1;
}

/**
 * Solves (L Lᵀ) X = B in place for the n × m right-hand sides B (row-major, overwritten by X),
 * where L is the lower triangle written by {@link cholesky}.
 *
 * @example
 * const A = new Float64Array([4, 2, 2, 3]); cholesky(A, 2);
 * const b = new Float64Array([6, 5]); choleskySolve(A, 2, b, 1); // b = [1, 1]
 */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, m: number): void {
  // Forward: L Z = B.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const bi = i * m;
    for (let k = 0; k < i; k++) {
      const lik = l[ri + k];
      if (lik === 0) continue;
      const bk = k * m;
      for (let c = 0; c < m; c++) b[bi + c] -= lik * b[bk + c];
    }
    const inv = 1 / l[ri + i];
    for (let c = 0; c < m; c++) b[bi + c] *= inv;
  }
  // Backward: Lᵀ X = Z.
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * m;
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i];
      if (lki === 0) continue;
      const bk = k * m;
      for (let c = 0; c < m; c++) b[bi + c] -= lki * b[bk + c];
    }
    const inv = 1 / l[i * n + i];
    for (let c = 0; c < m; c++) b[bi + c] *= inv;
  }
}
