/**
 * Compressed sparse row (CSR) connectivity: the storage every connector produces.
 *
 * Synapse s of pre neuron i lives at `indptr[i] <= s < indptr[i + 1]` and targets post neuron
 * `indices[s]`; within a row the post indices are sorted ascending. Synapse order (by pre, then by
 * post) is the order of any per-synapse arrays (weights, delays) that accompany the CSR.
 */

import { BuildError } from '../lang/errors.js';
import { IntBuffer, MAX_SYNAPSES } from './buffer.js';

/** Connectivity from `nPre` neurons to `nPost` neurons, stored by pre neuron. */
export interface CSR {
  nPre: number;
  nPost: number;
  /** Row pointers, length nPre + 1: synapses of pre i are indptr[i] .. indptr[i+1]-1. */
  indptr: Int32Array;
  /** Post index of each synapse, sorted ascending within a row. */
  indices: Int32Array;
}

function checkSize(where: string, field: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SYNAPSES) {
    throw new BuildError(where, field, `must be a non-negative integer, got ${n}`, 'give a population size such as 100');
  }
}

/** Sorts a[lo..hi) ascending: insertion sort for short ranges, the native typed-array sort otherwise. */
function sortRange(a: Int32Array, lo: number, hi: number): void {
  if (hi - lo > 24) {
    a.subarray(lo, hi).sort();
    return;
  }
  for (let s = lo + 1; s < hi; s++) {
    const v = a[s];
    let t = s - 1;
    while (t >= lo && a[t] > v) {
      a[t + 1] = a[t];
      t--;
    }
    a[t + 1] = v;
  }
}

/**
 * Builds a CSR from a list of (pre, post) pairs: a counting sort by pre (O(n + nPre)) scatters
 * the pairs into rows, then each row is sorted (insertion sort for short rows, so
 * O(n) for the sparse rows typical of networks; O(r log r) for a row of r synapses). One pass of
 * random memory access per pair, which is what dominates at millions of pairs. Repeated pairs
 * are kept (multapses).
 *
 * @example
 * const c = csrFromPairs(3, 4, [2, 0, 0], [1, 3, 1]);
 * // c.indptr = [0, 2, 2, 3], c.indices = [1, 3, 1]
 */
export function csrFromPairs(
  nPre: number,
  nPost: number,
  pre: ArrayLike<number>,
  post: ArrayLike<number>,
  where = 'csrFromPairs',
): CSR {
  checkSize(where, 'nPre', nPre);
  checkSize(where, 'nPost', nPost);
  const n = pre.length;
  if (post.length !== n) {
    throw new BuildError(where, 'post', `has ${post.length} entries but pre has ${n}`, 'give pre and post lists of equal length');
  }
  for (let k = 0; k < n; k++) {
    const i = pre[k];
    if (!Number.isInteger(i) || i < 0 || i >= nPre) {
      throw new BuildError(where, 'pre', `pre[${k}] = ${i} is not an integer in [0, ${nPre})`, `give pre indices between 0 and ${nPre - 1}`);
    }
    const j = post[k];
    if (!Number.isInteger(j) || j < 0 || j >= nPost) {
      throw new BuildError(where, 'post', `post[${k}] = ${j} is not an integer in [0, ${nPost})`, `give post indices between 0 and ${nPost - 1}`);
    }
  }
  // Counting sort by pre: row pointers, then scatter the post indices into their rows.
  const indptr = new Int32Array(nPre + 1);
  for (let k = 0; k < n; k++) indptr[pre[k] + 1]++;
  for (let i = 0; i < nPre; i++) indptr[i + 1] += indptr[i];
  const fill = indptr.slice(0, nPre);
  const indices = new Int32Array(n);
  for (let k = 0; k < n; k++) indices[fill[pre[k]]++] = post[k];
  for (let i = 0; i < nPre; i++) sortRange(indices, indptr[i], indptr[i + 1]);
  return { nPre, nPost, indptr, indices };
}

/**
 * Transposes a CSR (pre-major → post-major) in O(nnz + nPost). Row j of the result lists the pre
 * neurons of post j in ascending order; `perm[t]` is the index, in the original CSR, of the
 * synapse stored at position t of the result (so `wT[t] = w[perm[t]]`).
 *
 * @example
 * const { csr: byPost, perm } = csrTranspose(c);
 * // byPost.nPre === c.nPost; c.indices[perm[t]] is the post neuron of row t's owner
 */
export function csrTranspose(csr: CSR): { csr: CSR; perm: Int32Array } {
  const { nPre, nPost, indptr, indices } = csr;
  const nnz = indptr[nPre];
  const tptr = new Int32Array(nPost + 1);
  for (let s = 0; s < nnz; s++) tptr[indices[s] + 1]++;
  for (let j = 0; j < nPost; j++) tptr[j + 1] += tptr[j];
  const fill = tptr.slice(0, nPost);
  const tind = new Int32Array(nnz);
  const perm = new Int32Array(nnz);
  for (let i = 0; i < nPre; i++) {
    for (let s = indptr[i], e = indptr[i + 1]; s < e; s++) {
      const t = fill[indices[s]]++;
      tind[t] = i;
      perm[t] = s;
    }
  }
  return { csr: { nPre: nPost, nPost: nPre, indptr: tptr, indices: tind }, perm };
}

/**
 * The number of synapses.
 *
 * @example
 * csrNumSynapses(c); // === c.indices.length
 */
export function csrNumSynapses(csr: CSR): number {
  return csr.indptr[csr.nPre];
}

