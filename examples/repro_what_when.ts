/**
 * Issue 7 reproduction (reduced): joint "what" and "when" prediction with a heterogeneous
 * Izhikevich spiking reservoir, read out by FORCE (recursive least squares) and by a local
 * three-factor Hebbian rule (error-modulated, attention-gated; `ThreeFactorReadout`,
 * src/reservoir/three_factor.ts), with an offline ridge fit and the ungated delta rule as
 * references.
 *
 * Reservoir: N Izhikevich neurons, 80 % excitatory with Izhikevich's (2003) heterogeneity
 * (a = 0.02, b = 0.2, c = −65 + 15 r², d = 8 − 6 r²: RS … CH), 20 % inhibitory (a = 0.02 + 0.08 r,
 * b = 0.25 − 0.05 r, c = −65, d = 2: LTS … FS), r ~ U[0, 1) per neuron; sparse random recurrent
 * weights (FixedProb), delta synapses onto v; Poisson background.
 *
 * Task: a repeating sequence of K = 4 symbols, A B A C B D, each symbol with its own mean duration
 * (jittered ± `--jitter` per occurrence, so onsets are irregular). Symbol k drives its own 40
 * excitatory neurons (strong for the first 20 ms, then weaker while the symbol lasts). Every
 * 5 ms bin the readouts predict what comes next (one-hot of the next symbol: after A it is B or
 * C depending on context) and when (time until the next onset). Features: exponentially
 * filtered spike trains (τ = `--tau` ms) of all neurons plus a constant.
 *
 * Writes out/repro_what_when.svg (predicted vs true time-to-next, first 3 s of the test, seed 1).
 *
 * Run: npx tsc -p tsconfig.json && node dist/examples/repro_what_when.js [--size 400] [--seeds 3] [--eta 0.05] [--epochs 10]
 */
import { Network, NeuronGroup, Izhikevich, FixedProb, SpikeMonitor, PoissonInput, values, uniform, lineSvg } from '../src/index.js';
import { writeText } from '../src/node/index.js';
import { Rng } from '../src/math/rng.js';
import { LiquidStateMachine, Rls, Ridge, ThreeFactorReadout, matrix, nrmse, sliceRows, type Matrix } from '../src/reservoir/index.js';
import { exampleOptions } from './args.js';

const o = exampleOptions('What and when: a liquid state machine reads out symbol identity and timing', {
  size: { kind: 'count', default: 400, help: 'neurons in the liquid' },
  seeds: { kind: 'count', default: 3, help: 'seeds' },
  tau: { kind: 'positive', default: 50, help: 'time constant of the filtered spike trains the readouts see (ms)' },
  train: { kind: 'positive', default: 40, help: 'training time (s)' },
  test: { kind: 'positive', default: 15, help: 'test time (s)' },
  jitter: { kind: 'nonnegative', default: 0.15, help: 'relative jitter of symbol durations' },
  epochs: { kind: 'count', default: 10, help: 'epochs of the three-factor readout' },
  eta: { kind: 'positive', default: 0.05, help: 'learning rate of the three-factor readout' },
  we: { kind: 'positive', default: 1.5, help: 'largest excitatory weight (mV)' },
  wi: { kind: 'positive', default: 4, help: 'largest inhibitory weight (mV)' },
  bg: { kind: 'nonnegative', default: 20, help: 'background Poisson rate (Hz)' },
  drive: { kind: 'nonnegative', default: 15, help: 'input weight of a symbol onto its 40 neurons (nA)' },
  alpha: { kind: 'positive', default: 1, help: 'RLS regularization' },
});
const N = o.size;
const nSeeds = o.seeds;
const BIN = 5; // ms
const tauMs = o.tau;
const trainS = o.train;
const testS = o.test;
const washS = 1;
const jitter = o.jitter;
const epochs = o.epochs;
const eta0 = o.eta;
const WHEN_SCALE = 250; // ms: 'when' target is (time to next) / 250 ms

const K = 4;
const NAMES = ['A', 'B', 'C', 'D'];
const SEQ = [0, 1, 0, 2, 1, 3];
const DUR = [100, 160, 60, 240]; // mean duration of each symbol (ms)

interface Episode {
  input: Matrix; // [T × K]
  next: Int32Array; // next symbol per bin
  toNext: Float64Array; // ms until the next onset, per bin (measured at the end of the bin)
  since: Float64Array; // bins since the current symbol's onset
}

function makeEpisode(T: number, seed: number): Episode {
  const rng = new Rng(seed, 0x51);
  const input = matrix(T, K);
  const next = new Int32Array(T);
  const toNext = new Float64Array(T);
  const since = new Float64Array(T);
  let b = 0;
  let pos = 0;
  while (b < T) {
    const s = SEQ[pos % SEQ.length];
    const nx = SEQ[(pos + 1) % SEQ.length];
    const len = Math.max(2, Math.round((DUR[s] * (1 + jitter * (2 * rng.uniform() - 1))) / BIN));
    for (let k = 0; k < len && b < T; k++, b++) {
      input.data[b * K + s] = k < 20 / BIN ? 1 : 0.4;
      next[b] = nx;
      toNext[b] = (len - k - 1) * BIN;
      since[b] = k;
    }
    pos++;
  }
  return { input, next, toNext, since };
}

