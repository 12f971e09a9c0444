/**
 * Experiments: what one job of a sweep does. An experiment builds a network from parameter values
 * and a seed, runs it for a duration, and measures named numbers (metrics) from the run. It is
 * ordinary code the user writes and registers by name; a job that crosses a process or machine
 * boundary carries only that name, the parameter values and the seed — never code.
 */
import { Network } from '../core/network.js';
import { BuildError, DivergenceError } from '../lang/errors.js';
import { quantityIn, unitDim, SECOND, type QuantityLike } from '../equations/quantity.js';
import { SpikeMonitor } from '../runner/monitors.js';
import { checkLabel, checkRecordKeys } from '../equations/validate.js';
import { checkColumnName, type SweepParams } from './space.js';

/** What a run gives the metrics. */
export interface RunContext<M> {
  /** The network the experiment built (already run). */
  readonly net: Network;
  /** What `build` returned: the network itself or an object holding it and its monitors. */
  readonly model: M;
  readonly params: SweepParams;
  readonly seed: number;
  /** Simulated time in seconds. */
  readonly duration: number;
}

/** A number measured from a run (NaN is allowed, e.g. a CV without spikes). */
export type Metric<M> = (run: RunContext<M>) => number;

/** What an experiment's `build` returns: a network, or an object with the network in `net`. */
export type ExperimentModel = Network | { readonly net: Network };

/**
 * One job of a sweep, as code: build, run, measure.
 *
 * @example
 * const coba = defineExperiment({
 *   name: 'coba',
 *   params: ['we'],
 *   build: (p, seed) => cobaNetwork({ scale: 0.25, seed, we: p.we }),
 *   duration: '200 ms',
 *   metrics: { rate: meanRateMetric(), spikes: spikeCountMetric() },
 * });
 */
export interface Experiment<M extends ExperimentModel = ExperimentModel> {
  /** The name jobs refer to (printable text, at most 200 characters). */
  readonly name: string;
  /** Builds the network of one job. Called once per job, in the process that runs the job. */
  readonly build: (params: SweepParams, seed: number) => M;
  /** Simulated time per job, e.g. '1 s'. */
  readonly duration: QuantityLike;
  /** Metrics by column name, measured after the run. */
  readonly metrics: Readonly<Record<string, Metric<M>>>;
  /** The parameter names the experiment reads; when given, a sweep over any other name is refused. */
  readonly params?: readonly string[];
  /**
   * Parameters a batched sweep (`batchedInProcess()`) may vary between the copies of one network:
   * sweep parameter → the network value `build` sets from it ('P.I') and the unit of the sweep's
   * numbers ('pA'). Jobs that differ only in these share one build and run as one batch.
   */
  readonly batch?: Readonly<Record<string, { readonly target: string; readonly unit: string }>>;
}

