/**
 * Reproduction: the neuron–astrocyte liquid state machine (NALSM) of Ivanov & Michmizos,
 * "Increasing Liquid State Machine Performance with Edge-of-Chaos Dynamics Organized by
 * Astrocyte-modulated Plasticity", NeurIPS 2021 (published Fashion-MNIST accuracy 85.84 % with
 * 8 000 liquid neurons and the full training set).
 *
 * Compared on the same liquid (same connectivity and seed):
 * (a) NALSM: astrocyte-modulated STDP (the astrocyte's level is the depression rate);
 * (b) LSM: no plasticity, one constant |w| for every synapse, chosen on the validation set from
 *     `--lsm-weights` (the paper also hand-tuned its LSM baseline);
 * (c) STDP: the same STDP with a fixed depression rate equal to the potentiation rate.
 *
 * Protocol (from the authors' code): all |w| start at 3; (a) and (c) first learn on `--init`
 * random training images shown for 20 ms each (paper: 50 000); then every image is shown for
 * `--present` ms (250) from those weights, restored per image, with learning whose rates decay by
 * 0.99 per ms (`--frozen` turns this in-sample learning off). Features: spike counts of the liquid
 * neurons, L1-normalised per image and scaled by the training maximum; readout: softmax
 * regression (Adam), the epoch with the best validation accuracy is kept. Validation images are
 * the last 10 000 of the training file (as in the paper), training images a seeded random subset
 * of the first 50 000, test images the first `--test` of the test file.
 *
 * The branching factor is the paper's estimator (src/analysis/branching.ts): for each liquid
 * spike, target spikes in the next 4 ms over source spikes in the previous 4 ms, averaged per
 * neuron, then over neurons, skipping 25 ms at both ends; over `--bf-samples` validation images.
 *
 * Needs Fashion-MNIST (apt-get install dataset-fashion-mnist).
 *
 * Run: npm run build && node dist/examples/repro_nalsm.js [--neurons 1000] [--train 2000] [--val 500]
 *      [--test 1000] [--init 5000] [--present 250] [--models nalsm,lsm,stdp] [--lsm-weights 0.5,1,1.5]
 *      [--epochs 60] [--bf-samples 10] [--astro-weight W] [--frozen] [--seed 1]
 */
import { loadFashionMnist, hasFashionMnist } from '../src/node/index.js';
import { branchingFactor } from '../src/analysis/index.js';
import { Rng } from '../src/math/rng.js';
import {
  NalsmLiquid,
  SpikeRaster,
  SoftmaxReadout,
  pixelProbabilities,
  pixelScale,
  normalizeCounts,
  matrix,
  type Matrix,
  type NalsmPlasticity,
  type NalsmWeights,
} from '../src/reservoir/index.js';
import { exampleOptions } from './args.js';

const o = exampleOptions('NALSM: neuron–astrocyte liquid state machine on Fashion-MNIST (reduced)', {
  neurons: { kind: 'count', default: 1000, help: 'liquid neurons (a cube: rounded to side³)' },
  train: { kind: 'count', default: 2000, help: 'training images (a seeded subset of the first 50 000)' },
  val: { kind: 'count', default: 500, help: 'validation images (from the last 10 000 of the training file)' },
  test: { kind: 'count', default: 1000, help: 'test images (the first of the test file)' },
  init: { kind: 'integer', default: 5000, help: 'random training images shown for 20 ms before the features (paper: 50 000)' },
  present: { kind: 'positive', default: 250, help: 'presentation time per image (ms)' },
  epochs: { kind: 'count', default: 60, help: 'epochs of the softmax readout' },
  'bf-samples': { kind: 'count', default: 10, help: 'validation images for the branching factor' },
  'astro-weight': { kind: 'positive', help: 'astrocyte weight (default 0.15 / side)' },
  models: { kind: 'choices', default: ['nalsm', 'lsm', 'stdp'], choices: ['nalsm', 'lsm', 'stdp'], help: 'liquids to run' },
  'lsm-weights': { kind: 'positives', default: [0.5, 1, 1.5], help: 'weight scales of the static LSM baseline' },
  frozen: { kind: 'flag', help: 'no learning while an image is presented' },
  seed: { kind: 'integer', default: 1, help: 'seed' },
});
const refuse = (flag: string, why: string): never => {
  console.error(`${flag}: ${why}`);
  process.exit(1);
};
if (o.train > 50000) refuse(`--train ${o.train}`, 'training images come from the first 50 000 of the training file: use at most 50000');
if (o.val > 10000) refuse(`--val ${o.val}`, 'validation images are the last 10 000 of the training file: use at most 10000');
if (o.test > 10000) refuse(`--test ${o.test}`, 'the test file has 10 000 images: use at most 10000');
const neurons = o.neurons;
const side = Math.round(Math.cbrt(neurons));
const dims: [number, number, number] = [side, side, side];
const nTrain = o.train;
const nVal = o.val;
const nTest = o.test;
const nInit = o.init;
const presentMs = o.present;
const epochs = o.epochs;
const bfSamples = o['bf-samples'];
const seed = o.seed;
const frozen = o.frozen;
// The paper's astrocyte weight is 0.015 for 10×10×10 and 0.0075 for 20×20×20 liquids: 0.15/side.
const astroWeight = o['astro-weight'] ?? 0.15 / side;
const models = o.models;
const lsmWeights = o['lsm-weights'];

