/**
 * Connectors: declarative descriptions of who connects to whom, built into a {@link CSR} once the
 * population sizes, the seed and the projection's name are known.
 *
 * Randomness is counter-based (Threefry, see `math/rng.ts`): a random connector's output is a pure
 * function of its parameters, the sizes and the seed. Row-wise connectors (FixedProb, FixedPostNum,
 * GaussianProb) draw row i from the stream (key, i) alone, so any row can be regenerated on its own
 * (in parallel, or just in time instead of being stored). Each connector kind hashes the seed with
 * its own tag, so two kinds given the same seed do not share random numbers.
 *
 * Parameters are validated when `build` is called (that is when the projection's name is known);
 * every refusal is a {@link BuildError} naming the projection, the field and what would be valid.
 */

import { BuildError } from '../lang/errors.js';
import { Rng, threefry2x32, threefryOut, uniformAt } from '../math/rng.js';
import { MAX_SYNAPSES } from './buffer.js';
import { CsrBuilder, csrCheck, csrFromPairs, type CSR } from './csr.js';
import { KeySet } from './edgeset.js';
import { fixedProbCsr, fixedProbRow, rowSampler, type FixedProbRows } from './geometric.js';

/** What a connector is built against. */
export interface ConnectContext {
  /** Number of pre (source) neurons. */
  nPre: number;
  /** Number of post (target) neurons. */
  nPost: number;
  /** Seed of the projection's random connectivity (a connector's own `seed` option overrides it). */
  seed: number;
  /** Who is being connected, for error messages, e.g. "projection 'E→I'". */
  where: string;
  /**
   * When pre and post are views of one population, post index `i + selfOffset` is the same neuron
   * as pre index `i` (0 when both views are the whole population). Undefined when pre and post are
   * different populations: then no pair is a self-connection.
   */
  selfOffset?: number;
}

/** A rule that produces connectivity. */
export interface Connector {
  readonly name: string;
  /** Builds the connectivity, throwing {@link BuildError} if the rule cannot be met. */
  build(ctx: ConnectContext): CSR;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

const TAG_FIXED_PROB = 1;
const TAG_FIXED_PRE = 2;
const TAG_FIXED_POST = 3;
const TAG_GAUSSIAN = 4;
const TAG_SMALL_WORLD = 5;
const TAG_SCALE_FREE = 6;

/** Derives the Threefry key of a connector kind from a user seed. */
function keyOf(seed: number, tag: number): number {
  threefry2x32(seed >>> 0, Math.floor(seed / 4294967296) >>> 0, 0x636f6e6e, tag);
  return threefryOut[0];
}

function checkContext(ctx: ConnectContext): void {
  const where = ctx.where;
  for (const field of ['nPre', 'nPost'] as const) {
    const n = ctx[field];
    if (!Number.isInteger(n) || n < 0 || n > MAX_SYNAPSES) {
      throw new BuildError(where, field, `must be a non-negative integer, got ${n}`, 'give a population size such as 100');
    }
  }
  if (!Number.isFinite(ctx.seed)) {
    throw new BuildError(where, 'seed', `must be a finite number, got ${ctx.seed}`, 'give an integer seed such as 42');
  }
  if (ctx.selfOffset !== undefined && !Number.isInteger(ctx.selfOffset)) {
    throw new BuildError(where, 'selfOffset', `must be an integer or undefined, got ${ctx.selfOffset}`, 'leave it undefined for different populations');
  }
}

function seedOf(ctx: ConnectContext, seed: number | undefined): number {
  if (seed === undefined) return ctx.seed;
  if (!Number.isFinite(seed)) {
    throw new BuildError(ctx.where, 'seed', `must be a finite number, got ${seed}`, 'give an integer seed such as 42, or leave it out');
  }
  return seed;
}

/** Offset identifying self-pairs, or undefined when self-connections are allowed or impossible. */
function selfOff(ctx: ConnectContext, allowSelf: boolean): number | undefined {
  return allowSelf ? undefined : ctx.selfOffset;
}

function describe(v: unknown): string {
  return typeof v === 'number' ? String(v) : `${typeof v} ${JSON.stringify(v)}`;
}

function checkProb(where: string, field: string, p: unknown): number {
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) {
    throw new BuildError(where, field, `must be a finite number in [0, 1], got ${describe(p)}`, 'give a probability between 0 and 1');
  }
  return p;
}

function checkBool(where: string, field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new BuildError(where, field, `must be true or false, got ${describe(v)}`, `give ${field}: true or ${field}: false`);
  return v;
}

function checkSameSize(ctx: ConnectContext, name: string): number {
  if (ctx.nPre !== ctx.nPost) {
    throw new BuildError(
      ctx.where,
      'size',
      `${name} needs pre and post of the same size, got nPre = ${ctx.nPre}, nPost = ${ctx.nPost}`,
      'connect a population to itself or to one of equal size, or choose another connector',
    );
  }
  return ctx.nPre;
}

function checkTotal(where: string, total: number): void {
  if (total > MAX_SYNAPSES) {
    throw new BuildError(where, 'synapses', `${total} synapses would be created, more than the limit ${MAX_SYNAPSES}`, 'use a sparser connector or smaller populations');
  }
}

/**
 * Number of pairs (i, i + off) with 0 ≤ i < nPre and 0 ≤ i + off < nPost: the self-pairs.
 */
function countSelfPairs(nPre: number, nPost: number, off: number | undefined): number {
  if (off === undefined) return 0;
  return Math.max(0, Math.min(nPre, nPost - off) - Math.max(0, -off));
}