function runReservoir(seed: number, ep: Episode): { X: Matrix; rateE: number; rateI: number; simS: number } {
  const NE = Math.round(0.8 * N);
  const rng = new Rng(seed, 0x17);
  const a = new Float64Array(N), bb = new Float64Array(N), c = new Float64Array(N), d = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const r = rng.uniform();
    if (i < NE) [a[i], bb[i], c[i], d[i]] = [0.02, 0.2, -65 + 15 * r * r, 8 - 6 * r * r];
    else [a[i], bb[i], c[i], d[i]] = [0.02 + 0.08 * r, 0.25 - 0.05 * r, -65, 2];
  }
  const net = new Network({ dt: '0.1 ms', seed });
  const P = net.add(
    new NeuronGroup(N, Izhikevich, {
      params: { a: values(a), b: values(bb), c: values(c, 'mV'), d: values(d, 'mV') },
      init: { v: '-65 mV', u: values(Array.from(bb, (x) => -65 * x), 'mV') },
    }),
  );
  const p = 0.1;
  net.connect(P.slice(0, NE), P, { comm: new FixedProb(p), weight: uniform(`0 mV`, `${o.we} mV`), target: 'v' });
  net.connect(P.slice(NE), P, { comm: new FixedProb(p), weight: uniform(`${-o.wi} mV`, '0 mV'), target: 'v' });
  net.add(new PoissonInput(P, { num: 100, rate: `${o.bg} Hz`, weight: '1 mV', target: 'v' }));
  const sm = net.add(new SpikeMonitor(P));
  // Each symbol drives its own 40 excitatory neurons.
  const W = matrix(N, K);
  const perm = Array.from({ length: NE }, (_, i) => i);
  for (let i = NE - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  for (let k = 0; k < K; k++) for (let j = 0; j < 40; j++) W.data[perm[k * 40 + j] * K + k] = o.drive;
  const lsm = new LiquidStateMachine(net, { input: P, unit: 'nA', inputWeights: W, readout: sm, bin: `${BIN} ms`, tau: `${tauMs} ms` });
  const t0 = performance.now();
  const F = lsm.run(ep.input);
  const simS = (performance.now() - t0) / 1000;
  const X = matrix(F.rows, N + 1);
  for (let t = 0; t < F.rows; t++) {
    X.data.set(F.data.subarray(t * N, (t + 1) * N), t * (N + 1));
    X.data[t * (N + 1) + N] = 1;
  }
  const { indices, times } = sm.spikes();
  const dur = times.length ? ep.input.rows * BIN * 1e-3 : 1;
  let nE = 0;
  for (const i of indices) if (i < NE) nE++;
  return { X, rateE: nE / NE / dur, rateI: (indices.length - nE) / (N - NE) / dur, simS };
}

function targets(ep: Episode): Matrix {
  const Y = matrix(ep.next.length, K + 1);
  for (let t = 0; t < ep.next.length; t++) {
    Y.data[t * (K + 1) + ep.next[t]] = 1;
    Y.data[t * (K + 1) + K] = ep.toNext[t] / WHEN_SCALE;
  }
  return Y;
}

function score(Yhat: Matrix, ep: Episode, from: number): { acc: number; nrmse: number; mae: number; when: Float64Array } {
  const T = Yhat.rows;
  let ok = 0;
  const when = new Float64Array(T);
  const truth = new Float64Array(T);
  let mae = 0;
  for (let t = 0; t < T; t++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (Yhat.data[t * (K + 1) + k] > Yhat.data[t * (K + 1) + best]) best = k;
    if (best === ep.next[from + t]) ok++;
    when[t] = Yhat.data[t * (K + 1) + K] * WHEN_SCALE;
    truth[t] = ep.toNext[from + t];
    mae += Math.abs(when[t] - truth[t]);
  }
  return { acc: ok / T, nrmse: nrmse(when, truth), mae: mae / T, when };
}

const rows: Record<string, { acc: number[]; nrmse: number[]; mae: number[]; time: number[] }> = {};
const record = (name: string, s: { acc: number; nrmse: number; mae: number }, time: number) => {
  const r = (rows[name] ??= { acc: [], nrmse: [], mae: [], time: [] });
  r.acc.push(s.acc);
  r.nrmse.push(s.nrmse);
  r.mae.push(s.mae);
  r.time.push(time);
};