/** An experiment whatever its model type (what sweeps, runners and the registry take). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyExperiment = Experiment<any>;

const BRAND = Symbol.for('braints.sweep.experiment');
// One registry per process, even if two copies of this module are loaded (a package and a checkout).
const REGISTRY_KEY = Symbol.for('braints.sweep.registry');
function registry(): Map<string, AnyExperiment> {
  const g = globalThis as unknown as Record<symbol, Map<string, AnyExperiment> | undefined>;
  return (g[REGISTRY_KEY] ??= new Map());
}

/** Checks an experiment's declaration; returns it (frozen). */
export function defineExperiment<M extends ExperimentModel>(e: Experiment<M>): Experiment<M> {
  if (e === null || typeof e !== 'object') throw new BuildError('experiment', 'definition', `expected an object, got ${String(e)}`, 'pass { name, build, duration, metrics }');
  if ((e as unknown as Record<symbol, unknown>)[BRAND]) return e;
  const name = checkLabel(e.name, 'experiment', 'name');
  const where = `experiment '${name}'`;
  if (typeof e.build !== 'function') throw new BuildError(where, 'build', 'must be a function (params, seed) => Network', 'pass build: (p, seed) => myNetwork(p, seed)');
  let seconds: number;
  try {
    seconds = quantityIn(e.duration, SECOND);
  } catch (err) {
    throw new BuildError(where, 'duration', (err as Error).message, "give a time such as '1 s' or '200 ms'");
  }
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new BuildError(where, 'duration', `must be a positive time, got ${JSON.stringify(e.duration)}`, "give a time such as '1 s'");
  if (e.metrics === null || typeof e.metrics !== 'object' || Array.isArray(e.metrics)) {
    throw new BuildError(where, 'metrics', 'expected an object of metric functions', 'write e.g. metrics: { rate: meanRateMetric() }');
  }
  const names = Object.keys(e.metrics);
  if (names.length === 0) throw new BuildError(where, 'metrics', 'no metric given: a sweep would measure nothing', 'write e.g. metrics: { rate: meanRateMetric() }');
  for (const m of names) {
    checkColumnName(m, where, 'metrics');
    if (typeof e.metrics[m] !== 'function') throw new BuildError(where, `metrics.${m}`, 'must be a function of the run', 'write e.g. rate: meanRateMetric() or rate: (run) => …');
  }
  if (e.params !== undefined) {
    if (!Array.isArray(e.params)) throw new BuildError(where, 'params', 'expected a list of parameter names', "write e.g. params: ['gE', 'I']");
    for (const p of e.params) {
      checkColumnName(p, where, 'params');
      if (names.includes(p)) throw new BuildError(where, 'params', `'${p}' is also a metric`, 'give parameters and metrics different names');
    }
  }
  let batch: Experiment<M>['batch'];
  if (e.batch !== undefined) {
    const given = checkRecordKeys<unknown>(e.batch, where, 'batch');
    const out: Record<string, { target: string; unit: string }> = {};
    for (const [p, v] of Object.entries(given)) {
      checkColumnName(p, where, 'batch');
      if (e.params && !e.params.includes(p)) throw new BuildError(where, `batch.${p}`, `'${p}' is not one of the experiment's params`, `batch over its parameters: ${e.params.map((x) => `'${x}'`).join(', ')}`);
      const t = v as { target?: unknown; unit?: unknown };
      if (!t || typeof t !== 'object' || typeof t.target !== 'string' || typeof t.unit !== 'string') throw new BuildError(where, `batch.${p}`, "expected { target: 'group.name', unit }", "write e.g. batch: { I: { target: 'P.I', unit: 'pA' } }");
      try {
        unitDim(t.unit);
      } catch (err) {
        throw new BuildError(where, `batch.${p}.unit`, (err as Error).message, "give a unit such as 'pA' or 'mV'");
      }
      out[p] = Object.freeze({ target: t.target, unit: t.unit });
    }
    batch = Object.freeze(out);
  }
  const out = Object.freeze({ ...e, name, metrics: Object.freeze({ ...e.metrics }), params: e.params ? Object.freeze([...e.params]) : undefined, batch, [BRAND]: true });
  return out as Experiment<M>;
}

/**
 * Defines an experiment and registers it under its name, so that a job naming it can run in this
 * process: a module of experiments calls this at import, and pool children and queue workers import
 * that module. Registering another experiment under a taken name is refused.
 *
 * @example
 * // experiments.ts
 * export const coba = registerExperiment({ name: 'coba', build: (p, seed) => …, duration: '1 s', metrics: { rate: meanRateMetric() } });
 */
export function registerExperiment<M extends ExperimentModel>(e: Experiment<M>): Experiment<M> {
  const def = defineExperiment(e);
  const reg = registry();
  const old = reg.get(def.name);
  if (old && old !== (def as AnyExperiment)) {
    if (old.build === def.build) return old as unknown as Experiment<M>; // the same module imported twice
    throw new BuildError(`experiment '${def.name}'`, 'name', 'another experiment is already registered under this name', 'give each experiment its own name');
  }
  reg.set(def.name, def as AnyExperiment);
  return def;
}

/** The experiment registered under `name` in this process. */
export function getExperiment(name: unknown): AnyExperiment {
  const reg = registry();
  if (typeof name === 'string' && reg.has(name)) return reg.get(name)!;
  const known = [...reg.keys()];
  const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : `a ${typeof name}`;
  throw new BuildError(
    'sweep',
    'experiment',
    `no experiment named ${shown} is registered in this process${known.length ? ` (registered: ${known.slice(0, 20).map((k) => `'${k}'`).join(', ')})` : ''}`,
    'import the module that calls registerExperiment (a pool: modules option; a worker: --module)',
  );
}

/** Names of the experiments registered in this process. */
export function registeredExperiments(): string[] {
  return [...registry().keys()];
}

/** Refuses parameter names the experiment does not declare (when it declares them). */
export function checkSweepParams(e: AnyExperiment, names: readonly string[]): void {
  if (!e.params) return;
  for (const n of names) {
    if (!e.params.includes(n)) {
      throw new BuildError(`experiment '${e.name}'`, 'params', `the sweep sets '${n}', which the experiment does not read`, `sweep over its parameters: ${e.params.map((p) => `'${p}'`).join(', ')}`);
    }
  }
  for (const n of Object.keys(e.metrics)) {
    if (names.includes(n)) throw new BuildError(`experiment '${e.name}'`, 'params', `'${n}' is both a parameter and a metric`, 'rename the parameter or the metric');
  }
}

