/**
 * FixedProb rows of rare connections (p ≤ RARE_MAX_P), drawn as a count and its positions.
 *
 * The geometric skips of src/connect/geometric.ts need, at small p, a table of 2^16 buckets plus a
 * tail (1.3 MB at p = 10^-4) that is read at a random place for every synapse; in a network of 10^6
 * neurons the random updates of the post arrays keep evicting it, and those reads set the cost of
 * a regenerated row. This sampler reads no table per synapse. Block b of row i (its n posts:
 * ROW_BLOCK, or the rest of the row in its last block) is drawn from the stream (key, i, b):
 *
 *  1. the block's number of targets K ~ Binomial(n, p) by inversion of one 32-bit word x: K is the
 *     smallest k with x < T_k, T_k = floor(P(K ≤ k)·2^32) (one small table per n; a guide by the
 *     top GUIDE_BITS bits of x starts the search at most a step or two below K);
 *  2. K distinct positions, each uniform on [0, n): floor(x·n / 2^32), with Lemire's rejection
 *     (a word whose product x·n has a low word below 2^32 mod n is drawn again, so that every
 *     position has the same number of words), and a position already drawn in this block (its bit
 *     set in a bitmap of n bits, 32 KiB, which stays in the first-level cache) drawn again.
 *
 * Given K, the positions are a uniform K-subset of the block, so every pair is connected
 * independently with probability p: the distribution of Bernoulli trials, exactly up to the 2^-32
 * resolution of the count's word (the table stops where the remaining tail is under 2^-40 of a
 * word; K then takes that tail), as the skips are exact up to theirs. The rows are not the rows of
 * the skips. Rows are returned ascending, as stored rows are: the positions are read off the
 * bitmap in order, through a summary bit per bitmap word and one per summary word (no sort). The
 * step engine draws the same positions (src/engine/jit.ts) and uses them unsorted, which adds the
 * same increments to each post neuron in the same order, since a row holds each post at most once.
 */

import { streamRngState } from '../math/rng.js';
import { ROW_BLOCK } from './row_blocks.js';

/** Connection probabilities up to this use this sampler (a full block then expects at most 256 targets). */
export const RARE_MAX_P = 2 ** -10;
/** The guide of a count table has 2^GUIDE_BITS entries. */
export const GUIDE_BITS = 8;

const TWO_32 = 4294967296;
const TWO_NEG_32 = 2 ** -32;

/** The inversion table of Binomial(n, p) on 32-bit words (see the module comment). */
export interface CountTable {
  /** The block size. */
  readonly n: number;
  /** T_0 .. T_(kmax − 1) as unsigned words; a word ≥ T_(kmax − 1) gives K = kmax. */
  readonly thresholds: Uint32Array;
  /** Per top GUIDE_BITS bits h of x: the smallest k with T_k > h·2^(32 − GUIDE_BITS) (kmax if none). */
  readonly guide: Int32Array;
  /** 2^32 mod n: a position word whose product with n has a low word below this is drawn again. */
  readonly reject: number;
}

/** The rare-connection sampler of one probability. */
export interface RareRows {
  readonly kind: 'rare';
  readonly p: number;
  /** The count table of blocks of n posts (built once per n). */
  counts(n: number): CountTable;
  /**
   * Writes row i drawn from the streams (key, i, block) (key a signed 32-bit word): its post indices
   * below nPost, ascending, self-connection not removed, to out[n], out[n + 1], ...; returns the
   * new end (past out.length when the row did not fit: the writes beyond it are dropped).
   */
  readonly fill: (key: number, i: number, nPost: number, out: Int32Array, n: number) => number;
}

/**
 * The count table of blocks of n posts at probability p (0 < p ≤ RARE_MAX_P, n ≤ ROW_BLOCK).
 *
 * @example
 * countTable(1000, 0.0005).thresholds[0] // floor(0.9995^1000 · 2^32)
 */
export function countTable(n: number, p: number): CountTable {
  if (!Number.isInteger(n) || n < 1 || n > ROW_BLOCK) throw new RangeError(`a block has 1 to ${ROW_BLOCK} posts, got ${n}`);
  if (!(p > 0 && p <= RARE_MAX_P)) throw new RangeError(`rare rows need 0 < p ≤ ${RARE_MAX_P}, got ${p}`);
  const ratio = p / (1 - p);
  const mean = n * p;
  let pmf = Math.exp(n * Math.log1p(-p));
  let cdf = 0;
  const t: number[] = [];
  for (let k = 0; k < n; k++) {
    cdf += pmf;
    const word = Math.floor(cdf * TWO_32);
    if (word >= TWO_32) break;
    t.push(word);
    pmf *= ((n - k) / (k + 1)) * ratio;
    // past the mean the terms fall faster than geometrically: K = kmax takes the rest of the tail
    if (k > mean && pmf * TWO_32 < 2 ** -8) break;
  }
  const thresholds = Uint32Array.from(t);
  const guide = new Int32Array(1 << GUIDE_BITS);
  const width = 2 ** (32 - GUIDE_BITS);
  for (let h = 0, k = 0; h < guide.length; h++) {
    while (k < thresholds.length && thresholds[k] <= h * width) k++;
    guide[h] = k;
  }
  return { n, thresholds, guide, reject: TWO_32 % n };
}