const tStart = performance.now();
for (let seed = 1; seed <= nSeeds; seed++) {
  const wash = (washS * 1000) / BIN;
  const nTrain = (trainS * 1000) / BIN;
  const nTest = (testS * 1000) / BIN;
  const ep = makeEpisode(wash + nTrain + nTest, seed);
  const { X, rateE, rateI, simS } = runReservoir(seed, ep);
  const Y = targets(ep);
  const Xtr = sliceRows(X, wash, wash + nTrain);
  const Ytr = sliceRows(Y, wash, wash + nTrain);
  const Xte = sliceRows(X, wash + nTrain, wash + nTrain + nTest);
  const since = ep.since.subarray(wash, wash + nTrain);
  const d = N + 1;
  console.log(`seed ${seed}: rates E ${rateE.toFixed(1)} Hz, I ${rateI.toFixed(1)} Hz; reservoir run ${simS.toFixed(1)} s`);

  // (a) FORCE: RLS, one online pass (no output feedback into the reservoir).
  let t0 = performance.now();
  const rls = new Rls(d, K + 1, { alpha: o.alpha });
  for (let t = 0; t < nTrain; t++) rls.update(Xtr.data.subarray(t * d, (t + 1) * d), Ytr.data.subarray(t * (K + 1), (t + 1) * (K + 1)));
  const sF = score(rls.predict(Xte), ep, wash + nTrain);
  record('FORCE (RLS, 1 pass)', sF, (performance.now() - t0) / 1000);

  // (b) three-factor rule; η = η0 / mean ‖x‖² over the training traces (a fixed constant).
  let m2 = 0;
  for (let k = 0; k < Xtr.data.length; k++) m2 += Xtr.data[k] * Xtr.data[k];
  m2 /= nTrain;
  const rate = eta0 / m2;
  const variants: [string, ConstructorParameters<typeof ThreeFactorReadout>[2], ArrayLike<number> | undefined][] = [
    [`three-factor (gated, ${epochs} passes)`, { rate, gateFloor: 0.1, gateTau: 20 / BIN, errorThreshold: 0.5 }, since],
    [`delta rule (g ≡ 1, ${epochs} passes)`, { rate, gateFloor: 1 }, undefined],
  ];
  let threeWhen: Float64Array | undefined;
  for (const [name, opts, s] of variants) {
    t0 = performance.now();
    const tf = new ThreeFactorReadout(d, K + 1, opts);
    tf.train(Xtr, Ytr, s, epochs);
    const sc = score(tf.predict(Xte), ep, wash + nTrain);
    record(name, sc, (performance.now() - t0) / 1000);
    threeWhen ??= sc.when;
  }

  // Offline reference: ridge.
  t0 = performance.now();
  const ridge = new Ridge(N, K + 1, { lambda: 1e-2 }).fit(sliceCols(Xtr, N), Ytr);
  const sR = score(ridge.predict(sliceCols(Xte, N)), ep, wash + nTrain);
  record('ridge (offline reference)', sR, (performance.now() - t0) / 1000);

  if (seed === 1) {
    const n = Math.min(nTest, 3000 / BIN);
    const tt = Array.from({ length: n }, (_, t) => (t + 1) * BIN);
    const truth = Array.from({ length: n }, (_, t) => ep.toNext[wash + nTrain + t]);
    const svg = lineSvg(
      [
        { x: tt, y: truth, label: 'true time to next', color: '#000000' },
        { x: tt, y: Array.from(sF.when.subarray(0, n)), label: 'FORCE (RLS)', color: '#1f77b4' },
        { x: tt, y: Array.from(threeWhen!.subarray(0, n)), label: 'three-factor', color: '#d62728', dash: '4 3' },
      ],
      { title: `'when' readouts on test data (N = ${N}, seed 1)`, xLabel: 'test time (ms)', yLabel: 'time to next symbol (ms)', idPrefix: 'what-when' },
    );
    await writeText('out/repro_what_when.svg', svg);
  }
}

function sliceCols(X: Matrix, n: number): Matrix {
  const out = matrix(X.rows, n);
  for (let t = 0; t < X.rows; t++) out.data.set(X.data.subarray(t * X.cols, t * X.cols + n), t * n);
  return out;
}

const ms = (v: number[]) => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, v.length - 1));
  return { m, sd };
};
const f = (v: number[], k: number, scale = 1) => {
  const { m, sd } = ms(v.map((x) => x * scale));
  return `${m.toFixed(k)} ± ${sd.toFixed(k)}`;
};
console.log(`\nN = ${N}, ${nSeeds} seeds, ${trainS} s training / ${testS} s test, bins ${BIN} ms, τ = ${tauMs} ms; chance 'what' = majority class ${(2 / 6 * 100).toFixed(0)} %`);
console.log('| readout | what accuracy (%) | when NRMSE | when MAE (ms) | readout time (s) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, r] of Object.entries(rows)) console.log(`| ${name} | ${f(r.acc, 1, 100)} | ${f(r.nrmse, 3)} | ${f(r.mae, 1)} | ${f(r.time, 2)} |`);
console.log(`total run time ${((performance.now() - tStart) / 1000).toFixed(1)} s; symbols ${NAMES.join(' ')}; sequence ${SEQ.map((k) => NAMES[k]).join(' ')}; plot out/repro_what_when.svg`);
