/**
 * Parameter spaces of a sweep: a grid (the cartesian product of listed values) or seeded random
 * samples, each crossed with a list of network seeds. A space is plain data: a list of points,
 * each with its job number, its parameter values (numbers) and its seed. Points are numbered in a
 * fixed order, so the same space gives the same jobs in the same order on every machine.
 */
import { BuildError } from '../lang/errors.js';
import { nameProblem } from '../equations/validate.js';
import { Rng } from '../math/rng.js';

/** Parameter values of one job, by parameter name. */
export type SweepParams = Readonly<Record<string, number>>;

/** One job of a sweep. */
export interface SweepPoint {
  /** Position in the space (0-based): the row of the result table. */
  readonly job: number;
  readonly params: SweepParams;
  /** The network seed of this job. */
  readonly seed: number;
}

/** The jobs of a sweep, in order. */
export interface SweepSpace {
  readonly kind: 'grid' | 'random';
  /** Parameter names, in column order. */
  readonly names: readonly string[];
  readonly points: readonly SweepPoint[];
}

/** How a random sweep draws one parameter. */
export type SweepDistribution =
  | { readonly dist: 'uniform'; readonly low: number; readonly high: number }
  | { readonly dist: 'logUniform'; readonly low: number; readonly high: number }
  | { readonly dist: 'integer'; readonly low: number; readonly high: number }
  | { readonly dist: 'choice'; readonly values: readonly number[] };

/** Seeds: a list of seeds, or a count n (seeds 0 … n−1). Default: one seed, 0. */
export type SweepSeeds = number | readonly number[];

/** Column names a parameter or metric may not take (the table's own columns). */
export const RESERVED_COLUMNS: ReadonlySet<string> = new Set(['job', 'seed', 'ok', 'error']);

/** The largest number of jobs one sweep accepts (a guard against a typo turning into 10¹² jobs). */
export const MAX_SWEEP_JOBS = 10_000_000;

const WHERE = 'sweep';

function describe(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x);
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (x === null) return 'null';
  return typeof x === 'object' ? 'an object' : String(x);
}

/** Checks a column name (parameter or metric): an identifier, not one of the table's own columns. */
export function checkColumnName(name: unknown, where: string, field: string): string {
  if (typeof name !== 'string') throw new BuildError(where, field, `a name must be a string, got ${describe(name)}`, "use a name such as 'gE' or 'rate'");
  const problem = nameProblem(name);
  if (problem) throw new BuildError(where, field, problem, "use a name made of letters, digits and '_', e.g. 'gE'");
  if (RESERVED_COLUMNS.has(name)) {
    throw new BuildError(where, field, `'${name}' is a column of every sweep table`, `rename it, e.g. '${name}_value'`);
  }
  return name;
}

/** The seeds a {@link SweepSeeds} stands for, checked. */
export function seedList(seeds: SweepSeeds | undefined, where = WHERE): number[] {
  if (seeds === undefined) return [0];
  let list: number[];
  if (typeof seeds === 'number') {
    if (!Number.isInteger(seeds) || seeds < 1 || seeds > MAX_SWEEP_JOBS) {
      throw new BuildError(where, 'seeds', `a count of seeds must be a whole number ≥ 1, got ${describe(seeds)}`, 'give a count such as 5 (seeds 0…4) or a list such as [1, 2, 3]');
    }
    list = Array.from({ length: seeds }, (_, k) => k);
  } else if (Array.isArray(seeds)) {
    if (seeds.length === 0) throw new BuildError(where, 'seeds', 'the list of seeds is empty', 'give at least one seed, e.g. [0]');
    list = [...seeds];
  } else {
    throw new BuildError(where, 'seeds', `expected a count or a list of seeds, got ${describe(seeds)}`, 'give a count such as 5 or a list such as [1, 2, 3]');
  }
  const seen = new Set<number>();
  list.forEach((s, k) => {
    if (!Number.isInteger(s) || s < 0 || s > 0x7fffffff) {
      throw new BuildError(where, `seeds[${k}]`, `a seed must be a whole number in [0, 2147483647], got ${describe(s)}`, 'use small non-negative integers such as 1, 2, 3');
    }
    if (seen.has(s)) throw new BuildError(where, `seeds[${k}]`, `seed ${s} is listed twice`, 'list each seed once');
    seen.add(s);
  });
  return list;
}

