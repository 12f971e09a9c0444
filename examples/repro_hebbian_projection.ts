/**
 * Continual learning with Hebbian-learning-based orthogonal projection (after Xiao et al., ICLR
 * 2024, HLOP): split Fashion-MNIST, 5 tasks of 2 classes ({0,1}, {2,3}, …, {8,9}),
 * task-incremental with a multi-head readout (one 2-unit leaky readout per task; the task
 * identity picks the head at test time). A latency-coded spiking network (a `Network`), 784 → 200
 * LIF → 5 × 2 readouts, is trained on the tasks one after the other, twice from the same initial
 * weights:
 *   - baseline: plain sequential fine-tuning (Adam);
 *   - HLOP: after each task, Hebbian/anti-Hebbian subspace neurons extract the principal subspace
 *     of the per-step input spike vectors of that task, and every later update of the shared
 *     weights W1 (input → hidden) is projected orthogonally to the accumulated subspace
 *     (src/train/orthogonal.ts). The heads are task-specific and not projected.
 * Prints the accuracy matrix (row: after training task i; column: test accuracy on task j), the
 * average accuracy after the last task (ACC) and backward transfer BWT = mean_j<T (R[T,j] − R[j,j])
 * (negative: forgetting), for both.
 *
 * Run: npm run build && node dist/examples/repro_hebbian_projection.js
 *        [--train-per-task 1000] [--test-per-task 1000] [--epochs 3] [--steps 25] [--k 40]
 *        [--iterations 100] [--lr 2e-3] [--seed 0] [--data DIR] [--synthetic]
 * Needs the data: apt-get install dataset-fashion-mnist (or --data DIR with the IDX files); without
 * it (or with --synthetic) a synthetic sequence of 5 two-class tasks is used instead.
 */
import { Adam, crossEntropy, countCorrect, synapticLIF, leakyReadout, atan, OrthogonalProjection } from '../src/train/index.js';
import { Network } from '../src/core/network.js';
import { NeuronGroup } from '../src/model/group.js';
import { normal } from '../src/model/init.js';
import { All2All } from '../src/connect/index.js';
import { InputGroup } from '../src/inputs/input_group.js';
import { type Projection } from '../src/projections/projection.js';
import { type Param } from '../src/autodiff/param.js';
import { FASHION_MNIST_DIR, hasFashionMnist, loadFashionMnist } from '../src/data/fashion_mnist.js';
import { exampleOptions } from './args.js';
import { latencySteps, latencyEvents, permutation, syntheticDataset, type Dataset } from '../src/data/index.js';

const a = exampleOptions('Hebbian learning of orthogonal projection (HLOP) for continual learning, reduced', {
  'train-per-task': { kind: 'count', default: 1000, help: 'training samples per task' },
  'test-per-task': { kind: 'count', default: 1000, help: 'test samples per task' },
  epochs: { kind: 'count', default: 3, help: 'epochs per task' },
  steps: { kind: 'count', default: 25, help: 'simulation steps per sample' },
  hidden: { kind: 'count', default: 200, help: 'hidden neurons' },
  k: { kind: 'count', default: 40, help: "subspace neurons per task on W1's inputs" },
  iterations: { kind: 'count', default: 100, help: 'Hebbian iterations per task' },
  lr: { kind: 'positive', default: 2e-3, help: 'Adam learning rate' },
  batch: { kind: 'count', default: 64, help: 'batch size' },
  seed: { kind: 'integer', default: 0, help: 'seed' },
  data: { kind: 'path', default: FASHION_MNIST_DIR, help: 'folder with the Fashion-MNIST IDX files' },
  synthetic: { kind: 'flag', help: 'use the synthetic task sequence even when Fashion-MNIST is present' },
  protocol: { kind: 'choice', default: 'split', choices: ['split', 'permuted'], help: 'split (5 two-class tasks) or permuted (5 pixel permutations)' },
  'k-hidden': { kind: 'count', default: 30, help: "permuted: subspace neurons per task on W2's inputs" },
});
const TASKS = 5;
const permuted = a.protocol === 'permuted';
const CLASSES = permuted ? 10 : 2;
const steps = a.steps;
const batch = a.batch;
const hidden = a.hidden;
const epochs = a.epochs;
const seed = a.seed;
const nTrain = a['train-per-task'];
const nTest = a['test-per-task'];

