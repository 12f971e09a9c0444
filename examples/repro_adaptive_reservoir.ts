/**
 * Reproduction (reduced) of Srinivasan, Plenz & Girvan, "Boosting reservoir computing with
 * brain-inspired adaptive dynamics" (arXiv:2504.12480, 2025). A reservoir of excitatory and
 * inhibitory logistic (sigmoid) units obeying Dale's law; the question is whether adjusting the
 * E/I balance locally, unit by unit, toward target activities beats tuning it globally.
 *
 * Conditions, for each excitatory strength ρ0 (the hyperparameter the adaptation is meant to make
 * less critical; ρ0 is the spectral radius of the balanced network and fixes the excitatory
 * scale g), seed and task:
 *   - global-β: one inhibitory gain c = β·c_bal for all units, β chosen on validation data
 *     (the globally tuned E/I balance);
 *   - global-ρ: balanced gains, spectral radius chosen on validation data (standard ESN tuning;
 *     a stronger baseline than the paper's, reported for reference);
 *   - homogeneous / heterogeneous adaptive: per-unit inhibitory gains adapted online until every
 *     unit's mean activity is within 0.01 of its target (one target, or one per unit);
 *   - one-step: per-unit gains set in closed form from heterogeneous targets
 *     (EIReservoir.oneStepGains, no simulation).
 * All units share one bias logit(target mean); inhibition alone moves the rates.
 * Tasks: memory capacity, NARMA-10 and Mackey–Glass prediction (NRMSE). Mean ± sd over seeds and
 * the change in % against global-β. Writes out/repro_adaptive_reservoir.svg (MC against ρ0).
 *
 * Run: npm run build && node dist/examples/repro_adaptive_reservoir.js [--size N] [--seeds S]
 *      [--rho0 1,2,4,8] [--targets 0.2,0.4] [--spread 0.15] [--horizon 10]
 * The README figures: the defaults (469 s on 2 cores), then --targets 0.5 --rho0 3,4,6 (225 s).
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
  type Matrix,
} from '../src/reservoir/index.js';
import { exampleOptions } from './args.js';

const o = exampleOptions('Adaptive E/I reservoir (Srinivasan, Plenz & Girvan 2025, reduced)', {
  size: { kind: 'count', default: 200, help: 'reservoir units' },
  seeds: { kind: 'count', default: 3, help: 'seeds per condition' },
  targets: { kind: 'positives', default: [0.2, 0.4], help: 'homogeneous target activities (and means of the heterogeneous ones)' },
  spread: { kind: 'nonnegative', default: 0.15, help: 'heterogeneous targets: U[target − spread, target + spread)' },
  rho0: { kind: 'positives', default: [1, 2, 4, 8], help: 'excitatory strengths ρ0 (spectral radii of the balanced network)' },
  input: { kind: 'positive', default: 0.5, help: 'input scale' },
  horizon: { kind: 'count', default: 10, help: 'Mackey–Glass prediction horizon (steps)' },
});
const N = o.size;
const nSeeds = o.seeds;
const TARGETS = o.targets; // homogeneous target activity (and mean of the heterogeneous ones)
const spread = o.spread; // heterogeneous: U[target − spread, target + spread)
const RHO0 = o.rho0;
const inScale = o.input;
const mgHorizon = o.horizon;
for (const t of TARGETS) if (!(t - spread > 0 && t + spread < 1)) {
  console.error(`--targets ${t} with --spread ${spread}: targets must stay inside (0, 1): use target ± spread within (0, 1)`);
  process.exit(1);
}
const BETA = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
const RHO_GRID = [0.5, 1, 2, 3, 4, 6, 8];
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

// ---- the reservoirs
const build = (seed: number, rho0: number, target: number) => new EIReservoir({ size: N, inputSize: 1, spectralRadius: rho0, inputScaling: inScale, density: 0.1, biasMean: Math.log(target / (1 - target)), seed });

type Method = 'globalBeta' | 'globalRho' | 'homogeneous' | 'heterogeneous' | 'oneStep';
const METHODS: Method[] = ['globalBeta', 'globalRho', 'homogeneous', 'heterogeneous', 'oneStep'];
const LABEL: Record<Method, string> = { globalBeta: 'global-β', globalRho: 'global-ρ', homogeneous: 'homog. adaptive', heterogeneous: 'heterog. adaptive', oneStep: 'one-step heterog.' };

function prepare(method: Method, seed: number, rho0: number, target: number, task: Task, info: Record<string, number[]>): EIReservoir {
  const res = build(seed, rho0, target);
  const key = (k: string) => `${k} r=${target} ρ0=${rho0} ${task.name}`;
  if (method === 'globalBeta') {
    const best = gridSearch(BETA, (b) => task.val(res.setInhibitoryGain(b * res.balancedGain)));
    res.setInhibitoryGain(best.value * res.balancedGain);
    (info[key('β*')] ??= []).push(best.value);
    return res;
  }
  if (method === 'globalRho') {
    const best = gridSearch(RHO_GRID, (rho) => {
      res.setSpectralRadius(rho);
      return task.val(res);
    });
    res.setSpectralRadius(best.value);
    (info[key('ρ*')] ??= []).push(best.value);
    return res;
  }
  const het = heterogeneousTargets(N, { mean: target, spread, seed: seed + 100 });
  if (method === 'oneStep') {
    res.oneStepGains(het);
    return res;
  }
  const r = res.adapt(task.drive, { targets: method === 'homogeneous' ? target : het, biasFromTargets: false, maxEpochs: 30 });
  (info[key(`epochs ${method}`)] ??= []).push(r.epochs);
  (info[key(`unconverged/saturated ${method}`)] ??= []).push(r.converged ? r.saturated : -1 - r.saturated);
  return res;
}

const t0 = performance.now();
// results[`r ρ0`][task][method] = per-seed scores. global-ρ rescales the balanced network to each
// grid radius, so it does not depend on ρ0: it is computed once per target, seed and task.
const results: Record<string, Record<string, Record<Method, number[]>>> = {};
const info: Record<string, number[]> = {};
for (const target of TARGETS) {
  for (let s = 1; s <= nSeeds; s++) {
    for (const task of [mcTask(s), narmaTask(s), mgTask(s)]) {
      const rhoScore = task.test(prepare('globalRho', s, RHO0[0], target, task, info));
      for (const rho0 of RHO0) {
        const row = ((results[`${target} ${rho0}`] ??= {})[task.name] ??= { globalBeta: [], globalRho: [], homogeneous: [], heterogeneous: [], oneStep: [] });
        for (const m of METHODS) row[m].push(m === 'globalRho' ? rhoScore : task.test(prepare(m, s, rho0, target, task, info)));
      }
    }
    console.error(`target ${target}, seed ${s} done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
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
console.log(`E/I reservoir: N = ${N} (80 % E, Dale's law), fixed in-degree 10 % of each population, logistic units, leak 1, ${nSeeds} seeds`);
console.log(`target mean r ∈ {${TARGETS.join(', ')}}; bias logit(r) for all units; input scaling ${inScale}; ridge λ = 1e-6 on standardised [states, input]`);
console.log(`adaptive: targets r (homogeneous) or U[r − ${spread}, r + ${spread}) (heterogeneous), start balanced (β = 1)`);
console.log(`global-β grid {${BETA.join(', ')}} × c_bal; global-ρ grid {${RHO_GRID.join(', ')}}; both chosen per task and seed on validation data\n`);
console.log(`| r | ρ0 | task | ${METHODS.map((m) => LABEL[m]).join(' | ')} | Δ homog. | Δ heterog. | Δ one-step |`);
console.log(`| --- | --- | --- | ${METHODS.map(() => '---').join(' | ')} | --- | --- | --- |`);
for (const [cond, rows] of Object.entries(results)) {
  const [target, rho0] = cond.split(' ');
  for (const [name, row] of Object.entries(rows)) {
    const higherBetter = name.startsWith('memory');
    const d = higherBetter ? 1 : name.startsWith('Mackey') ? 4 : 3;
    const g = ms(row.globalBeta).m;
    const imp = (a: number[]) => {
      const v = ms(a).m;
      const p = higherBetter ? (100 * (v - g)) / g : (100 * (g - v)) / g;
      return `${p >= 0 ? '+' : ''}${p.toFixed(0)} %`;
    };
    console.log(`| ${target} | ${rho0} | ${name} | ${METHODS.map((m) => fmt(row[m], d)).join(' | ')} | ${imp(row.homogeneous)} | ${imp(row.heterogeneous)} | ${imp(row.oneStep)} |`);
  }
}
console.log('\n(Δ: relative improvement over global-β; MC higher is better, NRMSE lower is better)');
for (const [k, v] of Object.entries(info)) console.log(`${k}: ${v.map((x) => +x.toFixed(3)).join(', ')}`);
console.log(`run time: ${elapsed.toFixed(1)} s`);

const colors: Record<Method, string> = { globalBeta: '#333333', globalRho: '#999999', homogeneous: '#1f77b4', heterogeneous: '#d62728', oneStep: '#2ca02c' };
const x = Float64Array.from(RHO0);
const series = TARGETS.flatMap((t) =>
  METHODS.map((m) => ({ x, y: Float64Array.from(RHO0, (r) => ms(results[`${t} ${r}`]['memory capacity'][m]).m), label: `${LABEL[m]}, r = ${t}`, color: colors[m] })),
);
await writeText(
  'out/repro_adaptive_reservoir.svg',
  lineSvg(series, { title: `Memory capacity against excitatory strength ρ0, E/I reservoir of ${N} units (mean of ${nSeeds} seeds)`, xLabel: 'ρ0 (spectral radius of the balanced network)', yLabel: 'MC' }),
);
console.log('plot written to out/repro_adaptive_reservoir.svg');
