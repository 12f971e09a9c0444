/**
 * `net.batch()` / `net.runBatch()`: the same network as B copies at once, as BrainPy vmaps a model
 * over its parameters. The copies share the connectivity; each has its own state, its own values of
 * the parameters the batch varies, and its own seed. They run on the step engine's batched lowering
 * (src/engine/batch.ts), the threads splitting the copies, and every spike monitor gives each copy's
 * spikes.
 *
 * What a batch varies is resolved here, by name against the group's model, and enters the engine as
 * the values of the copy's arrays: an input ('P.I'), a parameter the group holds per neuron
 * ('P.tau' when declared per neuron), or a state variable's starting value ('P.v'). A scalar
 * parameter is a constant of the compiled update, so it cannot differ between copies.
 */
import { BatchEngine } from '../engine/batch.js';
import { replaySpikes } from './replay.js';
import type { EngineGroupSpec, EnginePoissonInputSpec, EngineProjectionSpec, StepEngine } from '../engine/engine.js';
import { BuildError } from '../lang/errors.js';
import { parseQuantity, type QuantityLike } from '../equations/quantity.js';
import { checkRecordKeys, describe, knownNames } from '../equations/validate.js';
import { dimEq, formatDim } from '../math/units.js';
import { SpikeMonitor, type Monitor, type SpikeTrains } from '../runner/monitors.js';
import { runSteps } from '../runtime/limits.js';
import { WASM_MAX_BYTES } from '../runtime/memory.js';
import type { GroupRuntime, NeuronGroup, StateArray } from '../model/group.js';

/** Options of {@link Network.batch}: how many copies, and what differs between them. */
export interface BatchOptions {
  /** Number of copies (1 to 4096). */
  readonly copies: number;
  /**
   * Per-copy values, one per copy, by 'group.name': an input ('P.I': ['10 pA', '20 pA', …]), a
   * per-neuron parameter, or a state variable's starting value. Each value is given to every neuron
   * of the group in that copy.
   */
  readonly params?: Readonly<Record<string, readonly QuantityLike[]>>;
  /**
   * Per-copy seeds of the random numbers drawn during the run (noise, rand(), PoissonGroup,
   * PoissonInput), one per copy; default: the network's seed. Connectivity, weights, delays and
   * the starting state are the network's in every copy.
   */
  readonly seeds?: readonly number[];
}

/** What a batch needs of the built network (kept by the network when it runs on the step engine). */
export interface BatchSource {
  readonly groups: readonly EngineGroupSpec[];
  readonly projections: readonly EngineProjectionSpec[];
  readonly poissonInputs: readonly EnginePoissonInputSpec[];
  readonly double: boolean;
  /** Per group: the runtime's array key → the engine's symbol. */
  readonly symbols: readonly ReadonlyMap<string, string>[];
}

/** The network's side of a batch: its built parts and settings. */
export interface BatchNetwork {
  readonly name: string;
  readonly dt: number;
  readonly step: number;
  readonly seed: number;
  readonly threads: number;
  readonly checkDivergence: boolean;
  readonly groups: readonly NeuronGroup[];
  readonly monitors: readonly Monitor[];
  readonly source: BatchSource | undefined;
  /** Why the network does not run on the step engine, when it does not. */
  readonly loopReason: string | undefined;
}

/**
 * The specs a batch needs, with the arrays replaced by views on the network's engine (its current
 * state, and its one copy of the connectivity when it holds one), so that keeping them costs nothing.
 */
export function batchSource(engine: StepEngine, groups: readonly EngineGroupSpec[], projections: readonly EngineProjectionSpec[], poissonInputs: readonly EnginePoissonInputSpec[], double: boolean, symbols: readonly ReadonlyMap<string, string>[]): BatchSource {
  return {
    groups: groups.map((g, gi) => {
      const v = engine.views(gi);
      return { ...g, arrays: v.arrays, lastSpike: v.lastSpike };
    }),
    projections: projections.map((p, k) => {
      const v = p.plastic ? null : engine.projectionViews(k);
      return v ? { ...p, indptr: v.indptr, indices: v.indices, weights: v.weights } : p;
    }),
    poissonInputs,
    double,
    symbols,
  };
}

const MAX_COPIES = 4096;

/**
 * B copies of a built network, run together. Create with {@link Network.batch}; `run` advances every
 * copy; spike monitors of the network give each copy's spikes through {@link NetworkBatch.spikes}.
 *
 * @example
 * const batch = net.batch({ copies: 3, params: { 'P.I': ['10 pA', '20 pA', '30 pA'] } });
 * batch.run('100 ms');
 * const second = batch.spikes(spikes, 1); // copy 1's { times, indices }
 * batch.close();
 */
