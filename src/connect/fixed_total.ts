/**
 * FixedTotalNum: exactly `num` synapses between two populations, each with a pre and a post
 * neuron drawn uniformly and independently (NEST's 'fixed_total_number' with multapses and
 * autapses; the rule of the Potjans & Diesmann 2014 microcircuit).
 */
import { BuildError } from '../lang/errors.js';
import { StreamRng, threefry2x32, threefryOut } from '../math/rng.js';
import { MAX_SYNAPSES } from './buffer.js';
import { type CSR } from './csr.js';
import { type ConnectContext, type Connector } from './connectors.js';

/** Tag of this connector's key: different from the other connectors' tags (1..6 in connectors.ts). */
const TAG_FIXED_TOTAL = 7;
/** Synapses per random stream: streams are seeded rarely, and any block can be redrawn alone. */
const BLOCK = 65536;

/** Options of {@link FixedTotalNum}. */
export interface FixedTotalNumOptions {
  /** Seed overriding the projection's. */
  seed?: number;
}

/**
 * `num` synapses; synapse k joins pre ⌊u·nPre⌋ and post ⌊u'·nPost⌋, where (u, u') are the next two
 * draws of the fast stream (key, ⌊k / 65536⌋) ({@link StreamRng}): a pure function of the seed and
 * k, whatever splits the work. Pairs may repeat (multapses) and, within one population, a neuron
 * may connect to itself. The rows come out sorted by two counting passes (by post, then stably by
 * pre): O(num + nPre + nPost) time, 12 bytes per synapse of scratch besides the CSR.
 *
 * @example
 * const csr = new FixedTotalNum(5000).build({ nPre: 800, nPost: 200, seed: 3, where: "projection 'E→I'" });
 */
export class FixedTotalNum implements Connector {
  readonly name = 'FixedTotalNum';
  readonly num: number;
  readonly seed: number | undefined;

  constructor(num: number, options: FixedTotalNumOptions = {}) {
    this.num = num;
    this.seed = options.seed;
  }

  build(ctx: ConnectContext): CSR {
    const { nPre, nPost, where } = ctx;
    const num = this.num;
    if (typeof num !== 'number' || !Number.isInteger(num) || num < 0 || num > MAX_SYNAPSES) {
      throw new BuildError(where, 'num', `must be a whole number of synapses in [0, ${MAX_SYNAPSES}], got ${String(num)}`, 'give e.g. new FixedTotalNum(10000)');
    }
    for (const [field, n] of [['nPre', nPre], ['nPost', nPost]] as const) {
      if (!Number.isInteger(n) || n < 0) throw new BuildError(where, field, `must be a non-negative integer, got ${n}`, 'give a population size such as 100');
    }
    if (num > 0 && (nPre === 0 || nPost === 0)) throw new BuildError(where, 'num', `${num} synapses cannot be drawn between ${nPre} pre and ${nPost} post neurons`, 'give num: 0, or non-empty populations');
    const seed = this.seed ?? ctx.seed;
    if (!Number.isFinite(seed)) throw new BuildError(where, 'seed', `must be a finite number, got ${seed}`, 'give an integer seed such as 42');
    threefry2x32(seed >>> 0, Math.floor(seed / 4294967296) >>> 0, 0x636f6e6e, TAG_FIXED_TOTAL);
    const key = threefryOut[0];
    // the draws, and how many synapses each post neuron receives
    const pre = new Int32Array(num);
    const post = new Int32Array(num);
    const postStart = new Int32Array(nPost + 1);
    const rng = new StreamRng();
    for (let k = 0; k < num; k++) {
      if ((k & (BLOCK - 1)) === 0) rng.seed(key, k / BLOCK);
      pre[k] = Math.min(nPre - 1, Math.floor(rng.uniform() * nPre));
      const j = Math.min(nPost - 1, Math.floor(rng.uniform() * nPost));
      post[k] = j;
      postStart[j + 1]++;
    }
    for (let j = 0; j < nPost; j++) postStart[j + 1] += postStart[j];
    // pre indices grouped by post (counting sort), and the row lengths
    const byPost = new Int32Array(num);
    const fill = postStart.slice(0, nPost);
    const indptr = new Int32Array(nPre + 1);
    for (let k = 0; k < num; k++) {
      byPost[fill[post[k]]++] = pre[k];
      indptr[pre[k] + 1]++;
    }
    for (let i = 0; i < nPre; i++) indptr[i + 1] += indptr[i];
    // walking the posts in ascending order writes every row sorted
    const indices = post; // reused: every draw has been read
    const cursor = indptr.slice(0, nPre);
    for (let j = 0; j < nPost; j++) for (let e = postStart[j]; e < postStart[j + 1]; e++) indices[cursor[byPost[e]]++] = j;
    return { nPre, nPost, indptr, indices };
  }
}