function checkRecord(x: unknown, where: string, field: string, example: string): [string, unknown][] {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) {
    throw new BuildError(where, field, `expected an object of parameters, got ${describe(x)}`, `write e.g. ${example}`);
  }
  const entries = Object.entries(x as Record<string, unknown>);
  if (entries.length === 0) throw new BuildError(where, field, 'no parameters given', `write e.g. ${example}`);
  return entries;
}

function checkCount(n: number, where: string): void {
  if (n > MAX_SWEEP_JOBS) {
    throw new BuildError(where, 'size', `the sweep has ${n} jobs, more than the limit of ${MAX_SWEEP_JOBS}`, 'use fewer values per parameter, fewer seeds, or several sweeps');
  }
}

/**
 * A grid sweep: every combination of the listed values (the first parameter varies slowest), each
 * run with every seed (seeds vary fastest).
 *
 * @example
 * const space = grid({ gE: [4, 6, 8], I: [150, 200] }, { seeds: 3 }); // 3 × 2 × 3 = 18 jobs
 */
export function grid(axes: Readonly<Record<string, readonly number[]>>, options: { seeds?: SweepSeeds } = {}): SweepSpace {
  const where = `${WHERE} grid`;
  const entries = checkRecord(axes, where, 'parameters', '{ gE: [4, 6, 8] }');
  const names: string[] = [];
  const values: number[][] = [];
  for (const [name, vals] of entries) {
    checkColumnName(name, where, 'parameters');
    if (!Array.isArray(vals) || vals.length === 0) {
      throw new BuildError(where, name, `expected a non-empty list of numbers, got ${describe(vals)}`, `write e.g. ${name}: [1, 2, 3]`);
    }
    vals.forEach((v, k) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new BuildError(where, `${name}[${k}]`, `expected a finite number, got ${describe(v)}`, 'give plain numbers; convert units in the experiment, e.g. `${p.gE} nS`');
      }
    });
    names.push(name);
    values.push([...vals]);
  }
  const seeds = seedList(options.seeds, where);
  const total = values.reduce((p, v) => p * v.length, 1) * seeds.length;
  checkCount(total, where);
  const points: SweepPoint[] = new Array(total);
  const idx = new Array<number>(names.length).fill(0);
  let job = 0;
  for (let combo = 0; combo < total / seeds.length; combo++) {
    const params: Record<string, number> = {};
    names.forEach((n, a) => (params[n] = values[a][idx[a]]));
    Object.freeze(params);
    for (const seed of seeds) {
      points[job] = { job, params, seed };
      job++;
    }
    // advance the odometer: the last parameter fastest
    for (let a = names.length - 1; a >= 0; a--) {
      if (++idx[a] < values[a].length) break;
      idx[a] = 0;
    }
  }
  return { kind: 'grid', names, points };
}