export class NetworkBatch {
  readonly copies: number;
  private readonly net: BatchNetwork;
  private readonly engine: BatchEngine;
  /** Per copy: the step it has reached. */
  private readonly steps: number[];
  /** Per copy: one spike monitor per spike monitor of the network (same order as `watched`). */
  private readonly records: SpikeMonitor[][];
  private readonly watched: SpikeMonitor[];
  private readonly divergences: ({ group: string; step: number } | undefined)[];

  constructor(net: BatchNetwork, options: BatchOptions) {
    const where = `network '${net.name}' batch`;
    const o = checkRecordKeys<unknown>(options, where, 'options', ['copies', 'params', 'seeds']);
    const B = o.copies;
    if (typeof B !== 'number' || !Number.isInteger(B) || B < 1 || B > MAX_COPIES) throw new BuildError(where, 'copies', `must be an integer in [1, ${MAX_COPIES}], got ${describe(B)}`, 'give the number of copies, e.g. copies: 8');
    const src = net.source;
    if (!src) throw new BuildError(where, 'network', `batched runs need the step engine, but ${net.loopReason ?? 'the network does not run on it'}`, 'change that part of the network, or run the copies as separate networks');
    if (net.step !== 0) throw new BuildError(where, 'network', `the network has already run ${net.step} steps; a batch starts from the state of a network that has not run (spikes in flight are not copied)`, 'create the batch before net.run, or build a new network');
    for (const p of src.projections) {
      if (p.plastic) throw new BuildError(where, `projection '${p.name}'`, 'has long-term plasticity, which batched runs do not support (each copy would learn its own weights)', 'remove the plasticity, or run the copies as separate networks');
      if (p.release) throw new BuildError(where, `projection '${p.name}'`, 'has short-term plasticity, which batched runs do not support yet', 'remove the STP, or run the copies as separate networks');
      if (p.continuous) throw new BuildError(where, `projection '${p.name}'`, 'is continuous coupling (rate coupling, gap junctions or pre-aligned kinetics), which batched runs do not support yet', 'couple through spikes, or run the copies as separate networks');
    }
    const watched: SpikeMonitor[] = [];
    for (const m of net.monitors) {
      if (!(m instanceof SpikeMonitor)) throw new BuildError(where, `monitor '${m.name}'`, `is a ${m.constructor.name}; batched runs record spike monitors only`, 'remove it (record spikes with a SpikeMonitor), or run the copies as separate networks');
      watched.push(m);
    }

    // Per-copy values: resolved by name, checked, converted to SI.
    const values = this.resolveParams(net, src, o.params, B, where);
    let seeds: (number | undefined)[] = new Array<number | undefined>(B).fill(undefined);
    if (o.seeds !== undefined) {
      if (!Array.isArray(o.seeds)) throw new BuildError(where, 'seeds', `must be an array of ${B} seeds, got ${describe(o.seeds)}`, 'give one integer seed per copy');
      if (o.seeds.length !== B) throw new BuildError(where, 'seeds', `has ${o.seeds.length} values for ${B} copies`, `give exactly ${B} seeds, one per copy`);
      seeds = o.seeds.map((s: unknown, c: number) => {
        if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new BuildError(where, `seeds[${c}]`, `must be an integer in [0, 2^32), got ${describe(s)}`, 'give an integer seed such as 42');
        return s === net.seed ? undefined : s;
      });
    }
    const bytes = BatchEngine.memoryNeeded(src.groups, src.projections, B, src.double);
    if (bytes > WASM_MAX_BYTES) throw new BuildError(where, 'copies', `${B} copies would need about ${(bytes / 2 ** 30).toFixed(1)} GiB in one WebAssembly memory, which holds at most 4 GiB`, 'run fewer copies per batch');

    this.engine = new BatchEngine(src.groups, src.projections, { copies: seeds.map((seed) => ({ seed })), poissonInputs: src.poissonInputs, threads: net.threads, double: src.double, checkDivergence: net.checkDivergence });
    // every copy starts from the network's current state (the engine copied it), then its own values
    for (let c = 0; c < B; c++) {
      for (const v of values) {
        const a = this.engine.views(c, v.group).arrays.get(v.symbol)!;
        a.fill(v.values[c]);
      }
    }
    this.net = net;
    this.copies = B;
    this.steps = new Array<number>(B).fill(net.step);
    this.watched = watched;
    this.records = Array.from({ length: B }, () => watched.map((m) => new SpikeMonitor(m.source)));
    this.divergences = new Array(B).fill(undefined);
  }

