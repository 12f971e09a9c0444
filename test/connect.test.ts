import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BuildError } from '../src/lang/errors.js';
import {
  type CSR,
  type ConnectContext,
  All2All,
  FixedPostNum,
  FixedPreNum,
  FixedProb,
  FromCSR,
  FromDense,
  FromPairs,
  GaussianProb,
  GridNeighbors,
  IntBuffer,
  One2One,
  ScaleFree,
  SmallWorld,
  csrCheck,
  csrFromPairs,
  csrNumSynapses,
  csrToDense,
  csrTranspose,
  inDegrees,
  outDegrees,
} from '../src/connect/index.js';
import { buildSkipTable, exactSkip, fixedProbCsr, ROW_BLOCK, skipTable, tableSkip } from '../src/connect/geometric.js';
import { countTable, RARE_MAX_P } from '../src/connect/rare_rows.js';
import { StreamRng, streamRngState, threefry2x32, threefryOut } from '../src/math/rng.js';

const WHERE = "projection 'E→I'";

function ctx(nPre: number, nPost: number, extra: Partial<ConnectContext> = {}): ConnectContext {
  return { nPre, nPost, seed: 42, where: WHERE, ...extra };
}

/** All (pre, post) pairs of a CSR, in storage order. */
function pairsOf(c: CSR): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < c.nPre; i++) for (let s = c.indptr[i]; s < c.indptr[i + 1]; s++) out.push([i, c.indices[s]]);
  return out;
}