function checkDistribution(name: string, d: unknown, where: string): SweepDistribution {
  const fix = `write e.g. ${name}: { dist: 'uniform', low: 1, high: 2 } (dist: uniform, logUniform, integer or choice)`;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new BuildError(where, name, `expected a distribution, got ${describe(d)}`, fix);
  const o = d as Record<string, unknown>;
  const finite = (field: string) => {
    const v = o[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new BuildError(where, `${name}.${field}`, `expected a finite number, got ${describe(v)}`, fix);
    return v;
  };
  switch (o.dist) {
    case 'uniform':
    case 'logUniform':
    case 'integer': {
      const low = finite('low');
      const high = finite('high');
      if (!(high > low) && !(o.dist === 'integer' && high === low)) {
        throw new BuildError(where, `${name}.high`, `must be greater than low (${low}), got ${high}`, 'give low < high');
      }
      if (o.dist === 'logUniform' && !(low > 0)) throw new BuildError(where, `${name}.low`, `a log-uniform range must be positive, got ${low}`, 'give 0 < low < high');
      if (o.dist === 'integer' && (!Number.isInteger(low) || !Number.isInteger(high))) {
        throw new BuildError(where, name, `an integer range needs whole-number bounds, got [${low}, ${high}]`, 'give whole numbers, e.g. low: 1, high: 10');
      }
      return { dist: o.dist, low, high };
    }
    case 'choice': {
      const v = o.values;
      if (!Array.isArray(v) || v.length === 0) throw new BuildError(where, `${name}.values`, `expected a non-empty list of numbers, got ${describe(v)}`, 'write e.g. values: [1, 2, 4]');
      v.forEach((x, k) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new BuildError(where, `${name}.values[${k}]`, `expected a finite number, got ${describe(x)}`, 'give plain numbers');
      });
      return { dist: 'choice', values: [...v] };
    }
    default:
      throw new BuildError(where, `${name}.dist`, `unknown distribution ${describe(o.dist)}`, fix);
  }
}

function draw(d: SweepDistribution, rng: Rng): number {
  switch (d.dist) {
    case 'uniform':
      return d.low + (d.high - d.low) * rng.uniform();
    case 'logUniform':
      return Math.exp(Math.log(d.low) + (Math.log(d.high) - Math.log(d.low)) * rng.uniform());
    case 'integer':
      return d.low + rng.int(d.high - d.low + 1);
    case 'choice':
      return d.values[rng.int(d.values.length)];
  }
}

/**
 * A random sweep: `samples` parameter sets drawn from a seeded generator (the same `seed` gives
 * the same samples everywhere), each run with every network seed (seeds vary fastest).
 *
 * @example
 * const space = randomSearch({ gE: { dist: 'uniform', low: 2, high: 10 }, tau: { dist: 'logUniform', low: 1, high: 100 } }, { samples: 50, seed: 7, seeds: [1, 2] });
 */
export function randomSearch(
  distributions: Readonly<Record<string, SweepDistribution>>,
  options: { samples: number; seed?: number; seeds?: SweepSeeds },
): SweepSpace {
  const where = `${WHERE} randomSearch`;
  const entries = checkRecord(distributions, where, 'parameters', "{ gE: { dist: 'uniform', low: 2, high: 10 } }");
  const names: string[] = [];
  const dists: SweepDistribution[] = [];
  for (const [name, d] of entries) {
    checkColumnName(name, where, 'parameters');
    names.push(name);
    dists.push(checkDistribution(name, d, where));
  }
  const opts = (options ?? {}) as { samples?: unknown; seed?: unknown; seeds?: SweepSeeds };
  const samples = opts.samples;
  if (typeof samples !== 'number' || !Number.isInteger(samples) || samples < 1) {
    throw new BuildError(where, 'samples', `expected a whole number ≥ 1, got ${describe(samples)}`, 'give the number of parameter sets to draw, e.g. samples: 100');
  }
  const sampleSeed = opts.seed ?? 0;
  if (typeof sampleSeed !== 'number' || !Number.isInteger(sampleSeed) || sampleSeed < 0 || sampleSeed > 0xffffffff) {
    throw new BuildError(where, 'seed', `the sampling seed must be a whole number in [0, 2³²), got ${describe(sampleSeed)}`, 'give e.g. seed: 1');
  }
  const seeds = seedList(opts.seeds, where);
  checkCount(samples * seeds.length, where);
  // One stream per parameter: adding a parameter does not change the draws of the others.
  const rngs = dists.map((_, a) => new Rng(sampleSeed, a));
  const points: SweepPoint[] = [];
  for (let s = 0; s < samples; s++) {
    const params: Record<string, number> = {};
    names.forEach((n, a) => (params[n] = draw(dists[a], rngs[a])));
    Object.freeze(params);
    for (const seed of seeds) points.push({ job: points.length, params, seed });
  }
  return { kind: 'random', names, points };
}