if (!hasFashionMnist()) {
  console.log('Fashion-MNIST not found: apt-get install dataset-fashion-mnist');
  process.exit(1);
}
const t00 = performance.now();
const { train, test } = loadFashionMnist();
const D = train.d;
const scale = pixelScale(train.x.subarray(0, 50000 * D), 50000, D);

// Sample indices.
const rng = new Rng(seed, 0x11);
const perm = Int32Array.from({ length: 50000 }, (_, i) => i);
for (let i = perm.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [perm[i], perm[j]] = [perm[j], perm[i]];
}
const trainIdx = perm.subarray(0, Math.min(nTrain, 50000));
const valIdx = Int32Array.from({ length: Math.min(nVal, 10000) }, (_, i) => 50000 + i);
const testIdx = Int32Array.from({ length: Math.min(nTest, test.n) }, (_, i) => i);
const initIdx = Int32Array.from({ length: nInit }, () => rng.int(50000));

const probs = new Float64Array(D);
const image = (ds: typeof train, k: number) => pixelProbabilities(ds.x.subarray(k * D, (k + 1) * D), scale, probs);
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

console.log(`NALSM reproduction on Fashion-MNIST: liquid ${dims.join('×')} = ${side ** 3} LIF neurons, 784 inputs`);
console.log(
  `train ${trainIdx.length}, validation ${valIdx.length}, test ${testIdx.length}; init ${nInit} × 20 ms; presentation ${presentMs} ms` +
    `${frozen ? ' (frozen weights)' : ' (in-sample learning, rates × 0.99/ms)'}; astrocyte w_A ${astroWeight.toPrecision(3)}; readout: softmax, ${epochs} epochs; seed ${seed}`,
);

interface Row {
  name: string;
  bfBefore: number;
  bfAfter: number;
  rate: number;
  acc: number;
  val: number;
  note: string;
  seconds: number;
}
const rows: Row[] = [];

/** Branching factor and mean rate (Hz) over the BF images, with the given weights and learning. */
function measureBF(liq: NalsmLiquid, weights: NalsmWeights, learn: boolean): { bf: number; rate: number } {
  const raster = new SpikeRaster();
  const csr = liq.liquidCSR();
  let sum = 0;
  let used = 0;
  let spikes = 0;
  for (let s = 0; s < bfSamples; s++) {
    liq.restoreWeights(weights);
    raster.clear();
    spikes += liq.present(image(train, valIdx[s % valIdx.length]), presentMs, { plastic: learn, decay: 0.99, raster });
    const bf = branchingFactor(raster.view(), csr, liq.size, { window: 4, start: 25, stop: presentMs - 25 }).value;
    if (Number.isFinite(bf)) {
      sum += bf;
      used++;
    }
  }
  liq.restoreWeights(weights);
  return { bf: used ? sum / used : NaN, rate: spikes / bfSamples / (presentMs / 1000) / liq.size };
}

/** Spike-count features of the given images (weights restored per image). */
function features(liq: NalsmLiquid, weights: NalsmWeights, ds: typeof train, idx: Int32Array, learn: boolean): { X: Matrix; y: Int32Array } {
  const X = matrix(idx.length, liq.size);
  const y = new Int32Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    if (learn) liq.restoreWeights(weights);
    liq.present(image(ds, idx[k]), presentMs, { plastic: learn, decay: 0.99, counts: X.data.subarray(k * liq.size, (k + 1) * liq.size) });
    y[k] = ds.y[idx[k]];
  }
  return { X, y };
}

/** Normalise, train the softmax readout, return validation and test accuracy. */
function readout(tr: { X: Matrix; y: Int32Array }, va: { X: Matrix; y: Int32Array }, te: { X: Matrix; y: Int32Array } | undefined) {
  const s = normalizeCounts(tr.X);
  normalizeCounts(va.X, s);
  if (te) normalizeCounts(te.X, s);
  const r = new SoftmaxReadout(tr.X.cols, 10, { lr: 0.003, l2: 1e-4, seed });
  const fit = r.fit(tr.X, tr.y, { epochs, validation: { X: va.X, labels: va.y } });
  return { val: fit.validationAccuracy[fit.bestEpoch - 1], test: te ? r.accuracy(te.X, te.y) : NaN, epoch: fit.bestEpoch };
}