/**
 * A dense nPre × nPost row-major matrix of 0/1 (1 where at least one synapse exists). For tests
 * and small networks only.
 *
 * @example
 * const m = csrToDense(c); // m[i * c.nPost + j] === 1 iff i → j
 */
export function csrToDense(csr: CSR): Float32Array {
  const { nPre, nPost, indptr, indices } = csr;
  const m = new Float32Array(nPre * nPost);
  for (let i = 0; i < nPre; i++) {
    for (let s = indptr[i]; s < indptr[i + 1]; s++) m[i * nPost + indices[s]] = 1;
  }
  return m;
}

/**
 * Number of synapses onto each post neuron (length nPost).
 *
 * @example
 * const kin = inDegrees(c);
 */
export function inDegrees(csr: CSR): Int32Array {
  const d = new Int32Array(csr.nPost);
  const nnz = csr.indptr[csr.nPre];
  for (let s = 0; s < nnz; s++) d[csr.indices[s]]++;
  return d;
}

/**
 * Number of synapses from each pre neuron (length nPre).
 *
 * @example
 * const kout = outDegrees(c);
 */
export function outDegrees(csr: CSR): Int32Array {
  const d = new Int32Array(csr.nPre);
  for (let i = 0; i < csr.nPre; i++) d[i] = csr.indptr[i + 1] - csr.indptr[i];
  return d;
}

/**
 * Checks the CSR invariants (shape, monotone indptr, indices in range and strictly ascending
 * within each row unless `allowRepeats`) and throws a {@link BuildError} naming the first
 * violation.
 *
 * @example
 * csrCheck(c, "projection 'E→I'");
 */
export function csrCheck(csr: CSR, where: string, allowRepeats = false): void {
  const { nPre, nPost, indptr, indices } = csr;
  checkSize(where, 'nPre', nPre);
  checkSize(where, 'nPost', nPost);
  if (indptr.length !== nPre + 1) {
    throw new BuildError(where, 'indptr', `has length ${indptr.length}, expected nPre + 1 = ${nPre + 1}`, 'give one row pointer per pre neuron plus one');
  }
  if (indptr[0] !== 0) throw new BuildError(where, 'indptr', `indptr[0] = ${indptr[0]}`, 'start the row pointers at 0');
  for (let i = 0; i < nPre; i++) {
    if (indptr[i + 1] < indptr[i]) {
      throw new BuildError(where, 'indptr', `decreases at row ${i}: indptr[${i}] = ${indptr[i]} > indptr[${i + 1}] = ${indptr[i + 1]}`, 'make the row pointers non-decreasing');
    }
  }
  if (indptr[nPre] !== indices.length) {
    throw new BuildError(where, 'indptr', `indptr[${nPre}] = ${indptr[nPre]} but indices has ${indices.length} entries`, 'end the row pointers at the number of synapses');
  }
  for (let i = 0; i < nPre; i++) {
    for (let s = indptr[i]; s < indptr[i + 1]; s++) {
      const j = indices[s];
      if (j < 0 || j >= nPost) {
        throw new BuildError(where, 'indices', `indices[${s}] = ${j} (row ${i}) is not in [0, ${nPost})`, `give post indices between 0 and ${nPost - 1}`);
      }
      if (s > indptr[i] && (allowRepeats ? j < indices[s - 1] : j <= indices[s - 1])) {
        throw new BuildError(where, 'indices', `row ${i} is not strictly ascending at indices[${s}] = ${j}`, 'sort each row and remove repeated synapses');
      }
    }
  }
}

/**
 * Builds a CSR row by row: `push` the post indices of row 0, `endRow()`, then row 1, ... Rows must
 * be ended in order; call `sortRow()` before `endRow()` when the row was produced unsorted.
 *
 * @example
 * const b = new CsrBuilder(2, 3, 4);
 * b.push(0); b.push(2); b.endRow(); b.endRow();
 * const c = b.finish(); // indptr [0, 2, 2]
 */
export class CsrBuilder {
  readonly nPre: number;
  readonly nPost: number;
  readonly indptr: Int32Array;
  readonly buf: IntBuffer;
  private row = 0;

  constructor(nPre: number, nPost: number, capacityHint = 16, where = 'connectivity') {
    this.nPre = nPre;
    this.nPost = nPost;
    this.indptr = new Int32Array(nPre + 1);
    this.buf = new IntBuffer(capacityHint, where);
  }

  /** Appends synapse row → j to the current row. */
  push(j: number): void {
    this.buf.push(j);
  }

  /** Reverses the current row's entries from position `from` (an index into the buffer) to its end. */
  reverseFrom(from: number): void {
    const d = this.buf.data;
    for (let lo = from, hi = this.buf.length - 1; lo < hi; lo++, hi--) {
      const t = d[lo];
      d[lo] = d[hi];
      d[hi] = t;
    }
  }

  /** Sorts the current (unfinished) row ascending. */
  sortRow(): void {
    sortRange(this.buf.data, this.indptr[this.row], this.buf.length);
  }

  /** Closes the current row and starts the next. */
  endRow(): void {
    this.indptr[++this.row] = this.buf.length;
  }

  /** The finished CSR; all nPre rows must have been ended. */
  finish(): CSR {
    if (this.row !== this.nPre) throw new Error(`CsrBuilder: ${this.row} of ${this.nPre} rows ended`);
    return { nPre: this.nPre, nPost: this.nPost, indptr: this.indptr, indices: this.buf.toArray() };
  }
}