function sortPairs(p: Array<[number, number]>): Array<[number, number]> {
  return p.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** Valid CSR with strictly ascending rows: sorted and without repeated synapses. */
function assertStrictCsr(c: CSR): void {
  csrCheck(c, 'test', false);
}

function assertNoSelf(c: CSR, off: number): void {
  for (let i = 0; i < c.nPre; i++) {
    for (let s = c.indptr[i]; s < c.indptr[i + 1]; s++) assert.notEqual(c.indices[s], i + off, `self-connection ${i} → ${i + off}`);
  }
}

function sameCsr(a: CSR, b: CSR): boolean {
  return (
    a.nPre === b.nPre &&
    a.nPost === b.nPost &&
    a.indptr.length === b.indptr.length &&
    a.indices.length === b.indices.length &&
    a.indptr.every((v, k) => v === b.indptr[k]) &&
    a.indices.every((v, k) => v === b.indices[k])
  );
}

function assertBuildError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BuildError, `expected BuildError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

/** Symmetric, no self loops, no repeated edges. */
function assertSimpleUndirected(c: CSR): void {
  assertStrictCsr(c);
  assertNoSelf(c, 0);
  const { csr: t } = csrTranspose(c);
  assert.ok(sameCsr(c, t), 'graph is not symmetric');
}

function meanClustering(c: CSR): number {
  const n = c.nPre;
  const mark = new Int32Array(n).fill(-1);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const a = c.indptr[i];
    const e = c.indptr[i + 1];
    const k = e - a;
    if (k < 2) continue;
    for (let s = a; s < e; s++) mark[c.indices[s]] = i;
    let links = 0;
    for (let s = a; s < e; s++) {
      const j = c.indices[s];
      for (let t = c.indptr[j]; t < c.indptr[j + 1]; t++) if (mark[c.indices[t]] === i) links++;
    }
    sum += links / (k * (k - 1)); // each link counted twice
  }
  return sum / n;
}

// ---------------------------------------------------------------------------------------------
// CSR helpers

test('csrFromPairs: small example and naive construction', () => {
  const c = csrFromPairs(3, 4, [2, 0, 0, 2, 0], [1, 3, 1, 0, 0]);
  assert.deepEqual(Array.from(c.indptr), [0, 3, 3, 5]);
  assert.deepEqual(Array.from(c.indices), [0, 1, 3, 0, 1]);
  assert.equal(csrNumSynapses(c), 5);
  assert.deepEqual(Array.from(outDegrees(c)), [3, 0, 2]);
  assert.deepEqual(Array.from(inDegrees(c)), [2, 2, 0, 1]);
  assert.deepEqual(Array.from(csrToDense(c)), [1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0]);

  // Naive: per row, collect and sort.
  const nPre = 50;
  const nPost = 70;
  const pre: number[] = [];
  const post: number[] = [];
  let x = 12345;
  for (let k = 0; k < 2000; k++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    pre.push(x % nPre);
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    post.push(x % nPost);
  }
  const rows: number[][] = Array.from({ length: nPre }, () => []);
  for (let k = 0; k < pre.length; k++) rows[pre[k]].push(post[k]);
  const naivePtr = [0];
  const naiveInd: number[] = [];
  for (const r of rows) {
    r.sort((a, b) => a - b);
    naiveInd.push(...r);
    naivePtr.push(naiveInd.length);
  }
  const fast = csrFromPairs(nPre, nPost, Int32Array.from(pre), Int32Array.from(post));
  assert.deepEqual(Array.from(fast.indptr), naivePtr);
  assert.deepEqual(Array.from(fast.indices), naiveInd);
  csrCheck(fast, 'test', true);
});

test('csrFromPairs (property): reading back gives the same multiset of pairs', () => {
  const arb = fc
    .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }))
    .chain(([nPre, nPost]) =>
      fc.record({
        nPre: fc.constant(nPre),
        nPost: fc.constant(nPost),
        pairs: fc.array(fc.tuple(fc.integer({ min: 0, max: nPre - 1 }), fc.integer({ min: 0, max: nPost - 1 })), { maxLength: 80 }),
      }),
    );
  fc.assert(
    fc.property(arb, ({ nPre, nPost, pairs }) => {
      const c = csrFromPairs(
        nPre,
        nPost,
        pairs.map((p) => p[0]),
        pairs.map((p) => p[1]),
      );
      csrCheck(c, 'property', true);
      assert.deepEqual(sortPairs(pairsOf(c)), sortPairs(pairs));
      // Transpose keeps the multiset (swapped) and perm points at the same synapse.
      const { csr: t, perm } = csrTranspose(c);
      csrCheck(t, 'property', true);
      assert.deepEqual(sortPairs(pairsOf(t).map(([a, b]) => [b, a])), sortPairs(pairs));
      for (let j = 0; j < t.nPre; j++) {
        for (let s = t.indptr[j]; s < t.indptr[j + 1]; s++) {
          const orig = perm[s];
          assert.equal(c.indices[orig], j);
          assert.ok(c.indptr[t.indices[s]] <= orig && orig < c.indptr[t.indices[s] + 1]);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('csrTranspose: round trip and permutation', () => {
  const c = new FixedProb(0.1).build(ctx(120, 90, { seed: 3 }));
  const { csr: t, perm } = csrTranspose(c);
  assert.equal(t.nPre, 90);
  assert.equal(t.nPost, 120);
  assertStrictCsr(t);
  assert.deepEqual(Array.from(outDegrees(t)), Array.from(inDegrees(c)));
  const { csr: back, perm: perm2 } = csrTranspose(t);
  assert.ok(sameCsr(back, c));
  // Composing the permutations is the identity (back is c in the same order).
  for (let s = 0; s < perm2.length; s++) assert.equal(perm[perm2[s]], s);
  // Carrying per-synapse data through perm: weight = pre * 1000 + post.
  const w = new Float64Array(csrNumSynapses(c));
  for (const [s, [i, j]] of pairsOf(c).entries()) w[s] = i * 1000 + j;
  for (let j = 0; j < t.nPre; j++) {
    for (let s = t.indptr[j]; s < t.indptr[j + 1]; s++) assert.equal(w[perm[s]], t.indices[s] * 1000 + j);
  }
  // Dense check.
  const d = csrToDense(c);
  const dt = csrToDense(t);
  for (let i = 0; i < 120; i++) for (let j = 0; j < 90; j++) assert.equal(d[i * 90 + j], dt[j * 120 + i]);
});

test('IntBuffer grows by doubling and keeps contents', () => {
  const b = new IntBuffer(2);
  for (let i = 0; i < 1000; i++) b.push(i * 3);
  assert.equal(b.length, 1000);
  assert.ok(b.data.length >= 1000 && b.data.length <= 2048);
  const a = b.toArray();
  assert.equal(a.length, 1000);
  assert.equal(a[999], 2997);
});

// ---------------------------------------------------------------------------------------------
// FixedProb

test('FixedProb: count within 4 SD, sorted, no duplicates, unbiased columns', () => {
  const n = 4000;
  const p = 0.02;
  const c = new FixedProb(p).build(ctx(n, n, { seed: 1 }));
  const mean = p * n * n;
  const sd = Math.sqrt(n * n * p * (1 - p));
  const count = csrNumSynapses(c);
  assert.ok(Math.abs(count - mean) < 4 * sd, `count ${count}, expected ${mean} ± ${4 * sd}`);
  assertStrictCsr(c);
  // First and last columns (edge cases of the skipping) get their share.
  const kin = inDegrees(c);
  for (const cols of [
    [0, 20],
    [n - 20, n],
  ]) {
    let s = 0;
    for (let j = cols[0]; j < cols[1]; j++) s += kin[j];
    const m = 20 * n * p;
    assert.ok(Math.abs(s - m) < 4 * Math.sqrt(m), `columns ${cols}: ${s} vs ${m}`);
  }
  // Row lengths: mean and variance of a binomial.
  const kout = outDegrees(c);
  let s1 = 0;
  let s2 = 0;
  for (const k of kout) {
    s1 += k;
    s2 += k * k;
  }
  const varOut = s2 / n - (s1 / n) ** 2;
  const varTheory = n * p * (1 - p);
  assert.ok(Math.abs(varOut / varTheory - 1) < 0.15, `row variance ${varOut} vs ${varTheory}`);
});

test('FixedProb: allowSelf=false, determinism, p = 0 and p = 1', () => {
  const rec = new FixedProb(0.3, { allowSelf: false }).build(ctx(300, 300, { selfOffset: 0 }));
  assertNoSelf(rec, 0);
  assertStrictCsr(rec);
  // Views of one population: post index i + 100 is pre i.
  const view = new FixedProb(0.5, { allowSelf: false }).build(ctx(300, 500, { selfOffset: 100 }));
  assertNoSelf(view, 100);
  // Different populations: allowSelf=false changes nothing.
  const a = new FixedProb(0.3, { allowSelf: false }).build(ctx(300, 300));
  const b = new FixedProb(0.3).build(ctx(300, 300));
  assert.ok(sameCsr(a, b));

  const s1 = new FixedProb(0.05).build(ctx(500, 700, { seed: 9 }));
  const s2 = new FixedProb(0.05).build(ctx(500, 700, { seed: 9 }));
  const s3 = new FixedProb(0.05).build(ctx(500, 700, { seed: 10 }));
  const s4 = new FixedProb(0.05, { seed: 10 }).build(ctx(500, 700, { seed: 9 }));
  assert.ok(sameCsr(s1, s2));
  assert.ok(!sameCsr(s1, s3));
  assert.ok(sameCsr(s3, s4), 'the seed option overrides the context seed');

  // Any row can be regenerated alone.
  const row: number[] = [];
  new FixedProb(0.05).appendRow(ctx(500, 700, { seed: 9 }), 123, row);
  assert.deepEqual(row, Array.from(s1.indices.subarray(s1.indptr[123], s1.indptr[124])));

  assert.equal(csrNumSynapses(new FixedProb(0).build(ctx(200, 300))), 0);
  const full = new FixedProb(1).build(ctx(200, 300));
  assert.equal(csrNumSynapses(full), 200 * 300);
  assert.ok(csrToDense(full).every((v) => v === 1));
  assert.equal(csrNumSynapses(new FixedProb(1, { allowSelf: false }).build(ctx(200, 200, { selfOffset: 0 }))), 200 * 199);
  // Tiny probability: still exact, no infinite loop.
  assert.equal(csrNumSynapses(new FixedProb(1e-300).build(ctx(100, 100))), 0);
});

// The exact geometric sampler (src/connect/geometric.ts).

const SKIP_PROBS = [0.02, 0.3, 0.5, 0.9, 0.999999, 0.1, 0.001, 1e-5, 1e-300];

test('skip table: equals floor(ln u / ln(1 - p)) at every bucket edge, every step and 200 000 random words', () => {
  const rng = new StreamRng();
  rng.seed(2024, 1);
  for (const p of SKIP_PROBS) {
    const t = buildSkipTable(p);
    const check = (x: number) => {
      if (x < 0 || x > 0xffffffff) return;
      assert.equal(tableSkip(t, x), exactSkip(x, t.logq), `p = ${p}, x = ${x}`);
      assert.equal(tableSkip(t, x | 0), exactSkip(x, t.logq), `p = ${p}, x = ${x} as a signed word`);
    };
    const width = t.mask + 1;
    for (let b = 0; b < t.base.length; b++) {
      for (const x of [b * width - 1, b * width, b * width + 1, b * width + t.step[b] - 1, b * width + t.step[b], (b + 1) * width - 1]) check(x);
    }
    for (let r = 0; r < 200_000; r++) check(rng.uint32());
    // Words at which the skip changes (the steps), found from the definition: the table agrees on both sides.
    for (let k = 1; k < 400; k++) {
      const c = Math.floor(Math.exp(k * t.logq) * 4294967296);
      for (let x = c - 2; x <= c + 2; x++) check(x);
    }
    check(0);
    check(0xffffffff);
  }
  // Exhaustively, inside the buckets with a step for p = 0.02 near u = 1/2 (the step's position is the hard part).
  const t = skipTable(0.02);
  const width = t.mask + 1;
  let buckets = 0;
  for (let b = t.base.length >> 1; b < t.base.length && buckets < 3; b++) {
    if (t.step[b] === 0) continue;
    buckets++;
    for (let x = b * width; x < (b + 1) * width; x++) {
      if (tableSkip(t, x) !== exactSkip(x, t.logq)) assert.fail(`x = ${x}`);
    }
  }
  assert.equal(buckets, 3);
  // Only a small fraction of the draws needs the logarithm.
  let slow = 0;
  for (let b = 0; b < t.base.length; b++) if (t.base[b] < 0) slow++;
  assert.ok(slow / t.base.length < 0.02, `fallback fraction ${slow / t.base.length}`);
});

test('skip table: the skips of 10^6 draws are geometric (chi-square) and equal the slow path draw by draw', () => {
  for (const p of [0.02, 0.2]) {
    const t = skipTable(p);
    const rng = new StreamRng();
    rng.seed(77, p === 0.02 ? 1 : 2);
    const n = 1_000_000;
    const q = 1 - p;
    // Bins 0..K-1 with an expected count of at least 20, and a tail bin k ≥ K.
    const K = Math.floor(Math.log(20 / (n * p)) / Math.log(q));
    const counts = new Float64Array(K + 1);
    let sum = 0;
    for (let r = 0; r < n; r++) {
      const x = rng.uint32();
      const k = tableSkip(t, x);
      if (k !== exactSkip(x, t.logq)) assert.fail(`p = ${p}, draw ${r}: x = ${x}`);
      counts[Math.min(k, K)]++;
      sum += k;
    }
    let chi2 = 0;
    for (let k = 0; k <= K; k++) {
      const e = n * (k < K ? p * q ** k : q ** K);
      chi2 += (counts[k] - e) ** 2 / e;
    }
    // Wilson–Hilferty: the chi-square quantile at z = 4 standard deviations (p-value ≈ 3e-5).
    const df = K;
    const crit = df * (1 - 2 / (9 * df) + 4 * Math.sqrt(2 / (9 * df))) ** 3;
    assert.ok(chi2 < crit, `p = ${p}: chi2 = ${chi2.toFixed(1)} with ${df} degrees of freedom, critical ${crit.toFixed(1)}`);
    const mean = sum / n;
    const sdMean = Math.sqrt(q) / p / Math.sqrt(n);
    assert.ok(Math.abs(mean - q / p) < 4 * sdMean, `p = ${p}: mean skip ${mean} vs ${q / p}`);
  }
});

test('streamRngState gives the state of StreamRng.seed (unrolled Threefry)', () => {
  const rng = new StreamRng();
  for (const [key, stream] of [[0, 0], [42, 7], [0xffffffff, 123456], [-5, 2 ** 31 + 9], [987654321, 0x7fffffff]]) {
    const next = blockStream(key, stream, 0); // block 0 is the row's own stream
    rng.seed(key, stream);
    for (let r = 0; r < 50; r++) assert.equal(next(), rng.uint32(), `key ${key}, stream ${stream}, draw ${r}`);
  }
});

/** FixedProb's connector key, as connectors.ts derives it (TAG_FIXED_PROB = 1). */
function fixedProbKey(seed: number): number {
  threefry2x32(seed >>> 0, Math.floor(seed / 4294967296) >>> 0, 0x636f6e6e, 1);
  return threefryOut[0];
}

const FIXED_PROB_CASES: Array<[number, boolean, ConnectContext]> = [
  [0.02, true, ctx(300, 2000, { seed: 5 })],
  [0.02, false, ctx(400, 400, { seed: 6, selfOffset: 0 })],
  [0.3, false, ctx(200, 500, { seed: 7, selfOffset: 100 })],
  [0.5, false, ctx(300, 200, { seed: 8, selfOffset: -150 })],
  [0.9, true, ctx(50, 300, { seed: 9 })],
  [0.999999, false, ctx(40, 40, { seed: 10, selfOffset: 0 })],
  [0.001, true, ctx(500, 30_000, { seed: 11 })],
  [2e-5, false, ctx(2000, 50_000, { seed: 12, selfOffset: 0 })],
  [1, false, ctx(30, 40, { seed: 13, selfOffset: 5 })],
  [0, true, ctx(30, 40, { seed: 14 })],
  // rows of two blocks, the self-connection in the first or the second
  [0.0005, false, ctx(40, ROW_BLOCK + 3000, { seed: 15, selfOffset: 0 })],
  [0.0004, false, ctx(30, ROW_BLOCK + 2000, { seed: 16, selfOffset: ROW_BLOCK - 10 })],
];

/** xoshiro128** words from the state streamRngState(key, stream, ·, part) (unsigned). */
function blockStream(key: number, stream: number, part: number): () => number {
  const st = new Int32Array(4);
  streamRngState(key, stream, st, part);
  let [a, b, c, d] = st;
  return () => {
    const y = Math.imul(b, 5);
    const x = Math.imul((y << 7) | (y >>> 25), 9) >>> 0;
    const s = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= s;
    d = (d << 11) | (d >>> 21);
    return x;
  };
}

test('FixedProb: stored rows = just-in-time rows = the slow-path reference (StreamRng + floor(ln u / ln(1 - p)); rare rows: count and positions)', () => {
  const rng = new StreamRng();
  for (const [p, allowSelf, c] of FIXED_PROB_CASES) {
    const conn = new FixedProb(p, { allowSelf });
    const csr = conn.build(c);
    assertStrictCsr(csr);
    const self = (i: number) => (allowSelf || c.selfOffset === undefined ? -1 : i + c.selfOffset);
    const rowOf = conn.rowFunction(c);
    const fill = conn.rowFiller(c);
    const key = fixedProbKey(c.seed);
    const logq = Math.log1p(-p);
    for (let i = 0; i < c.nPre; i++) {
      const stored = Array.from(csr.indices.subarray(csr.indptr[i], csr.indptr[i + 1]));
      const jit: number[] = [];
      rowOf(i, jit);
      assert.deepEqual(jit, stored, `p = ${p}, row ${i}: rowFunction`);
      const buf = new Int32Array(c.nPost + 3);
      const end = fill(i, buf, 3);
      assert.deepEqual(Array.from(buf.subarray(3, end)), stored, `p = ${p}, row ${i}: rowFiller`);
      // The slow path, written independently: one logarithm per synapse.
      const ref: number[] = [];
      if (p === 1) {
        for (let j = 0; j < c.nPost; j++) if (j !== self(i)) ref.push(j);
      } else if (p > 0 && p <= RARE_MAX_P) {
        // rare rows: per block a binomial count by inversion of one word, then distinct uniform positions
        for (let start = 0, part = 0; start < c.nPost; start += ROW_BLOCK, part++) {
          const n = Math.min(ROW_BLOCK, c.nPost - start);
          const words = blockStream(key, i, part);
          const x = words();
          let K = 0;
          for (let cdf = 0, pmf = (1 - p) ** n; ; K++) {
            cdf += pmf;
            if (x < Math.floor(cdf * 4294967296) || K === n) break;
            pmf *= ((n - K) / (K + 1)) * (p / (1 - p));
          }
          const drawn = new Set<number>();
          while (drawn.size < K) {
            const prod = BigInt(words()) * BigInt(n);
            if (prod % 4294967296n < 4294967296n % BigInt(n)) continue; // Lemire's rejection
            drawn.add(Number(prod >> 32n));
          }
          for (const j of [...drawn].sort((a, b) => a - b)) if (start + j !== self(i)) ref.push(start + j);
        }
      } else if (p > 0) {
        // block 0 from StreamRng (the whole row's stream), each further block from its own
        for (let start = 0; start < c.nPost; start += ROW_BLOCK) {
          const words = blockStream(key, i, start / ROW_BLOCK);
          rng.seed(key, i);
          const u = () => (start === 0 ? rng.uniformOpen() : (words() + 1) / 4294967296);
          for (let j = start - 1; ; ) {
            j += Math.floor(Math.log(u()) / logq) + 1;
            if (j >= Math.min(c.nPost, start + ROW_BLOCK)) break;
            if (j !== self(i)) ref.push(j);
          }
        }
      }
      assert.deepEqual(stored, ref, `p = ${p}, row ${i}: reference`);
    }
  }
});

test('FixedProb: a row of two blocks begins with the one-block row of the same seed', () => {
  // block 0 of a row is the stream of the whole row when the posts fit in one block, so a network
  // whose posts fit in one block has the rows it had before rows were cut into blocks
  const p = 0.0005;
  const big = new FixedProb(p).build(ctx(50, ROW_BLOCK + 40_000, { seed: 21 }));
  const small = new FixedProb(p).build(ctx(50, ROW_BLOCK, { seed: 21 }));
  let second = 0;
  for (let i = 0; i < 50; i++) {
    const row = Array.from(big.indices.subarray(big.indptr[i], big.indptr[i + 1]));
    const first = row.filter((j) => j < ROW_BLOCK);
    assert.deepEqual(first, Array.from(small.indices.subarray(small.indptr[i], small.indptr[i + 1])), `row ${i}`);
    second += row.length - first.length;
  }
  // the second block's targets: binomial(50 · 40 000, p), mean 1000, SD 31.6
  assert.ok(Math.abs(second - 1000) < 4 * 31.6, `${second} targets in the second blocks`);
});

test('skip table: own logarithm (logOpenUnit) steps where Math.log does, so rows are those of floor(Math.log(u) / ln(1 - p))', () => {
  for (const p of [1e-4, 4e-4, 0.002, 0.02, 0.3]) {
    const logq = Math.log1p(-p);
    const byMathLog = (x: number) => Math.floor(Math.log((x + 1) / 4294967296) / logq);
    // both skips are non-increasing in x: equal step positions make them equal for every x
    for (let k = 1; ; k++) {
      let c = Math.min(0xffffffff, Math.floor(Math.exp(k * logq) * 4294967296));
      while (c < 0xffffffff && byMathLog(c) >= k) c++;
      while (c > 0 && byMathLog(c - 1) < k) c--;
      if (exactSkip(c, logq) >= k || (c > 0 && exactSkip(c - 1, logq) < k)) assert.fail(`p = ${p}: step ${k} at x = ${c} by Math.log, not by logOpenUnit`);
      if (c === 0) break;
    }
  }
});

test('skip table: the tail (buckets per octave below the first table) equals exactSkip at its bucket edges and steps', () => {
  for (const p of [1e-4, 4e-4, 0.002, 0.02]) {
    const t = buildSkipTable(p);
    const tail = t.tail!;
    assert.ok(tail !== undefined, `p = ${p}: a tail`);
    const check = (x: number) => {
      if (x < 0 || x > 0xffffffff) return;
      if (tableSkip(t, x) !== exactSkip(x, t.logq) || tableSkip(t, x | 0) !== exactSkip(x, t.logq)) assert.fail(`p = ${p}, x = ${x}`);
    };
    let used = 0;
    for (let b = 0; b < tail.base.length; b++) {
      const e = tail.lo + (b >> tail.bits);
      const w = 2 ** (e - tail.bits);
      const start = 2 ** e + (b & ((1 << tail.bits) - 1)) * w;
      if (start >= tail.end) continue;
      if (tail.base[b] >= 0) used++;
      for (const x of [start - 1, start, start + 1, start + tail.step[b] - 1, start + tail.step[b], start + w - 1]) check(x);
    }
    // the tail's buckets hold one step at most (a few near its top may be cut by the first table's edge)
    assert.ok(used > 0.9 * (tail.base.length - (1 << tail.bits)), `p = ${p}: ${used} of ${tail.base.length} tail buckets in use`);
    // what remains for the logarithm: the x below the tail, about 2^-6 of those below the first table
    assert.ok(2 ** tail.lo / tail.end < 1 / 16, `p = ${p}: exact below ${2 ** tail.lo} of ${tail.end}`);
  }
});

test('FixedProb: rows that overflow the preallocated array are regenerated identically', () => {
  for (const [p, off] of [[0.05, undefined], [0.4, 0]] as const) {
    const key = fixedProbKey(3);
    const big = fixedProbCsr(key, p, 300, 700, off, WHERE);
    for (const capacity of [1, 17, 1000]) {
      const small = fixedProbCsr(key, p, 300, 700, off, WHERE, capacity);
      assert.ok(sameCsr(big, small), `p = ${p}, capacity ${capacity}`);
      assert.equal(small.indices.length, csrNumSynapses(small));
    }
    // The row generator agrees, with the self-connection left out.
    const rowOf = new FixedProb(p, { allowSelf: false }).rowFunction(ctx(300, 700, { seed: 3, selfOffset: off }));
    const row: number[] = [];
    rowOf(7, row);
    assert.deepEqual(row, Array.from(big.indices.subarray(big.indptr[7], big.indptr[8])));
  }
  // rowFiller signals a row that does not fit by returning an end past the array.
  const fill = new FixedProb(0.5).rowFiller(ctx(10, 1000, { seed: 1 }));
  const tiny = new Int32Array(4);
  const end = fill(0, tiny, 0);
  assert.ok(end > tiny.length);
  const full = new Int32Array(1000);
  assert.equal(fill(0, full, 0), end);
  assert.deepEqual(Array.from(tiny), Array.from(full.subarray(0, 4)));
});

test('FixedProb: connection probability and independence hold across the table and the exact fallback', () => {
  // p = 2e-4 with 500 000 posts: most draws use the table, some the fallback (u small); the
  // counts per column block and the row lengths are binomial.
  const p = 2e-4;
  const nPre = 400;
  const nPost = 500_000;
  const c = new FixedProb(p).build(ctx(nPre, nPost, { seed: 21 }));
  assertStrictCsr(c);
  const mean = p * nPre * nPost;
  const count = csrNumSynapses(c);
  assert.ok(Math.abs(count - mean) < 4 * Math.sqrt(mean), `count ${count} vs ${mean}`);
  const blocks = new Float64Array(10);
  for (let s = 0; s < count; s++) blocks[Math.floor((c.indices[s] * 10) / nPost)]++;
  for (const b of blocks) assert.ok(Math.abs(b - mean / 10) < 4 * Math.sqrt(mean / 10), `block count ${b} vs ${mean / 10}`);
});

test('refusals name the field, where, and the offending value', () => {
  for (const p of [-0.1, 1.5, NaN, Infinity]) {
    assertBuildError(() => new FixedProb(p).build(ctx(10, 10)), 'prob', WHERE, 'between 0 and 1');
  }
  assertBuildError(() => new FixedProb('0.5' as unknown as number).build(ctx(10, 10)), 'prob', WHERE);
  assertBuildError(() => new FromPairs([0, 1, 2], [0, 1, 77]).build(ctx(3, 5)), 'post', WHERE, 'post[2] = 77', '[0, 5)');
  assertBuildError(() => new FromPairs([0, -1], [0, 1]).build(ctx(3, 5)), 'pre', 'pre[1] = -1');
  assertBuildError(() => new FromPairs([0, 1.5], [0, 1]).build(ctx(3, 5)), 'pre', '1.5');
  assertBuildError(() => new FromPairs([0, 1], [0]).build(ctx(3, 5)), 'post', 'equal length');
  assertBuildError(() => new One2One().build(ctx(3, 4)), WHERE, 'One2One', 'nPre = 3', 'nPost = 4');
  assertBuildError(() => new FixedPreNum(11).build(ctx(10, 5)), 'num', WHERE, '[0, 10]');
  assertBuildError(() => new FixedPreNum(10, { allowSelf: false }).build(ctx(10, 10, { selfOffset: 0 })), 'num', '[0, 9]');
  assertBuildError(() => new FixedPostNum(2.5).build(ctx(10, 5)), 'num', '2.5');
  assertBuildError(() => new FromCSR([0, 2, 1], [0, 1]).build(ctx(2, 3)), 'indptr', WHERE);
  assertBuildError(() => new FromCSR([0, 1, 2], [0, 3]).build(ctx(2, 3)), 'indices', 'indices[1] = 3');
  assertBuildError(() => new FromDense([[0, 1]], 2, 2).build(ctx(2, 2)), 'matrix', 'rows');
  assertBuildError(() => new FromDense([0, 1, 1], 2, 2).build(ctx(2, 2)), 'matrix');
  assertBuildError(() => new GaussianProb(0, { gridShape: [3, 3] }).build(ctx(9, 9)), 'sigma', WHERE);
  assertBuildError(() => new GaussianProb(1, { gridShape: [3, 4] }).build(ctx(9, 9)), 'gridShape', '12');
  assertBuildError(() => new GridNeighbors({ gridShape: [3, 3], radius: -1 }).build(ctx(9, 9)), 'radius');
  assertBuildError(() => new SmallWorld(5, 0.1).build(ctx(10, 10)), 'k', WHERE);
  assertBuildError(() => new SmallWorld(2, 1.2).build(ctx(10, 10)), 'beta');
  assertBuildError(() => new SmallWorld(2, 0.1).build(ctx(10, 11)), 'size');
  assertBuildError(() => new ScaleFree(0).build(ctx(10, 10)), 'm', WHERE);
  assertBuildError(() => new ScaleFree(10).build(ctx(10, 10)), 'm');
  assertBuildError(() => new All2All().build(ctx(-1, 3)), 'nPre');
  assertBuildError(() => new All2All().build(ctx(100000, 100000)), 'synapses');
});

// ---------------------------------------------------------------------------------------------
// Deterministic connectors

test('All2All, One2One, FromPairs, FromCSR, FromDense', () => {
  const a = new All2All().build(ctx(4, 5));
  assert.equal(csrNumSynapses(a), 20);
  assertStrictCsr(a);
  const an = new All2All({ allowSelf: false }).build(ctx(6, 6, { selfOffset: 0 }));
  assert.equal(csrNumSynapses(an), 30);
  assertNoSelf(an, 0);
  const av = new All2All({ allowSelf: false }).build(ctx(4, 6, { selfOffset: 3 })); // pre 0..2 have selves 3..5
  assert.equal(csrNumSynapses(av), 24 - 3);
  assertNoSelf(av, 3);

  const o = new One2One().build(ctx(7, 7));
  assert.deepEqual(Array.from(o.indices), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(o.indptr), [0, 1, 2, 3, 4, 5, 6, 7]);

  const fp = new FromPairs([2, 0, 0, 2], [1, 2, 1, 1]).build(ctx(3, 3));
  assert.deepEqual(Array.from(fp.indptr), [0, 2, 2, 4]);
  assert.deepEqual(Array.from(fp.indices), [1, 2, 1, 1]); // repeated pair kept

  const fc1 = new FromCSR([0, 3, 3, 5], [4, 0, 2, 1, 0]).build(ctx(3, 5));
  assert.deepEqual(Array.from(fc1.indices), [0, 2, 4, 0, 1]);

  const nested = [
    [0, 1, 0],
    [0.5, 0, -2],
  ];
  const d1 = new FromDense(nested, 2, 3).build(ctx(2, 3));
  const d2 = new FromDense(new Float32Array([0, 1, 0, 0.5, 0, -2]), 2, 3).build(ctx(2, 3));
  assert.ok(sameCsr(d1, d2));
  assert.deepEqual(pairsOf(d1), [
    [0, 1],
    [1, 0],
    [1, 2],
  ]);
  // Dense round trip of a random CSR.
  const r = new FixedProb(0.3).build(ctx(13, 17));
  assert.ok(sameCsr(new FromDense(csrToDense(r), 13, 17).build(ctx(13, 17)), r));
});

// ---------------------------------------------------------------------------------------------
// Fixed in/out degree

test('FixedPreNum: every in-degree is num, no duplicates, uniform choice', () => {
  const nPre = 500;
  const nPost = 800;
  const num = 40;
  const c = new FixedPreNum(num).build(ctx(nPre, nPost, { seed: 5 }));
  assertStrictCsr(c); // CSR by pre, rows sorted, no repeated pairs
  assert.ok(inDegrees(c).every((k) => k === num));
  assert.equal(csrNumSynapses(c), num * nPost);
  const { csr: t } = csrTranspose(c);
  assertStrictCsr(t);
  // Out-degrees are Binomial(nPost, num / nPre).
  const q = num / nPre;
  let s2 = 0;
  for (const k of outDegrees(c)) s2 += (k - nPost * q) ** 2;
  const v = s2 / nPre;
  assert.ok(Math.abs(v / (nPost * q * (1 - q)) - 1) < 0.2, `out-degree variance ${v}`);

  const rec = new FixedPreNum(99, { allowSelf: false }).build(ctx(100, 100, { selfOffset: 0, seed: 1 }));
  assertNoSelf(rec, 0);
  assert.ok(inDegrees(rec).every((k) => k === 99));
  assert.equal(csrNumSynapses(new FixedPreNum(0).build(ctx(10, 10))), 0);
  assert.ok(sameCsr(new FixedPreNum(7).build(ctx(50, 60)), new FixedPreNum(7).build(ctx(50, 60))));
  assert.ok(!sameCsr(new FixedPreNum(7).build(ctx(50, 60)), new FixedPreNum(7, { seed: 1 }).build(ctx(50, 60))));
});

test('FixedPostNum: every out-degree is num, no duplicates, no self', () => {
  const c = new FixedPostNum(30).build(ctx(700, 400, { seed: 8 }));
  assertStrictCsr(c);
  assert.ok(outDegrees(c).every((k) => k === 30));
  // Views: post i + 50 is pre i.
  const v = new FixedPostNum(99, { allowSelf: false }).build(ctx(120, 100, { selfOffset: 50 }));
  assertStrictCsr(v);
  assertNoSelf(v, 50);
  for (let i = 0; i < 120; i++) assert.equal(v.indptr[i + 1] - v.indptr[i], 99);
  const all = new FixedPostNum(100).build(ctx(3, 100));
  assert.equal(csrNumSynapses(all), 300);
  // In-degrees ~ Binomial(nPre, num / nPost): mean exact.
  const kin = inDegrees(c);
  assert.equal(
    kin.reduce((a, b) => a + b, 0),
    700 * 30,
  );
  assert.ok(Math.max(...kin) < 700 * (30 / 400) + 6 * Math.sqrt(700 * 0.075));
});

// ---------------------------------------------------------------------------------------------
// Grids

/** Exact expected synapse counts, by rounded distance, from a brute-force sum. */
function gaussianCheck(rows: number, cols: number, sigma: number, periodic: boolean, normalize: boolean, seeds: number): void {
  const n = rows * cols;
  const sr = normalize ? sigma * rows : sigma;
  const sc = normalize ? sigma * cols : sigma;
  const nb = 10; // half-sigma buckets; the last one collects d ≥ 4.5 sigma (the rare far pairs)
  const expected = new Float64Array(nb);
  const variance = new Float64Array(nb);
  const observed = new Float64Array(nb);
  const dist = (p: number, q: number): [number, number] => {
    const pr = Math.floor(p / cols);
    const qr = Math.floor(q / cols);
    let dr = Math.abs(pr - qr);
    let dc = Math.abs((p % cols) - (q % cols));
    if (periodic) {
      dr = Math.min(dr, rows - dr);
      dc = Math.min(dc, cols - dc);
    }
    return [dr, dc];
  };
  const bucket = (dr: number, dc: number): number => Math.min(nb - 1, Math.floor(Math.hypot(dr / sr, dc / sc) * 2));
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      if (p === q) continue;
      const [dr, dc] = dist(p, q);
      const pr = Math.exp(-(dr * dr) / (2 * sr * sr) - (dc * dc) / (2 * sc * sc));
      const bk = bucket(dr, dc);
      expected[bk] += seeds * pr;
      variance[bk] += seeds * pr * (1 - pr);
    }
  }
  for (let s = 0; s < seeds; s++) {
    const c = new GaussianProb(sigma, { gridShape: [rows, cols], periodic, normalize, seed: 100 + s }).build(ctx(n, n, { selfOffset: 0 }));
    assertStrictCsr(c);
    assertNoSelf(c, 0);
    for (const [p, q] of pairsOf(c)) {
      const [dr, dc] = dist(p, q);
      observed[bucket(dr, dc)]++;
    }
  }
  for (let bk = 0; bk < nb; bk++) {
    const tol = 4.5 * Math.sqrt(variance[bk]) + 1;
    assert.ok(
      Math.abs(observed[bk] - expected[bk]) <= tol,
      `rows=${rows} cols=${cols} sigma=${sigma} periodic=${periodic}: bucket ${bk}: ${observed[bk]} vs ${expected[bk].toFixed(1)} ± ${tol.toFixed(1)}`,
    );
  }
}

test('GaussianProb: connection frequency by distance matches exp(-d²/2σ²)', () => {
  gaussianCheck(40, 40, 1.5, false, false, 6); // far region (< 1/N per pair) is exercised
  gaussianCheck(40, 40, 1.5, true, false, 6);
  gaussianCheck(12, 17, 3, true, false, 10); // core window covers the torus
  gaussianCheck(20, 30, 0.1, false, true, 6); // sigma as a fraction of the sides
  gaussianCheck(1, 200, 4, false, false, 6); // a line
});

test('GaussianProb: allowSelf, determinism', () => {
  const n = 30 * 30;
  const g = (o: object, seed = 1) => new GaussianProb(2, { gridShape: [30, 30], ...o }).build(ctx(n, n, { selfOffset: 0, seed }));
  const withSelf = g({ allowSelf: true });
  for (let i = 0; i < n; i++) assert.ok(Array.from(withSelf.indices.subarray(withSelf.indptr[i], withSelf.indptr[i + 1])).includes(i));
  assert.ok(sameCsr(g({ periodic: true }), g({ periodic: true })));
  assert.ok(!sameCsr(g({ periodic: true }), g({ periodic: true }, 2)));
});

test('GridNeighbors: four and eight neighbourhoods, edges and torus', () => {
  const n = 5 * 6;
  const four = new GridNeighbors({ gridShape: [5, 6], neighborhood: 'four' }).build(ctx(n, n, { selfOffset: 0 }));
  assertStrictCsr(four);
  const d4 = outDegrees(four);
  assert.equal(d4[0], 2); // corner
  assert.equal(d4[1], 3); // edge
  assert.equal(d4[7], 4); // interior
  assert.deepEqual(Array.from(four.indices.subarray(four.indptr[7], four.indptr[8])), [1, 6, 8, 13]);
  const eight = new GridNeighbors({ gridShape: [5, 6], neighborhood: 'eight' }).build(ctx(n, n, { selfOffset: 0 }));
  assert.equal(outDegrees(eight)[0], 3);
  assert.equal(outDegrees(eight)[7], 8);
  const t8 = new GridNeighbors({ gridShape: [5, 6], periodic: true }).build(ctx(n, n, { selfOffset: 0 }));
  assertStrictCsr(t8);
  assert.ok(outDegrees(t8).every((k) => k === 8));
  assert.deepEqual(Array.from(t8.indices.subarray(t8.indptr[0], t8.indptr[1])), [1, 5, 6, 7, 11, 24, 25, 29]);
  const t4r2 = new GridNeighbors({ gridShape: [9, 9], neighborhood: 'four', radius: 2, periodic: true }).build(ctx(81, 81, { selfOffset: 0 }));
  assert.ok(outDegrees(t4r2).every((k) => k === 12));
  assertSimpleUndirected(t4r2);
  // A torus smaller than the neighbourhood: every other cell once, no duplicates.
  const tiny = new GridNeighbors({ gridShape: [2, 3], radius: 3, periodic: true }).build(ctx(6, 6, { selfOffset: 0 }));
  assertStrictCsr(tiny);
  assert.ok(outDegrees(tiny).every((k) => k === 5));
});

// ---------------------------------------------------------------------------------------------
// Graph models

test('SmallWorld: lattice at beta = 0, clustering collapses at beta = 1', () => {
  const n = 1000;
  const k = 5;
  const lattice = new SmallWorld(k, 0).build(ctx(n, n));
  assertSimpleUndirected(lattice);
  assert.ok(outDegrees(lattice).every((d) => d === 2 * k));
  assert.deepEqual(Array.from(lattice.indices.subarray(lattice.indptr[0], lattice.indptr[1])), [1, 2, 3, 4, 5, 995, 996, 997, 998, 999]);
  const cLattice = (3 * (k - 1)) / (2 * (2 * k - 1));
  assert.ok(Math.abs(meanClustering(lattice) - cLattice) < 1e-12);

  const random = new SmallWorld(k, 1).build(ctx(n, n, { seed: 4 }));
  assertSimpleUndirected(random);
  assert.equal(csrNumSynapses(random), 2 * n * k); // mean degree exactly 2k
  assert.ok(outDegrees(random).some((d) => d !== 2 * k));
  const cRandom = meanClustering(random);
  assert.ok(cRandom < 0.1 * cLattice, `clustering ${cRandom} vs lattice ${cLattice}`);

  // Small beta: short-cuts, clustering still high.
  const sw = new SmallWorld(k, 0.05).build(ctx(n, n, { seed: 4 }));
  assertSimpleUndirected(sw);
  assert.ok(meanClustering(sw) > 0.7 * cLattice);
  assert.ok(sameCsr(sw, new SmallWorld(k, 0.05).build(ctx(n, n, { seed: 4 }))));
  assert.ok(!sameCsr(sw, new SmallWorld(k, 0.05).build(ctx(n, n, { seed: 5 }))));
  // Dense extreme: 2k = n - 1 is the complete graph whatever beta.
  const complete = new SmallWorld(3, 1).build(ctx(7, 7));
  assert.equal(csrNumSynapses(complete), 42);
});

test('ScaleFree: mean degree 2m and a power-law tail', () => {
  const n = 20000;
  const m = 3;
  const c = new ScaleFree(m).build(ctx(n, n, { seed: 11 }));
  assertSimpleUndirected(c);
  const deg = outDegrees(c);
  const mean = csrNumSynapses(c) / n;
  assert.ok(Math.abs(mean - 2 * m) < 0.01, `mean degree ${mean}`);
  assert.ok(deg.every((d) => d >= m));
  // Complementary CDF P(K ≥ k) on log-log axes between 2m and 50: slope ≈ -2 for P(k) ∝ k^-3.
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 2 * m; k <= 50; k++) {
    let ge = 0;
    for (const d of deg) if (d >= k) ge++;
    xs.push(Math.log(k));
    ys.push(Math.log(ge / n));
  }
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < xs.length; t++) {
    sxy += (xs[t] - mx) * (ys[t] - my);
    sxx += (xs[t] - mx) ** 2;
  }
  const slope = sxy / sxx;
  assert.ok(slope > -2.6 && slope < -1.5, `CCDF slope ${slope}`);
  assert.ok(Math.max(...deg) > 100, 'hubs expected');
  assert.ok(sameCsr(c, new ScaleFree(m).build(ctx(n, n, { seed: 11 }))));
});

test('FixedPreNum / FixedPostNum with allowMulti draw with replacement: exact degrees, repeated pairs allowed', () => {
  const pre = new FixedPreNum(6, { allowMulti: true }).build({ nPre: 3, nPost: 50, seed: 4, where: 'multi' });
  assert.ok(Array.from(inDegrees(pre)).every((d) => d === 6));
  let repeats = 0;
  for (let i = 0; i < pre.nPre; i++) for (let s = pre.indptr[i] + 1; s < pre.indptr[i + 1]; s++) if (pre.indices[s] === pre.indices[s - 1]) repeats++;
  assert.ok(repeats > 0, 'with 6 draws from 3 sources some pairs repeat');
  const post = new FixedPostNum(4, { allowMulti: true }).build({ nPre: 20, nPost: 2, seed: 4, where: 'multi' });
  assert.ok(Array.from(outDegrees(post)).every((d) => d === 4));
  assert.throws(() => new FixedPreNum(6).build({ nPre: 3, nPost: 5, seed: 1, where: 'distinct' }), /num/);
});

test('FixedProb rare rows (p ≤ 2^-10): no repeated target, binomial out-degrees, uniform positions in full and last blocks', () => {
  const p = 5e-4;
  const nPre = 2000;
  const nPost = ROW_BLOCK + 12_345; // a full block and a last block whose size is not a power of two
  const csr = new FixedProb(p).build(ctx(nPre, nPost, { seed: 31 }));
  assertStrictCsr(csr); // ascending, no target twice in a row
  const total = csr.indptr[nPre];
  const mean = nPre * nPost * p;
  assert.ok(Math.abs(total - mean) < 4 * Math.sqrt(mean), `${total} synapses, expected ${mean}`);
  let v = 0;
  for (let i = 0; i < nPre; i++) v += (csr.indptr[i + 1] - csr.indptr[i] - nPost * p) ** 2;
  assert.ok(Math.abs(v / nPre / (nPost * p * (1 - p)) - 1) < 0.1, `out-degree variance ${v / nPre}`);
  // 64 equal bins of posts: chi-square with 63 degrees of freedom, under mean + 4 SD
  const bins = new Float64Array(64);
  for (let s = 0; s < total; s++) bins[Math.floor((csr.indices[s] * 64) / nPost)]++;
  let chi = 0;
  for (let b = 0; b < 64; b++) {
    const width = Math.ceil(((b + 1) * nPost) / 64) - Math.ceil((b * nPost) / 64);
    const e = nPre * width * p;
    chi += (bins[b] - e) ** 2 / e;
  }
  assert.ok(chi < 63 + 4 * Math.sqrt(126), `chi-square ${chi}`);
  let last = 0;
  for (let s = 0; s < total; s++) if (csr.indices[s] >= ROW_BLOCK) last++;
  const eLast = nPre * 12_345 * p;
  assert.ok(Math.abs(last - eLast) < 4 * Math.sqrt(eLast), `${last} targets in the last blocks, expected ${eLast}`);
});

test('rare rows: the count table inverts Binomial(n, p) on 32-bit words, and its guide starts at or below the count', () => {
  for (const [n, p] of [[ROW_BLOCK, 1e-4], [12_345, 5e-4], [1, 9e-4], [ROW_BLOCK, RARE_MAX_P]] as const) {
    const c = countTable(n, p);
    // T_k − T_(k−1) = P(K = k)·2^32 up to rounding, with P(K = k) computed independently in log space
    let lgamma = 0; // ln k!
    for (let k = 0; k < c.thresholds.length; k++) {
      if (k > 0) lgamma += Math.log(k);
      let lnChoose = -lgamma;
      for (let t = 0; t < k; t++) lnChoose += Math.log(n - t);
      const pk = Math.exp(lnChoose + k * Math.log(p) + (n - k) * Math.log1p(-p)) * 4294967296;
      const dT = c.thresholds[k] - (k > 0 ? c.thresholds[k - 1] : 0);
      assert.ok(Math.abs(dT - pk) <= 2 + 1e-9 * pk, `n = ${n}, p = ${p}, k = ${k}: ${dT} vs ${pk}`);
    }
    // the words left to K = kmax (those ≥ the last threshold) are P(K = kmax)·2^32, the tail beyond it under a word
    const kmax = c.thresholds.length;
    let lnChoose = 0;
    for (let t = 0; t < kmax; t++) lnChoose += Math.log(n - t) - Math.log(t + 1);
    const pLast = kmax > n ? 0 : Math.exp(lnChoose + kmax * Math.log(p) + (n - kmax) * Math.log1p(-p)) * 4294967296;
    const left = 4294967296 - c.thresholds[kmax - 1];
    assert.ok(Math.abs(left - pLast) <= 4 + 1e-9 * pLast, `n = ${n}, p = ${p}: ${left} words give K = ${kmax}, P(K = ${kmax})·2^32 = ${pLast}`);
    for (let h = 0; h < c.guide.length; h++) {
      const lo = h * 2 ** (32 - 8);
      let k = 0;
      while (k < c.thresholds.length && c.thresholds[k] <= lo) k++;
      assert.equal(c.guide[h], k, `guide ${h}`);
    }
    assert.equal(c.reject, 4294967296 % n);
  }
});
