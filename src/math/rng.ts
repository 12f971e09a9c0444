/**
 * Counter-based random numbers (Threefry-2x32-20, Salmon et al., "Parallel random numbers: as easy
 * as 1, 2, 3", SC 2011).
 *
 * A counter-based generator maps (key, counter) to random bits with no hidden state, so the value
 * for neuron i at step n can be computed anywhere, in any order, by any thread: the basis of
 * "same seed, same spikes, whatever the thread count" and of just-in-time connectivity that is
 * regenerated from a seed instead of stored. Threefry uses only 32-bit add, rotate and xor, which
 * JavaScript does exactly and fast.
 */

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];
const PARITY = 0x1bd11bda;
/** Threefry-2x32's rotation constants and key parity, for generators that emit it (the step engine). */
export const THREEFRY = { ROT: Object.freeze([...ROT]), PARITY } as const;

/** Scratch for {@link threefry2x32}: the two output words. Reused, never reallocated. */
export const threefryOut = new Uint32Array(2);

/**
 * Threefry-2x32 with 20 rounds. Writes two uniformly random 32-bit words into {@link threefryOut}.
 *
 * @example
 * threefry2x32(42, 0, 7, 0); const bits = threefryOut[0];
 */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number): void {
  // the unrolled rounds (below) give the same words about 3× faster than a loop over the rotation table
  threefryUnrolled(k0 | 0, k1 | 0, c0, c1, threefryOutWords, 0);
}

/** {@link threefryOut} seen as signed words, for {@link threefryUnrolled} to write into. */
const threefryOutWords = new Int32Array(threefryOut.buffer);

const TWO_NEG_32 = 2.3283064365386963e-10;
const TWO_NEG_53 = 1.1102230246251565e-16;

/**
 * A uniform number in [0, 1) that is a pure function of (seed, stream, index): 53 random bits.
 *
 * @example
 * const u = uniformAt(1234, 7, 0); // same value on every call, every thread
 */
export function uniformAt(seed: number, stream: number, index: number): number {
  threefry2x32(seed, stream, index, Math.floor(index / 4294967296));
  return ((threefryOut[0] >>> 5) * 67108864 + (threefryOut[1] >>> 6)) * TWO_NEG_53;
}

/**
 * A number in (0, 1] from two 32-bit words: (x0 + 1)·2^-32 + x1·2^-64, at most 1. Without the
 * bound, x0 = 2^32 − 1 (once in 2^32 draws: a few times in a network of 10^8 random weights or
 * delays) gave 1 + x1·2^-64 > 1, whose logarithm is positive and whose Box–Muller draw is NaN.
 *
 * @example
 * openUnit(0xffffffff, 0xffffffff) // 1
 */
export function openUnit(x0: number, x1: number): number {
  return Math.min(1, (x0 + 1) * TWO_NEG_32 + x1 * TWO_NEG_32 * TWO_NEG_32);
}

/**
 * A seeded stream of random numbers. `new Rng(seed, stream)` is a sequence keyed by (seed, stream);
 * two generators with different streams are independent, and re-creating one replays it exactly.
 *
 * @example
 * const rng = new Rng(42);
 * const x = rng.normal(); // standard normal
 * const k = rng.int(10);  // 0..9
 */
export class Rng {
  readonly seed: number;
  readonly stream: number;
  private counter = 0;
  private spareNormal = NaN;

  constructor(seed = 0, stream = 0) {
    if (!Number.isFinite(seed) || !Number.isFinite(stream)) {
      throw new RangeError(`Rng: seed and stream must be finite numbers, got seed=${seed}, stream=${stream}`);
    }
    this.seed = seed >>> 0;
    this.stream = stream >>> 0;
  }

  /** A generator of an independent stream derived from this one's seed (e.g. one per population). */
  fork(stream: number): Rng {
    return new Rng(this.seed, (this.stream * 0x9e3779b1 + stream + 1) >>> 0);
  }

  /** Two fresh random 32-bit words in {@link threefryOut}. */
  private next(): void {
    const c = this.counter++;
    threefry2x32(this.seed, this.stream, c, Math.floor(c / 4294967296));
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    this.next();
    return threefryOut[0];
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  uniform(): number {
    this.next();
    return ((threefryOut[0] >>> 5) * 67108864 + (threefryOut[1] >>> 6)) * TWO_NEG_53;
  }

  /** A uniform number in (0, 1]: safe to take the logarithm of. */
  uniformOpen(): number {
    this.next();
    return openUnit(threefryOut[0], threefryOut[1]);
  }

  /** A standard normal number (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return z;
    }
    const u1 = this.uniformOpen();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fills `out` with normal numbers of mean `mean` and standard deviation `std`. */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
  }

  /** Fills `out` with uniform numbers in [lo, hi). */
  fillUniform(out: Float32Array | Float64Array, lo = 0, hi = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
  }
}