function runPlastic(name: string, plasticity: NalsmPlasticity): void {
  const t0 = performance.now();
  const liq = new NalsmLiquid({ dims, plasticity, seed, astrocyte: { weight: astroWeight } });
  const w3 = liq.saveWeights();
  const before = measureBF(liq, w3, false);
  const ti = performance.now();
  for (let k = 0; k < nInit; k++) liq.present(image(train, initIdx[k]), 20);
  const w = liq.saveWeights();
  const mw = liq.meanWeights();
  console.log(
    `${name}: init ${nInit} × 20 ms in ${secs(ti)} s; mean |w| E ${mw.exc.toFixed(2)}, I ${mw.inh.toFixed(2)}, input ${mw.input.toFixed(2)} (start 3)`,
  );
  const afterFrozen = measureBF(liq, w, false);
  const after = frozen ? afterFrozen : measureBF(liq, w, true);
  console.log(
    `${name}: branching factor ${before.bf.toFixed(3)} (${before.rate.toFixed(1)} Hz) before → ${after.bf.toFixed(3)} (${after.rate.toFixed(1)} Hz) after` +
      `${frozen ? '' : ` [after, frozen weights: ${afterFrozen.bf.toFixed(3)} (${afterFrozen.rate.toFixed(1)} Hz)]`}`,
  );
  const tf = performance.now();
  const learn = !frozen;
  const tr = features(liq, w, train, trainIdx, learn);
  const va = features(liq, w, train, valIdx, learn);
  const te = features(liq, w, test, testIdx, learn);
  const nImg = trainIdx.length + valIdx.length + testIdx.length;
  console.log(`${name}: features of ${nImg} images in ${secs(tf)} s (${((performance.now() - tf) / nImg).toFixed(1)} ms/image)`);
  const tr0 = performance.now();
  const res = readout(tr, va, te);
  console.log(`${name}: readout ${secs(tr0)} s, best epoch ${res.epoch}: validation ${(100 * res.val).toFixed(2)} %, test ${(100 * res.test).toFixed(2)} %`);
  rows.push({ name, bfBefore: before.bf, bfAfter: after.bf, rate: after.rate, acc: res.test, val: res.val, note: '', seconds: (performance.now() - t0) / 1000 });
}

function runStatic(): void {
  const t0 = performance.now();
  let best: { w: number; val: number; liq: NalsmLiquid; tr: { X: Matrix; y: Int32Array }; va: { X: Matrix; y: Int32Array }; bf: { bf: number; rate: number } } | undefined;
  for (const wAbs of lsmWeights) {
    const liq = new NalsmLiquid({ dims, plasticity: 'none', seed, weight: wAbs });
    const w = liq.saveWeights();
    const bf = measureBF(liq, w, false);
    const tr = features(liq, w, train, trainIdx, false);
    const va = features(liq, w, train, valIdx, false);
    // Fit on copies so the winner's features can be reused.
    const trc = { X: matrix(tr.X.rows, tr.X.cols, tr.X.data.slice()), y: tr.y };
    const vac = { X: matrix(va.X.rows, va.X.cols, va.X.data.slice()), y: va.y };
    const r = readout(trc, vac, undefined);
    console.log(`LSM |w| = ${wAbs}: branching factor ${bf.bf.toFixed(3)} (${bf.rate.toFixed(1)} Hz), validation ${(100 * r.val).toFixed(2)} %`);
    if (!best || r.val > best.val) best = { w: wAbs, val: r.val, liq, tr, va, bf };
  }
  const b = best!;
  const te = features(b.liq, b.liq.saveWeights(), test, testIdx, false);
  const res = readout(b.tr, b.va, te);
  console.log(`LSM: chosen |w| = ${b.w}; best epoch ${res.epoch}: validation ${(100 * res.val).toFixed(2)} %, test ${(100 * res.test).toFixed(2)} %`);
  rows.push({ name: 'LSM', bfBefore: b.bf.bf, bfAfter: b.bf.bf, rate: b.bf.rate, acc: res.test, val: res.val, note: `|w| = ${b.w} (of ${lsmWeights.join(', ')})`, seconds: (performance.now() - t0) / 1000 });
}

for (const m of models) {
  if (m === 'nalsm') runPlastic('NALSM', 'astrocyte');
  else if (m === 'lsm') runStatic();
  else if (m === 'stdp') runPlastic('STDP', 'stdp');
  else throw new Error(`--models: unknown model '${m}' (nalsm, lsm, stdp)`);
}

console.log('\nmodel   BF before  BF after  rate (Hz)  validation  test       time');
for (const r of rows) {
  console.log(
    `${r.name.padEnd(7)} ${r.bfBefore.toFixed(3).padStart(9)}  ${r.bfAfter.toFixed(3).padStart(8)}  ${r.rate.toFixed(1).padStart(9)}  ${(100 * r.val).toFixed(2).padStart(8)} %  ${(100 * r.acc).toFixed(2).padStart(6)} %  ${r.seconds.toFixed(0).padStart(5)} s ${r.note}`,
  );
}
console.log(`published (NALSM, 8 000 neurons, 50 000 training images): 85.84 %; total ${secs(t00)} s`);
