/**
 * Bounds on what a network may be asked to do: its options (time step, seed, storage type,
 * backend, threads, memory limit, stall timeout) and the length of a run. Every value is checked
 * where it enters, so that a run always terminates and never computes with a non-finite time.
 */
import { BuildError } from '../lang/errors.js';
import { quantityIn, SECOND, type QuantityLike } from '../equations/quantity.js';
import { describe, knownNames, plainEntries } from '../equations/validate.js';

/**
 * The largest step index a network reaches. Step indices are 32-bit integers in the step engine and
 * in the last-spike arrays (which start at −2³⁰), so `n − lastspike` must stay below 2³¹.
 * 2³⁰ steps are 29.8 hours of biological time at dt = 0.1 ms.
 */
export const MAX_STEP = 2 ** 30;
/** The longest time step accepted (s): a time step of a minute or more is a typo, not a model. */
export const MAX_DT = 60;

/** Every option a {@link Network} accepts, for the nearest-name hint. */
export const NETWORK_OPTION_KEYS: readonly string[] = [
  'dt',
  'seed',
  'dtype',
  'checkDivergence',
  'backend',
  'threads',
  'engine',
  'batch',
  'trainBackend',
  'name',
  'memoryLimit',
  'stallTimeout',
  'injectFault',
  'memoryOffset',
  'rank',
];

const DTYPES = ['float32', 'float64'];
const BACKENDS = ['auto', 'wasm', 'js'];
const FAULT_KINDS = ['throw', 'exit', 'hang', 'trap'];

/** A fault injected into a worker thread of the step engine (tests of fault handling only). */
export interface InjectedFault {
  /** The worker thread (1 … threads − 1) that fails. */
  readonly thread: number;
  /** It fails when it is about to simulate this step. */
  readonly step: number;
  /**
   * 'throw': an exception in the worker's run; 'trap': a WebAssembly trap (unreachable) in the
   * worker; 'exit': the thread ends (process.exit in the worker); 'hang': the thread stops
   * answering (an endless wait), which only the stall timeout detects.
   */
  readonly kind: 'throw' | 'exit' | 'hang' | 'trap';
}

/** The checked, resolved options of a network. */
export interface CheckedNetworkOptions {
  readonly dt: number;
  readonly seed: number;
  readonly double: boolean;
  /** Bytes the build may allocate; undefined: the machine's free memory. */
  readonly memoryLimit: number | undefined;
  /** Seconds without progress of the step engine's threads before the run stops (default 60). */
  readonly stallTimeout: number;
  readonly injectFault: InjectedFault | undefined;
  /** Test only: bytes the step engine leaves unused at the start of its memory (0 normally). */
  readonly memoryOffset: number;
  /** This process's part of a network split over processes (src/distributed/), or undefined. */
  readonly rank: RankOption | undefined;
}

/** A network split over `count` processes: this one runs part `index` (owner-computes, as threads). */
export interface RankOption {
  readonly index: number;
  readonly count: number;
}

/** A name from a fixed list, or a BuildError naming the nearest. */
function oneOf(value: unknown, allowed: readonly string[], where: string, field: string): string {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new BuildError(where, field, `unknown ${field} ${describe(value)}`, typeof value === 'string' ? knownNames(value, allowed, 'choose one of') : `choose one of: ${allowed.join(', ')}`);
  }
  return value;
}

/**
 * Reads a memory size: a number of bytes, or text such as '2 GB', '512 MiB'.
 *
 * @example
 * parseBytes('2 GB', 'network', 'memoryLimit') // 2e9
 */
export function parseBytes(value: unknown, where: string, field: string): number {
  const fix = "give bytes as a number, or text such as '2 GB' or '512 MiB'";
  if (typeof value === 'number') {
    if (!(Number.isFinite(value) && value > 0)) throw new BuildError(where, field, `must be a positive finite number of bytes, got ${describe(value)}`, fix);
    return value;
  }
  if (typeof value !== 'string') throw new BuildError(where, field, `must be a number of bytes or text, got ${describe(value)}`, fix);
  const m = /^\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([kKMGT]i?B|B)?\s*$/.exec(value);
  if (!m) throw new BuildError(where, field, `cannot read ${describe(value)} as a memory size`, fix);
  const units: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 1024, kiB: 1024, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };
  const unit = m[2] ?? 'B';
  const factor = Object.hasOwn(units, unit) ? units[unit] : undefined;
  if (factor === undefined) throw new BuildError(where, field, `unknown unit '${unit}'`, 'use B, kB, MB, GB, TB, KiB, MiB, GiB or TiB');
  const bytes = Number(m[1]) * factor;
  if (!(Number.isFinite(bytes) && bytes > 0)) throw new BuildError(where, field, `must be a positive finite size, got ${describe(value)}`, fix);
  return bytes;
}