/** Floor of log(u) / log(1 - p) for u ∈ (0, 1]: a geometric number of failures before a success. */
function geometricSkip(u: number, logq: number): number {
  return Math.floor(Math.log(u) / logq);
}

// ---------------------------------------------------------------------------------------------
// FixedProb

/** Options of {@link FixedProb}. */
export interface FixedProbOptions {
  /** Whether a neuron may connect to itself when pre and post are one population (default true). */
  allowSelf?: boolean;
  /** Seed overriding the projection's. */
  seed?: number;
}

/**
 * Every (pre, post) pair is connected independently with probability `prob` (Erdős–Rényi).
 *
 * Cost is O(nPre + synapses), not O(nPre · nPost): within a row the gaps between successive
 * synapses are drawn as geometric numbers, `floor(log(u) / log(1 - prob))`, read from a table
 * that reproduces that formula exactly without a logarithm per synapse (`geometric.ts`). Row i
 * uses only the random stream (seed, i), so {@link FixedProb.appendRow} and
 * {@link FixedProb.rowFunction} regenerate any single row identically.
 *
 * @example
 * const csr = new FixedProb(0.02, { allowSelf: false }).build({ nPre: 4000, nPost: 4000, seed: 1, where: "projection 'E→E'", selfOffset: 0 });
 */
export class FixedProb implements Connector {
  readonly name = 'FixedProb';
  readonly prob: number;
  readonly allowSelf: boolean;
  readonly seed: number | undefined;

  constructor(prob: number, options: FixedProbOptions = {}) {
    this.prob = prob;
    this.allowSelf = options.allowSelf ?? true;
    this.seed = options.seed;
  }

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    const p = checkProb(ctx.where, 'prob', this.prob);
    checkBool(ctx.where, 'allowSelf', this.allowSelf);
    const { nPre, nPost } = ctx;
    const off = selfOff(ctx, this.allowSelf);
    const key = keyOf(seedOf(ctx, this.seed), TAG_FIXED_PROB);
    if (p > 0 && p < 1) return fixedProbCsr(key, p, nPre, nPost, off, ctx.where);
    if (p === 1) checkTotal(ctx.where, nPre * nPost - countSelfPairs(nPre, nPost, off));
    const b = new CsrBuilder(nPre, nPost, p === 1 ? nPre * nPost : 16, ctx.where);
    for (let i = 0; i < nPre; i++) {
      if (p === 1) {
        const self = off === undefined ? -1 : i + off;
        for (let j = 0; j < nPost; j++) if (j !== self) b.push(j);
      }
      b.endRow();
    }
    return b.finish();
  }

  /**
   * Appends the post indices of row `i` (ascending) to `out`, exactly as {@link FixedProb.build}
   * would produce them for the same context.
   */
  appendRow(ctx: ConnectContext, i: number, out: { push(j: number): void }): void {
    this.rowFunction(ctx)(i, out);
  }

  /**
   * Checks the context once and returns a generator of single rows, for just-in-time
   * connectivity that regenerates the row of every spiking neuron. Row i is exactly row i of
   * {@link FixedProb.build} for the same context.
   *
   * @example
   * const row = new FixedProb(0.1).rowFunction(ctx); row(7, out);
   */
  rowFunction(ctx: ConnectContext): (i: number, out: { push(j: number): void }) => void {
    const fill = this.rowFiller(ctx);
    const nPost = ctx.nPost;
    let scratch = new Int32Array(Math.max(1, Math.min(nPost, Math.ceil(this.prob * nPost + 4 * Math.sqrt(this.prob * nPost) + 16))));
    return (i, out) => {
      let n = fill(i, scratch, 0);
      if (n > scratch.length) {
        scratch = new Int32Array(Math.max(n, Math.min(nPost, 2 * scratch.length)));
        n = fill(i, scratch, 0);
      }
      for (let k = 0; k < n; k++) out.push(scratch[k]);
    };
  }

  /**
   * Checks the context once and returns a generator that writes row i into a typed array:
   * `fill(i, out, n)` writes the row's post indices (ascending) to out[n], out[n + 1], ... and
   * returns the new end. When that end is past `out.length` the row did not fit (the writes
   * beyond the end were dropped): grow `out` and call again with the same `n`.
   *
   * @example
   * const fill = new FixedProb(0.1).rowFiller(ctx); const buf = new Int32Array(ctx.nPost);
   * const len = fill(7, buf, 0); // row 7 is buf[0..len)
   */
  rowFiller(ctx: ConnectContext): (i: number, out: Int32Array, n: number) => number {
    checkContext(ctx);
    const p = checkProb(ctx.where, 'prob', this.prob);
    checkBool(ctx.where, 'allowSelf', this.allowSelf);
    const key = keyOf(seedOf(ctx, this.seed), TAG_FIXED_PROB) | 0;
    const off = selfOff(ctx, this.allowSelf);
    const nPost = ctx.nPost;
    if (p === 0) return (_i, _out, n) => n;
    if (p === 1) {
      return (i, out, n) => {
        const self = off === undefined ? -1 : i + off;
        for (let j = 0; j < nPost; j++) if (j !== self) out[n++] = j;
        return n;
      };
    }
    const t = rowSampler(p);
    return (i, out, n) => fixedProbRow(t, key, i, nPost, off === undefined ? -1 : i + off, out, n);
  }

  /**
   * The rows of {@link FixedProb.rowFiller} as data (key, row sampler, self offset), for a code
   * generator that draws them itself; undefined for p = 0 or 1 (nothing to draw).
   *
   * @example
   * const rows = new FixedProb(0.1).engineRows(ctx); // rows.sampler, rows.key
   */
  engineRows(ctx: ConnectContext): FixedProbRows | undefined {
    checkContext(ctx);
    const p = checkProb(ctx.where, 'prob', this.prob);
    checkBool(ctx.where, 'allowSelf', this.allowSelf);
    if (!(p > 0 && p < 1)) return undefined;
    return { key: keyOf(seedOf(ctx, this.seed), TAG_FIXED_PROB) | 0, sampler: rowSampler(p), nPost: ctx.nPost, selfOffset: selfOff(ctx, this.allowSelf) };
  }
}