/** The outcome of one job: metric values, or why it failed. */
export type JobOutcome = { readonly ok: true; readonly metrics: Readonly<Record<string, number>> } | { readonly ok: false; readonly error: string; readonly deterministic: boolean };

/** The network of what an experiment's `build` returned. */
export function netOf(model: ExperimentModel, where: string): Network {
  if (model instanceof Network) return model;
  if (model && typeof model === 'object' && (model as { net?: unknown }).net instanceof Network) return (model as { net: Network }).net;
  throw new BuildError(where, 'build', 'returned neither a Network nor an object with the network in `net`', 'return the network, or { net, ...monitors }');
}

/**
 * Runs one job in this process: build, run, measure, release the network's threads. Errors of the
 * model (refused declarations, divergence) are reported as deterministic failures: rerunning the
 * same job would fail the same way.
 */
export function runJob(e: AnyExperiment, params: SweepParams, seed: number): JobOutcome {
  const where = `experiment '${e.name}'`;
  let net: Network | undefined;
  try {
    const model = e.build(params, seed);
    net = netOf(model, where);
    const res = net.run(e.duration);
    return { ok: true, metrics: measure(e, { net, model, params, seed, duration: res.t }) };
  } catch (err) {
    return failure(err);
  } finally {
    net?.close();
  }
}

/** The experiment's metrics of one run. */
export function measure(e: AnyExperiment, ctx: RunContext<ExperimentModel>): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [name, f] of Object.entries(e.metrics)) {
    const v = (f as Metric<ExperimentModel>)(ctx);
    if (typeof v !== 'number') throw new BuildError(`experiment '${e.name}'`, `metrics.${name}`, `returned ${v === null ? 'null' : typeof v}, not a number`, 'return a number (NaN when undefined)');
    metrics[name] = v;
  }
  return metrics;
}

/** A job's failure: errors of the model (refused declarations, divergence) would recur on a rerun. */
export function failure(err: unknown): JobOutcome {
  const deterministic = err instanceof BuildError || err instanceof DivergenceError;
  return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), deterministic };
}

/** Every spike monitor in a network's tree. */
export function spikeMonitorsOf(net: Network): SpikeMonitor[] {
  const out: SpikeMonitor[] = [];
  const seen = new Set<unknown>();
  const visit = (n: unknown) => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n instanceof Network) n.children.forEach(visit);
    else if (n instanceof SpikeMonitor) out.push(n);
  };
  visit(net);
  return out;
}

function monitorsFor<M>(run: RunContext<M>, pick: ((model: M) => SpikeMonitor) | undefined, metric: string): SpikeMonitor[] {
  if (pick) {
    const m = pick(run.model);
    if (!(m instanceof SpikeMonitor)) throw new BuildError('sweep', metric, 'the selector did not return a SpikeMonitor', 'return one of the model\'s spike monitors, e.g. (m) => m.spikes');
    return [m];
  }
  const all = spikeMonitorsOf(run.net);
  if (all.length === 0) throw new BuildError('sweep', metric, 'the network has no SpikeMonitor', 'add one: net.add(new SpikeMonitor(P))');
  return all;
}

/**
 * Metric: the mean firing rate (Hz) over the neurons of the spike monitors of the network (or of
 * the one `pick` selects from what `build` returned).
 *
 * @example
 * metrics: { rate: meanRateMetric(), rateE: meanRateMetric((m) => m.spikesE) }
 */
export function meanRateMetric<M>(pick?: (model: M) => SpikeMonitor): Metric<M> {
  return (run) => {
    let spikes = 0;
    let neurons = 0;
    for (const m of monitorsFor(run, pick, 'meanRate')) {
      spikes += m.numSpikes;
      neurons += m.source.stop - m.source.start;
    }
    return neurons > 0 && run.duration > 0 ? spikes / neurons / run.duration : NaN;
  };
}

/**
 * Metric: the number of spikes recorded by the spike monitors of the network (or by the one `pick`
 * selects).
 *
 * @example
 * metrics: { spikes: spikeCountMetric() }
 */
export function spikeCountMetric<M>(pick?: (model: M) => SpikeMonitor): Metric<M> {
  return (run) => monitorsFor(run, pick, 'spikeCount').reduce((s, m) => s + m.numSpikes, 0);
}