/**
 * Checks a network's options: unknown keys (with the nearest valid one), the time step (finite,
 * positive, at most {@link MAX_DT}), the seed (an integer in [0, 2³²)), dtype, backend, threads,
 * the memory limit and the stall timeout.
 *
 * @example
 * checkNetworkOptions({ dt: '0.1 ms', seed: 3 }, 'net') // { dt: 1e-4, seed: 3, double: false, ... }
 */
export function checkNetworkOptions(options: unknown, name: string): CheckedNetworkOptions {
  const where = `network '${name}'`;
  const given = new Map(plainEntries(options ?? {}, where, 'options'));
  for (const key of given.keys()) {
    if (!NETWORK_OPTION_KEYS.includes(key)) throw new BuildError(where, `options.${/^[A-Za-z_]\w*$/.test(key) ? key : JSON.stringify(key.slice(0, 40))}`, 'unknown option', knownNames(key.slice(0, 100), NETWORK_OPTION_KEYS, 'options'));
  }
  const get = (k: string) => given.get(k);
  // Time step.
  let dt: number;
  const dtGiven = get('dt') ?? '0.1 ms';
  const dtFix = `give a time step such as '0.1 ms' (positive, finite, at most ${MAX_DT} s)`;
  if (typeof dtGiven === 'number') throw new BuildError(where, 'dt', `a time step needs a unit, got the number ${describe(dtGiven)}`, dtFix);
  try {
    dt = quantityIn(dtGiven as QuantityLike, SECOND);
  } catch (err) {
    throw new BuildError(where, 'dt', (err as Error).message, dtFix);
  }
  if (!Number.isFinite(dt)) throw new BuildError(where, 'dt', `must be finite, got ${describe(dtGiven)} (= ${dt} s)`, dtFix);
  if (!(dt > 0)) throw new BuildError(where, 'dt', `must be positive, got ${describe(dtGiven)}`, dtFix);
  if (dt > MAX_DT) throw new BuildError(where, 'dt', `${describe(dtGiven)} is longer than ${MAX_DT} s`, dtFix);
  // Seed.
  const seedGiven = get('seed') ?? 0;
  if (typeof seedGiven !== 'number' || !Number.isInteger(seedGiven) || seedGiven < 0 || seedGiven >= 2 ** 32) {
    throw new BuildError(where, 'seed', `must be an integer in [0, 2^32), got ${describe(seedGiven)}`, 'give e.g. seed: 1');
  }
  const dtype = oneOf(get('dtype') ?? 'float32', DTYPES, where, 'dtype');
  oneOf(get('backend') ?? 'auto', BACKENDS, where, 'backend');
  const threads = get('threads') ?? 1;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 64) throw new BuildError(where, 'threads', `must be an integer in [1, 64], got ${describe(threads)}`, 'give threads: 1 or the number of cores');
  for (const k of ['checkDivergence', 'engine']) {
    const v = get(k);
    if (v !== undefined && typeof v !== 'boolean') throw new BuildError(where, k, `must be true or false, got ${describe(v)}`);
  }
  const batch = get('batch');
  if (batch !== undefined && (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1 || batch > 1e6)) throw new BuildError(where, 'batch', `must be an integer in [1, 10^6], got ${describe(batch)}`, 'give e.g. batch: 32');
  const memoryLimit = get('memoryLimit') === undefined ? undefined : parseBytes(get('memoryLimit'), where, 'memoryLimit');
  const stall = get('stallTimeout') ?? 60;
  if (typeof stall !== 'number' || !(stall > 0 && stall <= 86400)) throw new BuildError(where, 'stallTimeout', `must be a number of seconds in (0, 86400], got ${describe(stall)}`, 'give e.g. stallTimeout: 60');
  const memoryOffset = get('memoryOffset') ?? 0;
  if (typeof memoryOffset !== 'number' || !Number.isInteger(memoryOffset) || memoryOffset < 0 || memoryOffset % 16 !== 0 || memoryOffset > 2 ** 32 - 2 ** 28) throw new BuildError(where, 'memoryOffset', `must be a multiple of 16 in [0, 2^32 − 2^28], got ${describe(memoryOffset)}`, 'leave it out (it is for tests of memory above 2 GiB)');
  return { dt, seed: seedGiven, double: dtype === 'float64', memoryLimit, stallTimeout: stall, injectFault: checkFault(get('injectFault'), where, threads), memoryOffset, rank: checkRank(get('rank'), where, threads) };
}