// ---------------------------------------------------------------------------------------------
// Deterministic connectors

/** Options of {@link All2All}. */
export interface All2AllOptions {
  /** Whether a neuron connects to itself when pre and post are one population (default true). */
  allowSelf?: boolean;
}

/**
 * Every pre neuron connects to every post neuron.
 *
 * @example
 * const csr = new All2All({ allowSelf: false }).build({ nPre: 10, nPost: 10, seed: 0, where: 'rec', selfOffset: 0 }); // 90 synapses
 */
export class All2All implements Connector {
  readonly name = 'All2All';
  readonly allowSelf: boolean;

  constructor(options: All2AllOptions = {}) {
    this.allowSelf = options.allowSelf ?? true;
  }

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    checkBool(ctx.where, 'allowSelf', this.allowSelf);
    const { nPre, nPost } = ctx;
    const off = selfOff(ctx, this.allowSelf);
    const total = nPre * nPost - countSelfPairs(nPre, nPost, off);
    checkTotal(ctx.where, total);
    const indptr = new Int32Array(nPre + 1);
    const indices = new Int32Array(total);
    let s = 0;
    for (let i = 0; i < nPre; i++) {
      const self = off === undefined ? -1 : i + off;
      for (let j = 0; j < nPost; j++) if (j !== self) indices[s++] = j;
      indptr[i + 1] = s;
    }
    return { nPre, nPost, indptr, indices };
  }
}

/**
 * Pre neuron i connects to post neuron i; pre and post must have the same size.
 *
 * @example
 * const csr = new One2One().build({ nPre: 5, nPost: 5, seed: 0, where: "projection 'in→E'" });
 */
export class One2One implements Connector {
  readonly name = 'One2One';

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    const n = checkSameSize(ctx, 'One2One');
    const indptr = new Int32Array(n + 1);
    const indices = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      indices[i] = i;
      indptr[i + 1] = i + 1;
    }
    return { nPre: n, nPost: n, indptr, indices };
  }
}

/**
 * Explicit synapses pre[k] → post[k]. Repeated pairs are kept as separate synapses (multapses).
 *
 * @example
 * const csr = new FromPairs([0, 0, 2], [1, 2, 0]).build({ nPre: 3, nPost: 3, seed: 0, where: 'p' });
 */
export class FromPairs implements Connector {
  readonly name = 'FromPairs';
  readonly pre: ArrayLike<number>;
  readonly post: ArrayLike<number>;

  constructor(pre: ArrayLike<number>, post: ArrayLike<number>) {
    this.pre = pre;
    this.post = post;
  }

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    if (this.pre == null || typeof this.pre.length !== 'number') {
      throw new BuildError(ctx.where, 'pre', 'must be an array of pre indices', 'give an array such as [0, 1, 2]');
    }
    if (this.post == null || typeof this.post.length !== 'number') {
      throw new BuildError(ctx.where, 'post', 'must be an array of post indices', 'give an array such as [0, 1, 2]');
    }
    checkTotal(ctx.where, this.pre.length);
    return csrFromPairs(ctx.nPre, ctx.nPost, this.pre, this.post, ctx.where);
  }
}

/**
 * Connectivity given directly in CSR form: synapses of pre i target
 * `indices[indptr[i]] .. indices[indptr[i + 1] - 1]`. Rows need not be sorted (they are sorted
 * into a copy); repeated entries are kept as multapses.
 *
 * @example
 * const csr = new FromCSR([0, 2, 3], [1, 0, 2]).build({ nPre: 2, nPost: 3, seed: 0, where: 'p' });
 */
export class FromCSR implements Connector {
  readonly name = 'FromCSR';
  readonly indptr: ArrayLike<number>;
  readonly indices: ArrayLike<number>;

  constructor(indptr: ArrayLike<number>, indices: ArrayLike<number>) {
    this.indptr = indptr;
    this.indices = indices;
  }

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    const where = ctx.where;
    const { nPre, nPost } = ctx;
    const src = [
      ['indptr', this.indptr],
      ['indices', this.indices],
    ] as const;
    for (const [field, arr] of src) {
      if (arr == null || typeof arr.length !== 'number') throw new BuildError(where, field, 'must be an array of integers', 'give an array or Int32Array');
      for (let k = 0; k < arr.length; k++) {
        const v = arr[k];
        if (!Number.isInteger(v) || v < 0 || v > MAX_SYNAPSES) {
          throw new BuildError(where, field, `${field}[${k}] = ${v} is not a non-negative integer`, 'give non-negative integer indices');
        }
      }
    }
    if (this.indptr.length !== nPre + 1) {
      throw new BuildError(where, 'indptr', `has length ${this.indptr.length}, but nPre = ${nPre} needs nPre + 1 = ${nPre + 1}`, 'give one row pointer per pre neuron plus one');
    }
    const csr: CSR = { nPre, nPost, indptr: Int32Array.from(this.indptr), indices: Int32Array.from(this.indices) };
    // Shape checks first (so sorting below indexes safely), then sort rows, then full check.
    if (csr.indptr[0] !== 0 || csr.indptr[nPre] !== csr.indices.length) {
      csrCheck(csr, where, true);
    }
    for (let i = 0; i < nPre; i++) {
      if (csr.indptr[i + 1] < csr.indptr[i]) csrCheck(csr, where, true);
      csr.indices.subarray(csr.indptr[i], csr.indptr[i + 1]).sort();
    }
    csrCheck(csr, where, true);
    return csr;
  }
}

