/**
 * Reproduction (reduced) of Srinivasan, Plenz & Girvan, "Boosting reservoir computing with
 * brain-inspired adaptive dynamics" (arXiv:2504.12480, 2025): a reservoir of excitatory and
 * inhibitory logistic units whose inhibitory gains adapt locally toward target activities
 * (homogeneous, or heterogeneous across units), against the same reservoir with one globally
 * tuned spectral radius (grid search on validation data). Tasks: memory capacity, NARMA-10 and
 * Mackey–Glass prediction; several seeds; mean ± sd and the improvement in %.
 * Writes out/repro_adaptive_reservoir.svg (memory-capacity curves r²(k), seed 1).
 *
 * Run: npm run build && node dist/examples/repro_adaptive_reservoir.js [--size N] [--seeds S]
 */
import { lineSvg } from '../src/plot/index.js';
import { writeText } from '../src/node/index.js';
import { Rng } from '../src/math/rng.js';
import {
  EIReservoir,
  Ridge,
  gridSearch,
  hconcat,
  heterogeneousTargets,
  mackeyGlass,
  matrix,
  memoryCapacity,
  narma10,
  nrmse,
  sliceRows,
  spectralRadius,
  type Matrix,
} from '../src/reservoir/index.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('size', 200);
const nSeeds = arg('seeds', 3);
const target = arg('target', 0.2); // homogeneous target activity
const spread = arg('spread', 0.15); // heterogeneous: U[target − spread, target + spread)
const rho0 = arg('rho0', 3); // spectral radius before adaptation (fixes the excitatory scale)
const inScale = arg('input', 0.5);
const mgHorizon = arg('horizon', 1);
const GRID = [0.5, 1, 2, 3, 4, 5, 6, 8, 10];
const MC_DELAY = N;

const standardise = (x: Float64Array): Float64Array => {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  s = Math.sqrt(s / x.length) || 1;
  return Float64Array.from(x, (v) => (v - m) / s);
};

// ---- tasks: each gives an input series, a drive for adaptation, and scorers (lower is better).
interface Task {
  name: string;
  /** Validation score (lower is better) and test score for a frozen reservoir. */
  val(res: EIReservoir): number;
  test(res: EIReservoir): number;
  drive: Matrix;
}

function mcTask(seed: number): Task & { curve(res: EIReservoir): Float64Array } {
  const len = 4000 + 200;
  const seq = (s: number) => {
    const r = new Rng(s, 0x3c);
    return Float64Array.from({ length: len }, () => 2 * r.uniform() - 1);
  };
  const uVal = seq(seed * 7 + 1);
  const uTest = seq(seed * 7 + 2);
  const uDrive = seq(seed * 7 + 3);
  const mc = (res: EIReservoir, u: Float64Array) => {
    const X = res.run(matrix(len, 1, u), { washout: 200 });
    return memoryCapacity(X, u.subarray(200), { maxDelay: MC_DELAY });
  };
  return {
    name: 'memory capacity',
    drive: matrix(len, 1, uDrive),
    val: (res) => -mc(res, uVal).total,
    test: (res) => mc(res, uTest).total,
    curve: (res) => mc(res, uTest).perDelay,
  };
}

function regressionTask(name: string, input: Float64Array, target: Float64Array): Task {
  const T = input.length;
  const washout = 200;
  const nTrain = Math.floor(T * 0.6);
  const nVal = Math.floor(T * 0.8);
  const U = matrix(T, 1, standardise(input));
  const Y = matrix(T, 1, target);
  const fitScore = (res: EIReservoir, from: number, to: number) => {
    const F = hconcat(res.run(U), U);
    const r = new Ridge(F.cols, 1, { lambda: 1e-6, scale: true }).fit(sliceRows(F, washout, nTrain), sliceRows(Y, washout, nTrain));
    return nrmse(r.predict(sliceRows(F, from, to)), sliceRows(Y, from, to));
  };
  return {
    name,
    drive: sliceRows(U, 0, nTrain),
    val: (res) => fitScore(res, nTrain, nVal),
    test: (res) => fitScore(res, nVal, T),
  };
}

function narmaTask(seed: number): Task {
  const { input, target } = narma10(5000, { seed });
  return regressionTask('NARMA-10 NRMSE', input, target);
}

function mgTask(seed: number): Task {
  const T = 5000;
  const x = mackeyGlass(T + mgHorizon, { transient: 500 + 100 * seed });
  return regressionTask(`Mackey–Glass NRMSE (${mgHorizon}-step)`, x.subarray(0, T), x.slice(mgHorizon));
}

// ---- the three reservoirs
const build = (seed: number) => new EIReservoir({ size: N, inputSize: 1, spectralRadius: rho0, inputScaling: inScale, density: 0.1, biasMean: Math.log(target / (1 - target)), seed });