  private resolveParams(net: BatchNetwork, src: BatchSource, params: unknown, B: number, where: string): { group: number; symbol: string; values: Float64Array }[] {
    if (params === undefined) return [];
    const given = paramEntries(params, where);
    const out: { group: number; symbol: string; values: Float64Array }[] = [];
    const groupNames = net.groups.map((g) => g.name);
    for (const [name, list] of given) {
      const field = `params['${name}']`;
      const dot = name.lastIndexOf('.');
      const gname = dot > 0 ? name.slice(0, dot) : '';
      const vname = dot > 0 ? name.slice(dot + 1) : '';
      const gi = groupNames.indexOf(gname);
      if (gi < 0) throw new BuildError(where, field, dot > 0 ? `no group named '${gname}'` : "a batch parameter is named 'group.name'", `write e.g. '${groupNames[0] ?? 'P'}.I'; ${knownNames(gname, groupNames, 'groups are')}`);
      const group = net.groups[gi];
      const rt = group.runtime as GroupRuntime;
      const model = group.model;
      const inputs = model.inputNames();
      const states = model.stateNames();
      let key: string;
      if (inputs.includes(vname)) key = `ext$${vname}`;
      else if (model.params.has(vname)) {
        key = `p$${vname}`;
        if (!rt.arrays.has(key)) throw new BuildError(where, field, `'${vname}' is a scalar parameter of group '${gname}', compiled into its update as a constant, so copies cannot differ in it`, `declare it per neuron (e.g. params: { ${vname}: uniform(x, x) } with one value x), or vary an input such as ${inputs.map((i) => `'${gname}.${i}'`).join(', ') || 'none'}`);
      } else if (states.includes(vname)) key = vname;
      else throw new BuildError(where, field, `'${vname}' is not an input, parameter or state variable of group '${gname}' (${model.name})`, knownNames(vname, [...inputs, ...model.params.keys(), ...states]));
      const symbol = src.symbols[gi].get(key);
      const dim = model.params.has(vname) && !inputs.includes(vname) ? model.params.get(vname)!.dim : rt.dims.get(key);
      if (symbol === undefined || dim === undefined || !src.groups[gi].arrays.has(symbol)) throw new BuildError(where, field, `group '${gname}' keeps no array for '${vname}' on the step engine`, 'vary an input, a per-neuron parameter or a state variable');
      if (!Array.isArray(list)) throw new BuildError(where, field, `must be an array of ${B} values, one per copy, got ${describe(list)}`, `e.g. '${name}': [${'x, '.repeat(Math.min(B, 3) - 1)}x] with units`);
      if (list.length !== B) throw new BuildError(where, field, `has ${list.length} values for ${B} copies`, `give exactly ${B} values, one per copy`);
      const values = new Float64Array(B);
      list.forEach((v: unknown, c: number) => {
        let q;
        try {
          q = parseQuantity(v as QuantityLike);
        } catch (err) {
          throw new BuildError(where, `${field}[${c}]`, `cannot read ${describe(v)}: ${(err as Error).message}`, `write a quantity in ${formatDim(dim)}, e.g. '20 pA'`);
        }
        if (!Number.isFinite(q.value)) throw new BuildError(where, `${field}[${c}]`, `must be finite, got ${describe(v)}`, 'give a finite value');
        if (!dimEq(q.dim, dim)) throw new BuildError(where, `${field}[${c}]`, `expected dimension ${formatDim(dim)}, got ${describe(v)} (dimension ${formatDim(q.dim)})`, 'write it with its unit');
        values[c] = q.value;
      });
      out.push({ group: gi, symbol, values });
    }
    return out;
  }