/**
 * Synapse i → j wherever the dense matrix is nonzero. `matrix` is either nPre rows of nPost
 * numbers, or a flat row-major array of nPre · nPost numbers.
 *
 * @example
 * const csr = new FromDense([[0, 1], [1, 0]], 2, 2).build({ nPre: 2, nPost: 2, seed: 0, where: 'p' });
 */
export class FromDense implements Connector {
  readonly name = 'FromDense';
  readonly matrix: ArrayLike<number> | ArrayLike<number>[];
  readonly nPre: number;
  readonly nPost: number;

  constructor(matrix: ArrayLike<number> | number[][], nPre: number, nPost: number) {
    this.matrix = matrix;
    this.nPre = nPre;
    this.nPost = nPost;
  }

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    const where = ctx.where;
    const { nPre, nPost } = ctx;
    if (this.nPre !== nPre || this.nPost !== nPost) {
      throw new BuildError(where, 'matrix', `is declared ${this.nPre} × ${this.nPost} but the projection is ${nPre} × ${nPost}`, `give a ${nPre} × ${nPost} matrix (pre × post)`);
    }
    const m = this.matrix;
    if (m == null || typeof m.length !== 'number') throw new BuildError(where, 'matrix', 'must be an array', 'give nPre rows of nPost numbers, or a flat row-major array');
    const nested = m.length > 0 && typeof m[0] === 'object' && m[0] !== null;
    if (nested) {
      if (m.length !== nPre) throw new BuildError(where, 'matrix', `has ${m.length} rows, expected nPre = ${nPre}`, `give ${nPre} rows of ${nPost} numbers`);
    } else if (m.length !== nPre * nPost) {
      throw new BuildError(where, 'matrix', `has ${m.length} entries, expected nPre · nPost = ${nPre * nPost}`, `give ${nPre} rows of ${nPost} numbers, or a flat array of ${nPre * nPost}`);
    }
    const b = new CsrBuilder(nPre, nPost, 16, where);
    for (let i = 0; i < nPre; i++) {
      let row: ArrayLike<number>;
      let base = 0;
      if (nested) {
        row = (m as ArrayLike<ArrayLike<number>>)[i];
        if (row == null || typeof row.length !== 'number' || row.length !== nPost) {
          throw new BuildError(where, 'matrix', `row ${i} has ${row == null ? 'no' : row.length} entries, expected nPost = ${nPost}`, `give ${nPost} numbers per row`);
        }
      } else {
        row = m as ArrayLike<number>;
        base = i * nPost;
      }
      for (let j = 0; j < nPost; j++) {
        const v = row[base + j];
        if (typeof v !== 'number' || Number.isNaN(v)) {
          throw new BuildError(where, 'matrix', `entry [${i}][${j}] = ${describe(v)} is not a number`, 'use 0 for no synapse and a nonzero number for a synapse');
        }
        if (v !== 0) b.push(j);
      }
      b.endRow();
    }
    return b.finish();
  }
}

// ---------------------------------------------------------------------------------------------
// Fixed in/out-degree

/** Options of {@link FixedPreNum} and {@link FixedPostNum}. */
export interface FixedNumOptions {
  /** Whether a neuron may pick itself when pre and post are one population (default true). */
  allowSelf?: boolean;
  /** Seed overriding the projection's. */
  seed?: number;
  /**
   * Whether one pair may be drawn more than once, giving several synapses between the same two
   * neurons (default false). The draws are then independent: sampling with replacement.
   */
  allowMulti?: boolean;
}

function checkNum(where: string, num: unknown, limit: number, side: string, excluded: boolean): number {
  if (typeof num !== 'number' || !Number.isInteger(num) || num < 0 || num > limit) {
    throw new BuildError(
      where,
      'num',
      `must be an integer in [0, ${limit}] (${side} = ${limit + (excluded ? 1 : 0)}${excluded ? ', minus the excluded self-connection' : ''}), got ${describe(num)}`,
      `give a whole number of connections between 0 and ${limit}`,
    );
  }
  return num;
}

/**
 * Samples `num` distinct values of [0, pool) (Floyd's algorithm, O(num)), skipping value `excl`
 * (pool is then one less than the range), and hands each to `emit` (unsorted). `mark` must have
 * length ≥ range and hold no entry equal to `stamp`.
 */
function floydSample(
  key: number,
  stream: number,
  num: number,
  pool: number,
  excl: number,
  mark: Int32Array,
  stamp: number,
  emit: (v: number) => void,
): void {
  let k = 0;
  for (let t = pool - num; t < pool; t++) {
    let r = Math.min(t, Math.floor(uniformAt(key, stream, k++) * (t + 1)));
    if (mark[r] === stamp) r = t;
    mark[r] = stamp;
    emit(excl >= 0 && r >= excl ? r + 1 : r);
  }
}

/** Like {@link floydSample} but with replacement: `num` independent uniform draws (repeats allowed). */
function drawWithReplacement(key: number, stream: number, num: number, pool: number, excl: number, _mark: Int32Array, _stamp: number, emit: (v: number) => void): void {
  for (let k = 0; k < num; k++) {
    const r = Math.min(pool - 1, Math.floor(uniformAt(key, stream, k) * pool));
    emit(excl >= 0 && r >= excl ? r + 1 : r);
  }
}

