/**
 * The Vogels et al. (2011) rule of examples/vogels_model.ts against Brian2's documented semantics,
 * written out here independently: per step, the pre pathway before the post pathway; traces that
 * decay exactly (event-driven) and read at the step's time; on a pre spike the weight update reads
 * x_post before this step's post spikes add to it, and x_pre grows after the update, so that a post
 * spike of the same step sees it; learning from t_on on. With same-step pairs in the trains, a trace
 * incremented before its step's weight updates, or traces decayed by Euler steps, change the
 * weights. (Swapping the two pathways alone does not: the rule is symmetric, and a same-step pair
 * adds η(x_pre + x_post + 1) in either order, clipping aside.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, SpikeGeneratorGroup, All2All, Rng } from '../src/index.js';
import { inhibitorySTDP } from '../examples/vogels_model.js';

const DT = 1e-4;
const STEPS = 20000;
const TON_MS = 500;

/** Spike steps of n Bernoulli trains at `rateHz` (indices and steps, by step). */
function trains(rng: Rng, n: number, rateHz: number): { i: number[]; k: number[] } {
  const i: number[] = [];
  const k: number[] = [];
  for (let s = 0; s < STEPS; s++) for (let j = 0; j < n; j++) if (rng.uniform() < rateHz * DT) (i.push(j), k.push(s));
  return { i, k };
}

/** Final weights (siemens, [pre][post] row-major) under Brian2's order, in float64. */
function reference(pre: { i: number[]; k: number[] }, post: { i: number[]; k: number[] }, n: number, w0: number): Float64Array {
  const eta = 0.01e-9;
  const alpha = 2 * 3 * 0.02;
  const wmax = 100e-9;
  const decay = Math.exp(-DT / 0.02);
  const w = new Float64Array(n * n).fill(w0);
  const xpre = new Float64Array(n);
  const xpost = new Float64Array(n);
  let p = 0;
  let q = 0;
  const clip = (x: number) => Math.min(Math.max(x, 0), wmax);
  for (let s = 0; s < STEPS; s++) {
    for (let j = 0; j < n; j++) (xpre[j] *= decay, xpost[j] *= decay);
    const on = s * DT >= TON_MS / 1000 - 1e-12 ? 1 : 0;
    for (; p < pre.k.length && pre.k[p] === s; p++) {
      const i = pre.i[p];
      for (let j = 0; j < n; j++) w[i * n + j] = clip(w[i * n + j] + eta * on * (xpost[j] - alpha));
      xpre[i] += 1;
    }
    for (; q < post.k.length && post.k[q] === s; q++) {
      const j = post.i[q];
      for (let i = 0; i < n; i++) w[i * n + j] = clip(w[i * n + j] + eta * on * xpre[i]);
      xpost[j] += 1;
    }
  }
  return w;
}

test('Vogels iSTDP: weights after 2 s of given spike trains equal Brian2-order event-driven updates (same-step pairs, onset at 0.5 s)', () => {
  const n = 4;
  const rng = new Rng(11);
  const pre = trains(rng, n, 80);
  const post = trains(rng, n, 120);
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const G = net.add(new SpikeGeneratorGroup(n, { indices: pre.i, times: pre.k.map((k) => k * 0.1), unit: 'ms', name: 'pre' }));
  const H = net.add(new SpikeGeneratorGroup(n, { indices: post.i, times: post.k.map((k) => k * 0.1), unit: 'ms', name: 'post' }));
  const proj = net.connect(G, H, { name: 'iSTDP', comm: new All2All(), weight: '0.5 nS', plasticity: inhibitorySTDP({ learnFromMs: TON_MS }) });
  net.run(`${STEPS * 0.1} ms`);
  const want = reference(pre, post, n, 0.5e-9);
  // All2All rows are pre neurons, columns post neurons in order
  const got = proj.weights;
  const postSteps = new Set(post.k);
  assert.ok(pre.k.some((s) => postSteps.has(s)), 'the trains hold same-step pre/post pairs');
  for (let k = 0; k < n * n; k++) {
    assert.ok(Math.abs(got[k] - want[k]) < 1e-9 * want[k], `synapse ${k}: ${got[k]} S, Brian2 order ${want[k]} S`);
    assert.ok(want[k] > 1e-9, 'the rule moved the weight');
  }
});