// ---- data: per task, the first nTrain / nTest samples of its two classes, labels 0/1 ----------
interface Task {
  readonly when: Uint16Array; // latency firing steps, d per sample
  readonly y: Int32Array;
  readonly n: number;
}
let d = 784;
let train: Dataset;
let test: Dataset;
let source: string;
if (!a.synthetic && hasFashionMnist(a.data)) {
  ({ train, test } = loadFashionMnist(a.data));
  source = `Fashion-MNIST (${a.data})`;
} else {
  if (!a.synthetic) console.log(`Fashion-MNIST not found in ${a.data} (install: apt-get install dataset-fashion-mnist); using a synthetic task sequence`);
  d = 100;
  train = syntheticDataset({ n: 10 * nTrain, d, classes: 10, noise: 0.25, seed: 1 });
  test = syntheticDataset({ n: 10 * nTest, d, classes: 10, noise: 0.25, seed: 2 });
  source = 'synthetic prototypes + noise (10 classes, d = 100)';
}
const enc = { steps, tau: 20, threshold: 0.2 };
/** Pixel permutation of task t (task 0: identity), for --protocol permuted. */
const perms = Array.from({ length: TASKS }, (_, t) => (t === 0 ? Int32Array.from({ length: d }, (_, i) => i) : permutation(d, seed + 7, t)));
function split(ds: Dataset, t: number, limit: number): Task {
  const rows: number[] = [];
  for (let s = 0; s < ds.n && rows.length < limit; s++) if (permuted || ds.y[s] === 2 * t || ds.y[s] === 2 * t + 1) rows.push(s);
  const x = new Float32Array(rows.length * ds.d);
  const scale = ds.x instanceof Uint8Array ? 1 / 255 : 1;
  const P = perms[t];
  rows.forEach((s, r) => {
    for (let i = 0; i < ds.d; i++) x[r * ds.d + i] = ds.x[s * ds.d + (permuted ? P[i] : i)] * scale;
  });
  return { when: latencySteps(x, enc), y: Int32Array.from(rows, (s) => (permuted ? ds.y[s] : ds.y[s] - 2 * t)), n: rows.length };
}
const trainTasks = Array.from({ length: TASKS }, (_, t) => split(train, t, nTrain));
const testTasks = Array.from({ length: TASKS }, (_, t) => split(test, t, nTest));

// ---- network ---------------------------------------------------------------------------------
interface Built {
  readonly net: Network;
  readonly x: InputGroup;
  readonly W1: Projection;
  readonly heads: NeuronGroup[];
  readonly headW: Projection[];
  readonly param: (p: Projection) => Param;
}
function build(): Built {
  const net = new Network({ dt: '1 ms', seed, batch, name: 'hlop' });
  const x = net.add(new InputGroup(d, 'pixels'));
  const h = net.add(new NeuronGroup(hidden, synapticLIF({ alpha: 0.9, beta: 0.85, threshold: 1, refractorySteps: 2 }), { name: 'hidden', surrogate: atan(2) }));
  const W1 = net.connect(x, h, { name: 'W1', comm: new All2All(), target: 'I', weight: normal(0, 1.05 / Math.sqrt(d)), train: ['weight'] });
  const heads: NeuronGroup[] = [];
  const headW: Projection[] = [];
  for (let t = 0; t < (permuted ? 1 : TASKS); t++) {
    const o = net.add(new NeuronGroup(CLASSES, leakyReadout({ alpha: 0.9, beta: 0.85 }), { name: `head${t}` }));
    heads.push(o);
    headW.push(net.connect(h, o, { name: `W2_${t}`, comm: new All2All(), target: 'I', weight: normal(0, 1.05 / Math.sqrt(hidden)), train: ['weight'] }));
  }
  net.build();
  const params = net.parameters();
  const param = (p: Projection) => params.find((q) => q.name === `${p.name}.weight`)!;
  return { net, x, W1, heads, headW, param };
}

function forward(m: Built, task: Task, rows: ArrayLike<number>): void {
  m.net.forward({ steps, batch: rows.length, inputs: [[m.x, latencyEvents(task.when, d, rows, steps)]] });
}

function accuracy(m: Built, head: NeuronGroup, task: Task): number {
  let correct = 0;
  for (let lo = 0; lo < task.n; lo += batch) {
    const B = Math.min(batch, task.n - lo);
    const rows = Int32Array.from({ length: B }, (_, b) => lo + b);
    forward(m, task, rows);
    correct += countCorrect(m.net.trace(head, 'v'), task.y.subarray(lo, lo + B), 'max');
  }
  return correct / task.n;
}