/** What {@link FixedPreNum} and {@link FixedPostNum} share: their options and how they draw. */
abstract class FixedDegree {
  readonly num: number;
  readonly allowSelf: boolean;
  readonly seed: number | undefined;
  readonly allowMulti: boolean;

  constructor(num: number, options: FixedNumOptions = {}) {
    this.num = num;
    this.allowSelf = options.allowSelf ?? true;
    this.seed = options.seed;
    this.allowMulti = options.allowMulti ?? false;
  }

  /** Draws `num` of [0, pool) skipping `excl`: distinct (Floyd) or, with allowMulti, with replacement. */
  protected get sample(): typeof floydSample {
    return this.allowMulti ? drawWithReplacement : floydSample;
  }
}

/**
 * Every post neuron receives exactly `num` synapses from distinct, uniformly chosen pre neurons
 * (fixed in-degree). O(num) random draws per post neuron; post j's choice depends only on
 * (seed, j).
 *
 * @example
 * const csr = new FixedPreNum(100, { allowSelf: false }).build({ nPre: 1000, nPost: 1000, seed: 3, where: 'rec', selfOffset: 0 });
 */
export class FixedPreNum extends FixedDegree implements Connector {
  readonly name = 'FixedPreNum';

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    checkBool(ctx.where, 'allowSelf', this.allowSelf);
    const { nPre, nPost } = ctx;
    const off = selfOff(ctx, this.allowSelf);
    // Post j's self is pre j - off; some post has one iff the self-pair count is positive.
    const excluded = countSelfPairs(nPre, nPost, off) > 0;
    const num = checkNum(ctx.where, this.num, this.allowMulti ? Number.MAX_SAFE_INTEGER : nPre - (excluded ? 1 : 0), 'nPre', excluded);
    checkTotal(ctx.where, num * nPost);
    const total = num * nPost;
    const pre = new Int32Array(total);
    const post = new Int32Array(total);
    const mark = new Int32Array(nPre).fill(-1);
    const key = keyOf(seedOf(ctx, this.seed), TAG_FIXED_PRE);
    let w = 0;
    const emit = (v: number): void => {
      pre[w++] = v;
    };
    for (let j = 0; j < nPost; j++) {
      let excl = off === undefined ? -1 : j - off;
      if (excl >= nPre) excl = -1;
      const pool = excl >= 0 ? nPre - 1 : nPre;
      const w0 = w;
      this.sample(key, j, num, pool, excl, mark, j, emit);
      post.fill(j, w0, w);
    }
    return csrFromPairs(nPre, nPost, pre, post, ctx.where);
  }
}

/**
 * Every pre neuron sends exactly `num` synapses to distinct, uniformly chosen post neurons (fixed
 * out-degree). O(num log num) per pre neuron; row i depends only on (seed, i).
 *
 * @example
 * const csr = new FixedPostNum(50).build({ nPre: 800, nPost: 200, seed: 3, where: "projection 'E→I'" });
 */
export class FixedPostNum extends FixedDegree implements Connector {
  readonly name = 'FixedPostNum';

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    checkBool(ctx.where, 'allowSelf', this.allowSelf);
    const { nPre, nPost } = ctx;
    const off = selfOff(ctx, this.allowSelf);
    const excluded = countSelfPairs(nPre, nPost, off) > 0;
    const num = checkNum(ctx.where, this.num, this.allowMulti ? Number.MAX_SAFE_INTEGER : nPost - (excluded ? 1 : 0), 'nPost', excluded);
    checkTotal(ctx.where, num * nPre);
    const b = new CsrBuilder(nPre, nPost, num * nPre, ctx.where);
    const mark = new Int32Array(nPost).fill(-1);
    const key = keyOf(seedOf(ctx, this.seed), TAG_FIXED_POST);
    const emit = (v: number): void => b.push(v);
    for (let i = 0; i < nPre; i++) {
      let excl = off === undefined ? -1 : i + off;
      if (excl < 0 || excl >= nPost) excl = -1;
      const pool = excl >= 0 ? nPost - 1 : nPost;
      this.sample(key, i, num, pool, excl, mark, i, emit);
      b.sortRow();
      b.endRow();
    }
    return b.finish();
  }
}

// ---------------------------------------------------------------------------------------------
// 2-D grids

function checkGrid(ctx: ConnectContext, name: string, shape: unknown): [number, number] {
  const where = ctx.where;
  if (
    !Array.isArray(shape) ||
    shape.length !== 2 ||
    !shape.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0)
  ) {
    throw new BuildError(where, 'gridShape', `must be [rows, cols] of positive integers, got ${JSON.stringify(shape)}`, 'give e.g. gridShape: [40, 50]');
  }
  const [rows, cols] = shape as [number, number];
  if (ctx.nPre !== rows * cols || ctx.nPost !== rows * cols) {
    throw new BuildError(
      where,
      'gridShape',
      `${name}: a ${rows} × ${cols} grid has ${rows * cols} neurons but nPre = ${ctx.nPre}, nPost = ${ctx.nPost}`,
      `give a gridShape whose rows · cols equals both population sizes`,
    );
  }
  return [rows, cols];
}

/**
 * The offsets along one axis, from `center`, reachable within `reach`: each cell of the axis
 * appears at most once, and |offset| is the (periodic, minimal-image) distance to it.
 */
function axisWindow(center: number, size: number, reach: number, periodic: boolean): [number, number] {
  if (periodic) return [Math.max(-Math.floor((size - 1) / 2), -reach), Math.min(Math.floor(size / 2), reach)];
  return [Math.max(-center, -reach), Math.min(size - 1 - center, reach)];
}

function wrap(x: number, size: number): number {
  return x < 0 ? x + size : x >= size ? x - size : x;
}