type Method = 'untuned' | 'global' | 'homogeneous' | 'heterogeneous';
const METHODS: Method[] = ['untuned', 'global', 'homogeneous', 'heterogeneous'];

function prepare(method: Method, seed: number, task: Task, info: Record<string, number[]>): EIReservoir {
  const res = build(seed);
  if (method === 'untuned') return res; // balanced gains, ρ = ρ0: the adaptive runs' starting point
  if (method === 'global') {
    const best = gridSearch(GRID, (rho) => {
      res.setSpectralRadius(rho);
      return task.val(res);
    });
    res.setSpectralRadius(best.value);
    (info[`rho_global_${task.name}`] ??= []).push(best.value);
    return res;
  }
  const targets = method === 'homogeneous' ? target : heterogeneousTargets(N, { mean: target, spread, seed: seed + 100 });
  const r = res.adapt(task.drive, { targets });
  (info[`epochs_${method}`] ??= []).push(r.epochs);
  (info[`err_${method}`] ??= []).push(r.maxError[r.maxError.length - 1]);
  (info[`saturated_${method}`] ??= []).push(r.saturated);
  (info[`rho_${method}`] ??= []).push(spectralRadius(res.effectiveWeights(), { seed: 1 }).radius);
  return res;
}

const t0 = performance.now();
const results: Record<string, Record<Method, number[]>> = {};
const info: Record<string, number[]> = {};
const curves: Partial<Record<Method, Float64Array>> = {};
for (let s = 1; s <= nSeeds; s++) {
  const mc = mcTask(s);
  for (const task of [mc, narmaTask(s), mgTask(s)]) {
    const row = (results[task.name] ??= { untuned: [], global: [], homogeneous: [], heterogeneous: [] });
    for (const m of METHODS) {
      const res = prepare(m, s, task, info);
      row[m].push(task.test(res));
      if (task === mc && s === 1) curves[m] = mc.curve(res);
    }
  }
}
const elapsed = (performance.now() - t0) / 1000;

const ms = (a: number[]) => {
  const m = a.reduce((x, y) => x + y, 0) / a.length;
  const sd = Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(1, a.length - 1));
  return { m, sd };
};
const fmt = (a: number[], digits: number) => {
  const { m, sd } = ms(a);
  return `${m.toFixed(digits)} ± ${sd.toFixed(digits)}`;
};
console.log(`E/I reservoir: N = ${N} (80 % E), density 0.1, logistic units, ${nSeeds} seeds; adaptive: ρ0 = ${rho0}, target ${target} (homogeneous) or U[${(target - spread).toFixed(2)}, ${(target + spread).toFixed(2)}) (heterogeneous)`);
console.log(`all: bias logit(${target}) (adaptive: logit of each unit's target), input scaling ${inScale}, ridge λ = 1e-6 on standardised [states, input]`);
console.log(`global baseline: one spectral radius of g(W^E − c W^I), balanced c, tuned per task and seed on validation data over {${GRID.join(', ')}}\n`);
console.log('| task | global, ρ0 (untuned) | global-tuned | homogeneous-adaptive | heterogeneous-adaptive | gain homog. | gain heterog. |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, row] of Object.entries(results)) {
  const higherBetter = name.startsWith('memory');
  const d = higherBetter ? 1 : 4;
  const g = ms(row.global).m;
  const imp = (a: number[]) => {
    const v = ms(a).m;
    const p = higherBetter ? (100 * (v - g)) / g : (100 * (g - v)) / g;
    return `${p >= 0 ? '+' : ''}${p.toFixed(1)} %`;
  };
  console.log(`| ${name} | ${fmt(row.untuned, d)} | ${fmt(row.global, d)} | ${fmt(row.homogeneous, d)} | ${fmt(row.heterogeneous, d)} | ${imp(row.homogeneous)} | ${imp(row.heterogeneous)} |`);
}
console.log('\n(gain: relative improvement over global-tuned; MC higher is better, NRMSE lower is better)');
for (const [k, v] of Object.entries(info)) console.log(`${k}: ${v.map((x) => +x.toFixed(3)).join(', ')}`);
console.log(`run time: ${elapsed.toFixed(1)} s`);

const k = Float64Array.from({ length: MC_DELAY }, (_, i) => i + 1);
const colors: Record<Method, string> = { untuned: '#999999', global: '#333333', homogeneous: '#1f77b4', heterogeneous: '#d62728' };
await writeText(
  'out/repro_adaptive_reservoir.svg',
  lineSvg(
    METHODS.map((m) => ({ x: k.subarray(0, 80), y: curves[m]!.subarray(0, 80), label: `${m} (MC ${results['memory capacity'][m][0].toFixed(1)})`, color: colors[m] })),
    { title: `Memory curves r²(k), E/I reservoir of ${N} units (seed 1)`, xLabel: 'delay k', yLabel: 'r²' },
  ),
);
console.log('plot written to out/repro_adaptive_reservoir.svg');