function run(useHlop: boolean): { R: number[][]; seconds: number; hebbSeconds: number; dims: number[] } {
  const t0 = performance.now();
  const m = build();
  const { net, W1, heads, headW } = m;
  // Split (multi-head): only W1 is shared. Permuted (one shared 10-class head): W1 and W2 are protected.
  const hlop = useHlop
    ? new OrthogonalProjection(net, { projections: permuted ? [W1, headW[0]] : [W1], k: { W1: a.k, W2_0: a['k-hidden'] }, iterations: a.iterations, seed })
    : undefined;
  const R: number[][] = [];
  const dims: number[] = [];
  const dimsH: number[] = [];
  let hebb = 0;
  const labels = new Int32Array(batch);
  for (let t = 0; t < TASKS; t++) {
    const task = trainTasks[t];
    const head = permuted ? 0 : t;
    const opt = new Adam([m.param(W1), m.param(headW[head])], { lr: a.lr });
    for (let e = 0; e < epochs; e++) {
      const order = permutation(task.n, seed, t * 100 + e);
      for (let k = 0; k + batch <= task.n; k += batch) {
        const rows = order.subarray(k, k + batch);
        for (let b = 0; b < batch; b++) labels[b] = task.y[rows[b]];
        forward(m, task, rows);
        crossEntropy(net.trace(heads[head], 'v'), labels, { reduce: 'max' });
        opt.zeroGrad();
        net.backward();
        if (hlop) hlop.step(opt);
        else opt.step();
      }
    }
    if (hlop && t < TASKS - 1) {
      const h0 = performance.now();
      for (let lo = 0; lo < task.n; lo += batch) {
        const B = Math.min(batch, task.n - lo);
        forward(m, task, Int32Array.from({ length: B }, (_, b) => lo + b));
        hlop.observe();
      }
      const dd = hlop.consolidate();
      dims.push(dd.W1);
      dimsH.push(dd.W2_0);
      hebb += (performance.now() - h0) / 1000;
    }
    R.push(testTasks.map((tt, j) => (j <= t ? accuracy(m, heads[permuted ? 0 : j], tt) : NaN)));
    console.log(`  ${useHlop ? 'HLOP    ' : 'baseline'} task ${t + 1}: ${R[t].slice(0, t + 1).map((v) => v.toFixed(3)).join(' ')}${hlop && t < TASKS - 1 ? `  (protected dims: W1 inputs ${dims[t]}${permuted ? `, W2 inputs ${dimsH[t]}` : ''})` : ''}`);
  }
  return { R, seconds: (performance.now() - t0) / 1000, hebbSeconds: hebb, dims };
}

function report(name: string, r: { R: number[][]; seconds: number; hebbSeconds: number }): void {
  const T = TASKS;
  console.log(`\n${name}: accuracy matrix (row i: after task i; column j: task j)`);
  for (let i = 0; i < T; i++) console.log('  ' + r.R[i].map((v) => (Number.isNaN(v) ? '   -  ' : v.toFixed(3) + ' ')).join(' '));
  const acc = r.R[T - 1].reduce((s, v) => s + v, 0) / T;
  let bwt = 0;
  for (let j = 0; j < T - 1; j++) bwt += r.R[T - 1][j] - r.R[j][j];
  bwt /= T - 1;
  console.log(`  ACC ${(100 * acc).toFixed(2)} %, BWT ${(100 * bwt).toFixed(2)} % (forgetting ${(-100 * bwt).toFixed(2)} %), ${r.seconds.toFixed(1)} s${r.hebbSeconds ? ` (Hebbian extraction ${r.hebbSeconds.toFixed(1)} s)` : ''}`);
}

console.log(
  (permuted
    ? `Permuted ${source}: ${TASKS} tasks (identity + 4 pixel permutations) × 10 classes, domain-incremental (one shared head). Network ${d} → ${hidden} LIF → 10 readout, ${steps} steps, `
    : `Split ${source}: ${TASKS} tasks × 2 classes, task-incremental (multi-head). Network ${d} → ${hidden} LIF → ${TASKS} × 2 readouts, ${steps} steps, `) +
    `latency code (tau ${enc.tau} steps), batch ${batch}, Adam lr ${a.lr}, ${epochs} epochs per task, ` +
    `${trainTasks[0].n} training / ${testTasks[0].n} test samples per task; HLOP: ${a.k} subspace neurons per task on W1's inputs${permuted ? `, ${a['k-hidden']} on W2's` : ''}`,
);
const base = run(false);
const hl = run(true);
report('baseline (sequential fine-tuning)', base);
report('HLOP (Hebbian orthogonal projection)', hl);