function axisDist(a: number, b: number, size: number, periodic: boolean): number {
  const d = Math.abs(a - b);
  return periodic ? Math.min(d, size - d) : d;
}

/** Options of {@link GaussianProb}. */
export interface GaussianProbOptions {
  /** [rows, cols]: pre and post both lie on this grid, neuron index = row · cols + col. */
  gridShape: [number, number];
  /** Whether distances wrap around the grid's edges (a torus; default false). */
  periodic?: boolean;
  /** Whether a neuron may connect to itself when pre and post are one population (default false). */
  allowSelf?: boolean;
  /**
   * When true, positions are divided by the grid's side lengths (row / rows, col / cols) before
   * distances are taken, so `sigma` is a fraction of the grid's side (default false: `sigma` is in
   * grid steps).
   */
  normalize?: boolean;
  /** Seed overriding the projection's. */
  seed?: number;
}

/**
 * Distance-dependent random connectivity on a 2-D grid: pre p and post q connect independently
 * with probability exp(-d² / (2 sigma²)), d the Euclidean grid distance between their positions.
 *
 * Exact, and O(synapses + sigma·√log N) per pre neuron rather than O(N): in the window around the
 * pre neuron beyond which every probability is below 1/N, each half-row is sampled with geometric
 * skips at a bound that tracks the (decreasing) probability and thinned to the exact value; the
 * far region is sampled with one skip pass at the 1/N bound (about one random draw).
 *
 * @example
 * const csr = new GaussianProb(2, { gridShape: [50, 50], periodic: true }).build({ nPre: 2500, nPost: 2500, seed: 7, where: 'rec', selfOffset: 0 });
 */
export class GaussianProb implements Connector {
  readonly name = 'GaussianProb';
  readonly sigma: number;
  readonly options: GaussianProbOptions;

  constructor(sigma: number, options: GaussianProbOptions) {
    this.sigma = sigma;
    this.options = options;
  }

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    const where = ctx.where;
    const o = this.options ?? ({} as GaussianProbOptions);
    const [rows, cols] = checkGrid(ctx, 'GaussianProb', o.gridShape);
    const sigma = this.sigma;
    if (typeof sigma !== 'number' || !Number.isFinite(sigma) || sigma <= 0) {
      throw new BuildError(where, 'sigma', `must be a positive finite number, got ${describe(sigma)}`, 'give the Gaussian width, e.g. 2 (grid steps)');
    }
    const periodic = checkBool(where, 'periodic', o.periodic ?? false);
    const allowSelf = checkBool(where, 'allowSelf', o.allowSelf ?? false);
    const normalize = checkBool(where, 'normalize', o.normalize ?? false);
    const off = selfOff(ctx, allowSelf);
    const n = rows * cols;
    const sr = normalize ? sigma * rows : sigma;
    const sc = normalize ? sigma * cols : sigma;
    // Core reach per axis: beyond it the probability is below 1/n.
    const lnN = Math.log(Math.max(n, 2));
    const reachR = Math.min(rows, Math.max(0, Math.ceil(sr * Math.sqrt(2 * lnN)) - 1));
    const reachC = Math.min(cols, Math.max(0, Math.ceil(sc * Math.sqrt(2 * lnN)) - 1));
    const gR = new Float64Array(reachR + 1);
    const gC = new Float64Array(reachC + 1);
    for (let d = 0; d <= reachR; d++) gR[d] = Math.exp(-(d * d) / (2 * sr * sr));
    for (let d = 0; d <= reachC; d++) gC[d] = Math.exp(-(d * d) / (2 * sc * sc));
    const tailBound = Math.max(
      Math.exp(-((reachR + 1) * (reachR + 1)) / (2 * sr * sr)),
      Math.exp(-((reachC + 1) * (reachC + 1)) / (2 * sc * sc)),
    );
    const logqTail = Math.log1p(-tailBound);
    const key = keyOf(seedOf(ctx, this.seed), TAG_GAUSSIAN);
    const b = new CsrBuilder(n, n, Math.ceil(n * Math.min(n, 2 * Math.PI * sr * sc + 1)), where);