  /**
   * Runs every copy for `duration` (copies that stopped on a non-finite value stay where they
   * stopped; see {@link NetworkBatch.diverged}). Returns the steps run and the wall-clock seconds.
   *
   * @example
   * const { seconds } = batch.run('1 s');
   */
  run(duration: QuantityLike): { steps: number; seconds: number } {
    const start = Math.max(...this.steps);
    const steps = runSteps(duration, this.net.dt, start, this.net.name);
    const end = start + steps;
    for (const per of this.records) for (const m of per) m.reserve(start, steps, this.net.dt);
    const t0 = performance.now();
    const live = () => this.steps.some((n, c) => n < end && this.divergences[c] === undefined);
    while (live()) {
      const from = this.steps.map((n, c) => (this.divergences[c] === undefined ? n : end));
      // each copy's spikes are replayed as soon as it finishes, while the other threads still run
      this.engine.run(from, end, (c, reached) => {
        if (from[c] >= end) return;
        this.replay(c, from[c], reached);
        this.steps[c] = reached;
        const div = this.engine.takeDivergence(c);
        if (div && this.hasNonFinite(c)) this.divergences[c] = { group: this.net.groups[div.group].name, step: div.step };
      });
    }
    return { steps, seconds: (performance.now() - t0) / 1000 };
  }

  /** Copy c's recorded spikes: each spike monitor's `record` reads them from a stand-in runtime. */
  private replay(c: number, n0: number, n1: number): void {
    this.net.groups.forEach((g, gi) => {
      const mons = this.watched.flatMap((m, k) => (m.source.group === g ? [this.records[c][k]] : []));
      replaySpikes(g, mons, (each) => this.engine.drainSpikes(c, gi, n0, n1, each));
    });
  }

  private hasNonFinite(c: number): boolean {
    return this.net.groups.some((_, gi) => [...this.engine.views(c, gi).arrays.values()].some((a) => a.some((x) => !Number.isFinite(x))));
  }

  private copyIndex(c: number): number {
    if (!Number.isInteger(c) || c < 0 || c >= this.copies) throw new RangeError(`batch of ${this.copies} copies: no copy ${String(c)} (copies are 0 to ${this.copies - 1})`);
    return c;
  }

  /**
   * The spike monitor holding copy c's spikes of `monitor` (one of the network's spike monitors).
   *
   * @example
   * batch.monitor(spikes, 2).numSpikes
   */
  monitor(monitor: SpikeMonitor, c: number): SpikeMonitor {
    const k = this.watched.indexOf(monitor);
    if (k < 0) throw new RangeError(`monitor '${monitor?.name}' is not a spike monitor of network '${this.net.name}'`);
    return this.records[this.copyIndex(c)][k];
  }

  /** Copy c's spikes of `monitor` ({ times, indices }, as `monitor.spikes()` gives a single run's). @example batch.spikes(spikes, 0).times */
  spikes(monitor: SpikeMonitor, c: number): SpikeTrains {
    return this.monitor(monitor, c).spikes();
  }

  /**
   * A copy of copy c's array `name` of `group` (a state variable such as 'v', 'ext$I' or 'p$tau',
   * as `group.get` names them), in SI units.
   *
   * @example
   * const v = batch.get(P, 'v', 3);
   */
  get(group: NeuronGroup, name: string, c: number): StateArray {
    const gi = this.net.groups.indexOf(group);
    if (gi < 0) throw new RangeError(`group '${group?.name}' is not part of network '${this.net.name}'`);
    const symbol = this.net.source!.symbols[gi].get(name);
    const a = symbol === undefined ? undefined : this.engine.views(this.copyIndex(c), gi).arrays.get(symbol);
    if (!a) throw new RangeError(`group '${group.name}' has no array '${name}' on the step engine (it has: ${[...this.net.source!.symbols[gi].keys()].join(', ')})`);
    return a.slice();
  }

  /** Where copy c stopped on a non-finite value (group name and step), or undefined. @example batch.diverged(0) */
  diverged(c: number): { readonly group: string; readonly step: number } | undefined {
    return this.divergences[this.copyIndex(c)];
  }

  /** The step copy c has reached. @example batch.stepOf(0) */
  stepOf(c: number): number {
    return this.steps[this.copyIndex(c)];
  }

  /** Stops the batch's worker threads (results stay readable). @example batch.close() */
  close(): void {
    this.engine.close();
  }
}

/** The params record as [name, per-copy values] pairs, each name checked to be 'group.name'. */
function paramEntries(params: unknown, where: string): [string, unknown][] {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new BuildError(where, 'params', `must be an object of per-copy value lists, got ${describe(params)}`, "write e.g. params: { 'P.I': ['10 pA', '20 pA'] }");
  const out: [string, unknown][] = [];
  for (const key of Object.keys(params)) {
    if (key.length > 200 || !/^.+\.[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new BuildError(where, `params['${key.slice(0, 60)}']`, "a batch parameter is named 'group.name'", "write e.g. 'P.I'");
    out.push([key, (params as Record<string, unknown>)[key]]);
  }
  return out;
}