/** The seeded xoshiro128** state of the block being drawn, the bitmap of its drawn positions, and the positions. */
const STATE = new Int32Array(4);
const DRAWN = new Int32Array(ROW_BLOCK >>> 5);
/** Bit w of MID[h] is set when DRAWN[32·h + w] holds a drawn position; bit w of TOP[h] when MID[32·h + w] does. */
const MID = new Int32Array(ROW_BLOCK >>> 10);
const TOP = new Int32Array(ROW_BLOCK >>> 15);

/** The index of the lowest set bit of a non-zero word. */
function lowestBit(w: number): number {
  return 31 - Math.clz32(w & -w);
}
let positions = new Int32Array(512);

/**
 * Draws block `part` of row i (see the module comment) into positions[0..K), block-relative,
 * ascending; returns K. The generator's state stays in locals (xoshiro128**, Blackman & Vigna):
 * faster than a state array. Its first word gives the count K (K = -1 until then), the others
 * the positions.
 */
function drawBlock(key: number, i: number, part: number, c: CountTable): number {
  streamRngState(key, i, STATE, part);
  let a = STATE[0];
  let b = STATE[1];
  let cc = STATE[2];
  let d = STATE[3];
  const { n, reject, thresholds } = c;
  let out = positions;
  let K = -1;
  for (let k = 0; k !== K; ) {
    const y = Math.imul(b, 5);
    const w = Math.imul((y << 7) | (y >>> 25), 9) >>> 0;
    const t = b << 9;
    cc ^= a;
    d ^= b;
    b ^= cc;
    a ^= d;
    cc ^= t;
    d = (d << 11) | (d >>> 21);
    if (K < 0) {
      K = c.guide[w >>> (32 - GUIDE_BITS)];
      while (K < thresholds.length && w >= thresholds[K]) K++;
      if (out.length < K) out = positions = new Int32Array(2 * K);
      continue;
    }
    const m = w * n; // < 2^50: exact
    const pos = (m * TWO_NEG_32) | 0;
    if (reject !== 0 && m - pos * TWO_32 < reject) continue;
    const bit = 1 << (pos & 31);
    const word = DRAWN[pos >>> 5];
    if ((word & bit) !== 0) continue;
    DRAWN[pos >>> 5] = word | bit;
    MID[pos >>> 10] |= 1 << ((pos >>> 5) & 31);
    TOP[pos >>> 15] |= 1 << ((pos >>> 10) & 31);
    k++;
  }
  // the positions in ascending order, read off the bitmap through its two summaries (no sort), clearing all three
  let k = 0;
  for (let h = 0; h < TOP.length; h++) {
    for (let s2 = TOP[h]; s2 !== 0; s2 &= s2 - 1) {
      const mid = (h << 5) | lowestBit(s2);
      for (let s1 = MID[mid]; s1 !== 0; s1 &= s1 - 1) {
        const at = (mid << 5) | lowestBit(s1);
        for (let word = DRAWN[at]; word !== 0; word &= word - 1) out[k++] = (at << 5) | lowestBit(word);
        DRAWN[at] = 0;
      }
      MID[mid] = 0;
    }
    TOP[h] = 0;
  }
  return K;
}

const SAMPLERS = new Map<number, RareRows>();

/**
 * The cached {@link RareRows} of p (0 < p ≤ RARE_MAX_P); the samplers of the last 16 probabilities are kept.
 *
 * @example
 * const row = new Int32Array(64); const len = rareRows(1e-4).fill(7, 0, 1_000_000, row, 0);
 */
export function rareRows(p: number): RareRows {
  let r = SAMPLERS.get(p);
  if (r === undefined) {
    const tables = new Map<number, CountTable>();
    const counts = (n: number): CountTable => {
      let c = tables.get(n);
      if (c === undefined) tables.set(n, (c = countTable(n, p)));
      return c;
    };
    const fill = (key: number, i: number, nPost: number, out: Int32Array, n: number): number => {
      for (let part = 0, start = 0; start < nPost; part++, start += ROW_BLOCK) {
        const K = drawBlock(key, i, part, counts(Math.min(ROW_BLOCK, nPost - start)));
        for (let k = 0; k < K; k++) out[n++] = start + positions[k];
      }
      return n;
    };
    r = { kind: 'rare', p, counts, fill };
    if (SAMPLERS.size >= 16) SAMPLERS.delete(SAMPLERS.keys().next().value as number);
    SAMPLERS.set(p, r);
  }
  return r;
}