    for (let p = 0; p < n; p++) {
      const r0 = Math.floor(p / cols);
      const c0 = p - r0 * cols;
      const self = off === undefined ? -1 : p + off;
      let k = 0;
      const [rLo, rHi] = axisWindow(r0, rows, reachR, periodic);
      const [cLo, cHi] = axisWindow(c0, cols, reachC, periodic);
      const width = cHi - cLo + 1;
      let sorted = !periodic;
      // Core window. Along each half-row (dc = 0, 1, ... and dc = -1, -2, ...) the probability
      // a·gC[|dc|] only decreases, so the probability of the next cell bounds all the remaining
      // ones: skip geometrically at that bound, accept the cell reached with (its probability /
      // bound), and restart the skip from the next cell with its (smaller) probability. Exact,
      // and about one draw per cell candidate since the bound tracks the probability closely.
      for (let dr = rLo; dr <= rHi; dr++) {
        const a = gR[Math.abs(dr)];
        if (a <= 0) continue;
        const rowBase = (periodic ? wrap(r0 + dr, rows) : r0 + dr) * cols;
        for (let side = 0; side < 2; side++) {
          const sign = side === 0 ? -1 : 1;
          const maxAbs = side === 0 ? -cLo : cHi;
          const segStart = b.buf.length;
          for (let d = side === 0 ? 1 : 0; d <= maxAbs; d++) {
            const bound = a * gC[d];
            if (bound <= 0) break;
            if (bound < 1) {
              const skip = geometricSkip(1 - uniformAt(key, p, k++), Math.log1p(-bound));
              if (skip > 0) {
                d += skip;
                if (d > maxAbs) break;
                if (uniformAt(key, p, k++) * bound >= a * gC[d]) continue;
              }
            }
            const q = rowBase + (periodic ? wrap(c0 + sign * d, cols) : c0 + sign * d);
            if (q !== self) b.push(q);
          }
          if (side === 0 && !periodic) b.reverseFrom(segStart); // left half was produced right to left
        }
      }
      // Far region (outside the core window): every probability there is ≤ tailBound.
      const coreCovers = rHi - rLo + 1 === rows && width === cols;
      if (!coreCovers && tailBound > 0) {
        for (let q = -1; ; ) {
          q += geometricSkip(1 - uniformAt(key, p, k++), logqTail) + 1;
          if (q >= n) break;
          const r = Math.floor(q / cols);
          const c = q - r * cols;
          const dr = axisDist(r, r0, rows, periodic);
          const dc = axisDist(c, c0, cols, periodic);
          if (dr <= reachR && dc <= reachC) continue; // in the core: sampled above
          const prob = Math.exp(-(dr * dr) / (2 * sr * sr) - (dc * dc) / (2 * sc * sc));
          if (uniformAt(key, p, k++) * tailBound >= prob) continue;
          if (q !== self) {
            b.push(q);
            sorted = false;
          }
        }
      }
      if (!sorted) b.sortRow();
      b.endRow();
    }
    return b.finish();
  }

  private get seed(): number | undefined {
    return this.options?.seed;
  }
}

/** Options of {@link GridNeighbors}. */
export interface GridNeighborsOptions {
  /** [rows, cols]: pre and post both lie on this grid, neuron index = row · cols + col. */
  gridShape: [number, number];
  /**
   * 'four' (von Neumann: |dr| + |dc| ≤ radius) or 'eight' (Moore: max(|dr|, |dc|) ≤ radius).
   * Default 'eight'.
   */
  neighborhood?: 'four' | 'eight';
  /** Neighbourhood radius in grid steps (default 1: the 4 or 8 nearest cells). */
  radius?: number;
  /** Whether the grid wraps around its edges (a torus; default false). */
  periodic?: boolean;
  /** Whether a neuron connects to itself when pre and post are one population (default false). */
  allowSelf?: boolean;
}

/**
 * Each neuron of a 2-D grid connects to the cells of its neighbourhood. On a periodic grid
 * smaller than the neighbourhood, each cell is still connected at most once.
 *
 * @example
 * const csr = new GridNeighbors({ gridShape: [20, 20], neighborhood: 'four', periodic: true }).build({ nPre: 400, nPost: 400, seed: 0, where: 'lattice', selfOffset: 0 });
 */
export class GridNeighbors implements Connector {
  readonly name = 'GridNeighbors';
  readonly options: GridNeighborsOptions;

  constructor(options: GridNeighborsOptions) {
    this.options = options;
  }

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    const where = ctx.where;
    const o = this.options ?? ({} as GridNeighborsOptions);
    const [rows, cols] = checkGrid(ctx, 'GridNeighbors', o.gridShape);
    const hood = o.neighborhood ?? 'eight';
    if (hood !== 'four' && hood !== 'eight') {
      throw new BuildError(where, 'neighborhood', `must be 'four' or 'eight', got ${describe(hood)}`, "give neighborhood: 'four' (von Neumann) or 'eight' (Moore)");
    }
    const radius = o.radius ?? 1;
    if (typeof radius !== 'number' || !Number.isInteger(radius) || radius < 0) {
      throw new BuildError(where, 'radius', `must be a non-negative integer, got ${describe(radius)}`, 'give a radius in grid steps, e.g. 1');
    }
    const periodic = checkBool(where, 'periodic', o.periodic ?? false);
    const allowSelf = checkBool(where, 'allowSelf', o.allowSelf ?? false);
    const off = selfOff(ctx, allowSelf);
    const n = rows * cols;
    const reachR = Math.min(radius, rows);
    const reachC = Math.min(radius, cols);
    const b = new CsrBuilder(n, n, n * Math.min(n, (2 * reachR + 1) * (2 * reachC + 1)), where);
    for (let p = 0; p < n; p++) {
      const r0 = Math.floor(p / cols);
      const c0 = p - r0 * cols;
      const self = off === undefined ? -1 : p + off;
      const [rLo, rHi] = axisWindow(r0, rows, reachR, periodic);
      const [cLo, cHi] = axisWindow(c0, cols, reachC, periodic);
      for (let dr = rLo; dr <= rHi; dr++) {
        const rowBase = (periodic ? wrap(r0 + dr, rows) : r0 + dr) * cols;
        for (let dc = cLo; dc <= cHi; dc++) {
          if (hood === 'four' && Math.abs(dr) + Math.abs(dc) > radius) continue;
          const q = rowBase + (periodic ? wrap(c0 + dc, cols) : c0 + dc);
          if (q !== self) b.push(q);
        }
      }
      if (periodic) b.sortRow();
      b.endRow();
    }
    return b.finish();
  }
}

// ---------------------------------------------------------------------------------------------
// Graph models

/** Options of {@link SmallWorld} and {@link ScaleFree}. */
export interface GraphOptions {
  /** Seed overriding the projection's. */
  seed?: number;
}