/**
 * A fast generator for one stream of many draws, e.g. one row of a connectivity matrix:
 * xoshiro128** (Blackman & Vigna 2018) whose 128-bit state is seeded from Threefry(key, stream),
 * so the sequence is still a pure function of (key, stream) and rows can be regenerated alone, in
 * any order. A draw costs a few 32-bit operations instead of Threefry's 20 rounds.
 *
 * @example
 * const s = new StreamRng(); s.seed(42, row); const u = s.uniform();
 */
export class StreamRng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /** Restarts the stream (key, stream). */
  seed(key: number, stream: number): void {
    threefry2x32(key, stream, 0, 0x73747265);
    this.a = threefryOut[0] | 0;
    this.b = threefryOut[1] | 0;
    threefry2x32(key, stream, 1, 0x73747265);
    this.c = threefryOut[0] | 0;
    this.d = threefryOut[1] | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** A uniform unsigned 32-bit integer. */
  uint32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** A uniform number in (0, 1] (32 random bits): safe to take the logarithm of. */
  uniformOpen(): number {
    return (this.uint32() + 1) * TWO_NEG_32;
  }

  /** A uniform number in [0, 1) (32 random bits). */
  uniform(): number {
    return this.uint32() * TWO_NEG_32;
  }

  /**
   * ln(u) of the draw u = (x + 1)/2^32 ∈ (0, 1], computed from the integer without Math.log:
   * x + 1 = 2^e·m with m ∈ [1, 2) (e from a leading-zero count), ln m from the atanh series
   * 2(s + s³/3 + ... + s¹³/13), s = (m - 1)/(m + 1) < 1/3. Absolute error below 3e-8: geometric
   * skips drawn with it differ from exact ones with probability ~1e-6, and are deterministic.
   */
  logUniformOpen(): number {
    const x = this.uint32();
    if (x === 0xffffffff) return 0;
    const k = x + 1;
    const e = 31 - Math.clz32(k);
    const m = k * POW2_NEG[e];
    const s = (m - 1) / (m + 1);
    const s2 = s * s;
    const lnm = 2 * s * (1 + s2 * (1 / 3 + s2 * (1 / 5 + s2 * (1 / 7 + s2 * (1 / 9 + s2 * (1 / 11 + s2 / 13))))));
    return (e - 32) * Math.LN2 + lnm;
  }
}

/** 2^-e for e = 0..31. */
const POW2_NEG = Float64Array.from({ length: 32 }, (_, e) => 2 ** -e);

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Writes into `out[0..3]` the xoshiro128** state that {@link StreamRng.seed}(key, stream) sets, as
 * signed 32-bit words, so that a hot loop can keep the generator in local variables (see
 * `connect/geometric.ts`). The same two Threefry-2x32-20 blocks, with the rounds unrolled
 * (about 3× faster than {@link threefry2x32}; the output is identical).
 *
 * `part` > 0 selects another stream of the same (key, stream), for a row cut into blocks: its
 * Threefry counters are (2·part, tag) and (2·part + 1, tag) instead of (0, tag) and (1, tag).
 *
 * @example
 * const st = new Int32Array(4); streamRngState(42, 7, st); // st = the state of new StreamRng().seed(42, 7)
 */
export function streamRngState(key: number, stream: number, out: Int32Array, part = 0): void {
  threefryUnrolled(key | 0, stream | 0, 2 * part, 0x73747265, out, 0);
  threefryUnrolled(key | 0, stream | 0, 2 * part + 1, 0x73747265, out, 2);
  if ((out[0] | out[1] | out[2] | out[3]) === 0) out[0] = 1; // as StreamRng.seed: avoid the all-zero fixed point
}

/** {@link threefry2x32} with its 20 rounds written out; writes the two words to out[at], out[at + 1]. */
function threefryUnrolled(k0: number, k1: number, c0: number, c1: number, out: Int32Array, at: number): void {
  const k2 = PARITY ^ k0 ^ k1;
  let x0 = (c0 + k0) | 0;
  let x1 = (c1 + k1) | 0;
  // Rounds 0-3 (rotations 13, 15, 26, 6), then key injection 1.
  x0 = (x0 + x1) | 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
  x0 = (x0 + k1) | 0; x1 = (x1 + k2 + 1) | 0;
  // Rounds 4-7 (rotations 17, 29, 16, 24), then key injection 2.
  x0 = (x0 + x1) | 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
  x0 = (x0 + k2) | 0; x1 = (x1 + k0 + 2) | 0;
  // Rounds 8-11, injection 3.
  x0 = (x0 + x1) | 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
  x0 = (x0 + k0) | 0; x1 = (x1 + k1 + 3) | 0;
  // Rounds 12-15, injection 4.
  x0 = (x0 + x1) | 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
  x0 = (x0 + k1) | 0; x1 = (x1 + k2 + 4) | 0;
  // Rounds 16-19, injection 5.
  x0 = (x0 + x1) | 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
  x0 = (x0 + k2) | 0; x1 = (x1 + k0 + 5) | 0;
  out[at] = x0;
  out[at + 1] = x1;
}