/** `rank: { index, count }`: integers with 0 ≤ index < count ≤ 64, and one thread per rank. */
function checkRank(value: unknown, where: string, threads: unknown): RankOption | undefined {
  if (value === undefined) return undefined;
  const fix = 'give rank: { index: 0, count: 2 } (index from 0 to count − 1)';
  const entries = new Map(plainEntries(value, where, 'rank'));
  for (const key of entries.keys()) if (key !== 'index' && key !== 'count') throw new BuildError(where, `rank.${/^[A-Za-z_]\w*$/.test(key) ? key : '?'}`, 'unknown key', fix);
  const count = entries.get('count');
  const index = entries.get('index');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 64) throw new BuildError(where, 'rank.count', `must be an integer in [1, 64], got ${describe(count)}`, fix);
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) throw new BuildError(where, 'rank.index', `must be an integer in [0, ${count - 1}], got ${describe(index)}`, fix);
  if (threads !== 1) throw new BuildError(where, 'threads', `a rank of a split network runs on one thread, got threads: ${describe(threads)}`, 'give threads: 1 with rank');
  return { index, count };
}

function checkFault(x: unknown, where: string, threads: number): InjectedFault | undefined {
  if (x === undefined) return undefined;
  const e = new Map(plainEntries(x, where, 'injectFault'));
  const thread = e.get('thread');
  const step = e.get('step');
  if (typeof thread !== 'number' || !Number.isInteger(thread) || thread < 1 || thread >= threads) throw new BuildError(where, 'injectFault.thread', `must be a worker thread in [1, ${threads - 1}], got ${describe(thread)}`);
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step >= MAX_STEP) throw new BuildError(where, 'injectFault.step', `must be a step index, got ${describe(step)}`);
  const kind = oneOf(e.get('kind'), FAULT_KINDS, where, 'injectFault.kind') as InjectedFault['kind'];
  return { thread, step, kind };
}

/**
 * The number of steps of a run of `duration` from step `first`: a finite, non-negative time that
 * keeps the step index below {@link MAX_STEP}.
 *
 * @example
 * runSteps('100 ms', 1e-4, 0, 'net') // 1000
 */
export function runSteps(duration: unknown, dt: number, first: number, name: string): number {
  const where = `network '${name}'`;
  const fix = "give a time such as '1 s' or '500 ms'";
  let dur: number;
  if (typeof duration === 'number') throw new BuildError(where, 'duration', `a duration needs a unit, got the number ${describe(duration)}`, fix);
  try {
    dur = quantityIn(duration as QuantityLike, SECOND);
  } catch (err) {
    throw new BuildError(where, 'duration', (err as Error).message, fix);
  }
  if (!Number.isFinite(dur)) throw new BuildError(where, 'duration', `must be finite, got ${describe(duration)}`, fix);
  if (!(dur >= 0)) throw new BuildError(where, 'duration', `must be ≥ 0, got ${describe(duration)}`, fix);
  const steps = Math.round(dur / dt);
  if (first + steps > MAX_STEP) {
    const left = Math.max(0, MAX_STEP - first);
    throw new BuildError(where, 'duration', `${describe(duration)} is ${steps} steps of ${dt} s; a network runs at most ${MAX_STEP} steps in all (${first} done)`, `run at most ${left} more steps (${(left * dt).toPrecision(4)} s), or use a longer dt`);
  }
  return steps;
}