/**
 * Watts–Strogatz small-world graph on n = nPre = nPost nodes (index i of pre and of post is node
 * i). Start from a ring lattice where node i is linked to i ± 1, ..., i ± k (mod n), so every node
 * has 2k neighbours; then each lattice edge (i, i + s), taken for s = 1..k and i = 0..n-1, is
 * rewired with probability `beta` to (i, j), j uniform among the nodes that are neither i nor
 * already linked to i. Edges are undirected and stored in both directions; there are no self
 * loops and no repeated edges, and the number of edges (n·k) is preserved. Requires 2k < n.
 *
 * @example
 * const csr = new SmallWorld(5, 0.1).build({ nPre: 1000, nPost: 1000, seed: 1, where: 'ring' });
 */
export class SmallWorld implements Connector {
  readonly name = 'SmallWorld';
  readonly k: number;
  readonly beta: number;
  readonly seed: number | undefined;

  constructor(k: number, beta: number, options: GraphOptions = {}) {
    this.k = k;
    this.beta = beta;
    this.seed = options.seed;
  }

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    const where = ctx.where;
    const n = checkSameSize(ctx, 'SmallWorld');
    const k = this.k;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || 2 * k >= Math.max(n, 1)) {
      throw new BuildError(
        where,
        'k',
        `must be an integer with 0 ≤ k and 2k < n = ${n}, got ${describe(k)}`,
        `give the number of ring neighbours on each side, at most ${Math.max(0, Math.floor((n - 1) / 2))}`,
      );
    }
    const beta = checkProb(where, 'beta', this.beta);
    const nEdges = n * k;
    checkTotal(where, 2 * nEdges);
    const target = new Int32Array(nEdges); // edge e = i·k + (s-1) links i and target[e]
    const deg = new Int32Array(n).fill(2 * k);
    const edges = new KeySet(2 * nEdges);
    const keyPair = (a: number, c: number): number => (a < c ? a * n + c : c * n + a);
    for (let i = 0; i < n; i++) {
      for (let s = 1; s <= k; s++) {
        const j = (i + s) % n;
        target[i * k + s - 1] = j;
        edges.add(keyPair(i, j));
      }
    }
    if (beta > 0) {
      const rng = new Rng(keyOf(seedOf(ctx, this.seed), TAG_SMALL_WORLD), 0);
      for (let s = 1; s <= k; s++) {
        for (let i = 0; i < n; i++) {
          if (rng.uniform() >= beta) continue;
          if (deg[i] >= n - 1) continue; // linked to everyone: nowhere to rewire to
          let j: number;
          do j = rng.int(n);
          while (j === i || edges.has(keyPair(i, j)));
          const e = i * k + s - 1;
          const old = target[e];
          edges.delete(keyPair(i, old));
          deg[old]--;
          edges.add(keyPair(i, j));
          deg[j]++;
          target[e] = j;
        }
      }
    }
    const pre = new Int32Array(2 * nEdges);
    const post = new Int32Array(2 * nEdges);
    for (let e = 0; e < nEdges; e++) {
      const i = (e / k) | 0;
      pre[2 * e] = i;
      post[2 * e] = target[e];
      pre[2 * e + 1] = target[e];
      post[2 * e + 1] = i;
    }
    return csrFromPairs(n, n, pre, post, where);
  }
}

/**
 * Barabási–Albert scale-free graph on n = nPre = nPost nodes: start from a complete graph on
 * m + 1 nodes, then add nodes m + 1, ..., n - 1 one at a time, each linking to m distinct existing
 * nodes chosen with probability proportional to their degree (preferential attachment). Edges
 * are undirected and stored in both directions; the mean degree tends to 2m and the degree
 * distribution to P(k) ∝ k^-3. O(n·m) expected time. Requires m ≥ 1 and n ≥ m + 1.
 *
 * @example
 * const csr = new ScaleFree(3).build({ nPre: 20000, nPost: 20000, seed: 1, where: 'net' });
 */
export class ScaleFree implements Connector {
  readonly name = 'ScaleFree';
  readonly m: number;
  readonly seed: number | undefined;

  constructor(m: number, options: GraphOptions = {}) {
    this.m = m;
    this.seed = options.seed;
  }

  build(ctx: ConnectContext): CSR {
    checkContext(ctx);
    const where = ctx.where;
    const n = checkSameSize(ctx, 'ScaleFree');
    const m = this.m;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m + 1 > n) {
      throw new BuildError(
        where,
        'm',
        `must be an integer with 1 ≤ m ≤ n - 1 = ${n - 1}, got ${describe(m)}`,
        `give the number of links each new node makes, between 1 and ${Math.max(1, n - 1)}`,
      );
    }
    const nEdges = (m * (m + 1)) / 2 + (n - m - 1) * m;
    checkTotal(where, 2 * nEdges);
    // ends[2e], ends[2e + 1] are the endpoints of edge e; a uniform entry of `ends` is a node
    // drawn with probability proportional to its degree.
    const ends = new Int32Array(2 * nEdges);
    let len = 0;
    for (let a = 0; a <= m; a++) {
      for (let c = a + 1; c <= m; c++) {
        ends[len++] = a;
        ends[len++] = c;
      }
    }
    const rng = new Rng(keyOf(seedOf(ctx, this.seed), TAG_SCALE_FREE), 0);
    const mark = new Int32Array(n).fill(-1);
    const chosen = new Int32Array(m);
    for (let t = m + 1; t < n; t++) {
      for (let c = 0; c < m; ) {
        const x = ends[rng.int(len)];
        if (mark[x] === t) continue;
        mark[x] = t;
        chosen[c++] = x;
      }
      for (let c = 0; c < m; c++) {
        ends[len++] = t;
        ends[len++] = chosen[c];
      }
    }
    const post = new Int32Array(len);
    for (let e = 0; e < len; e++) post[e] = ends[e ^ 1];
    return csrFromPairs(n, n, ends, post, where);
  }
}
