/**
 * Networks: the tree of dynamical systems, its build (connectivity, state) and its compilation
 * into one fused step kernel.
 *
 * A network holds populations, projections, monitors and other networks; a network of areas nests
 * exactly like a network of neurons. `build()` flattens the tree, checks every model and
 * parameter, generates connectivity from the seed, allocates typed arrays, and generates one
 * kernel that advances the whole network by any number of steps:
 *
 *   for each step n:   every population: integrate, threshold, reset, store spikes
 *                      every projection: deliver the spikes of step n - delay (event-driven)
 *                      every monitor: record
 *
 * which is Brian2's default schedule (groups, thresholds, synapses, resets are all applied within
 * one step, so a spike at step n acts on the state used at step n + 1 + delay).
 */
import { replaySpikes } from './replay.js';
import { type Expr, sym, num, substitute, symbolsOf, show, isNoiseSymbol, RANDOM_FUNCTIONS } from '../equations/ast.js';
import { emitJS, jsNumber, KERNEL_HELPERS } from '../equations/codegen.js';
import { inferDim, DimensionError } from '../equations/dims.js';
import { simplify, evaluate, diff } from '../equations/symbolic.js';
import { parseExpr, parseStatements } from '../equations/parser.js';
import { parseQuantity, quantityIn, SECOND, type QuantityLike } from '../equations/quantity.js';
import { type Dim, DIMENSIONLESS, UNITS, dimEq, dimDiv, dimMul, formatDim } from '../math/units.js';
import { Rng, threefry2x32, threefryOut } from '../math/rng.js';
import { chooseMethod, generateStep, IntegratorError, noiseSymbols, type OdeVar } from '../integrators/index.js';
import { BuildError, DivergenceError } from '../lang/errors.js';
import { type GroupRuntime, NeuronGroup, type Population, type StateArray, asView } from '../model/group.js';
import { type Init, fillInit, isScalarInit, exampleUnit } from '../model/init.js';
import { type WeightInit, isRingInit, fillRingWeights } from '../model/ring_weights.js';
import { compileKernel } from '../lang/kernel.js';
import { checkModelDimensions, makeExpander, modelDimOf } from '../model/expand.js';
import { Projection, type ProjectionOptions } from '../projections/projection.js';
import { type SynapseDynamics, type SynapseOutput } from '../synapses/index.js';
import { type CSR } from '../connect/index.js';
import { type NeuronModel } from '../model/model.js';
import { type PlasticityPlan, planPlasticity, emitSynapseStatements, synapseLocals } from '../plasticity/compile.js';
import { csrTranspose } from '../connect/index.js';
import { type Monitor, SpikeMonitor, RateMonitor, isSampleMonitor, type SampleMonitor } from '../runner/monitors.js';
import { type ProgressReporter } from '../runner/progress.js';
import { PoissonInput, PoissonGroup, SpikeGeneratorGroup } from '../inputs/index.js';
import { buildUpdateKernel, WasmArena, type RandomDraw, type UpdateKernelSpec } from '../wasm/kernel.js';
import { StepEngine, type EngineGroupSpec, type EngineProjectionSpec, type EnginePoissonInputSpec, type EngineStateRecordSpec } from '../engine/engine.js';
import { enginePlasticity, type EnginePlasticitySpec } from '../engine/plasticity.js';
import { type EngineJitRows } from '../engine/jit.js';
import { type Assignment } from '../equations/parser.js';
import { IRBuilder } from '../ir/lower.js';
import { TapeRuntime, type TapeEvents, type GroupTraining } from '../backends/js/tape.js';
import { EngineTapeRuntime } from '../backends/engine/tape.js';
import { checkCheckpoint } from '../backends/forward_checks.js';
import { type Param } from '../autodiff/param.js';
import { atan } from '../autodiff/surrogate.js';
import { initialScale } from '../model/scale.js';
import { type NetworkIR } from '../ir/step.js';
import { checkNetworkOptions, runSteps, type CheckedNetworkOptions, type InjectedFault, type RankOption } from '../runtime/limits.js';
import { checkBuildMemory, checkRunMemory, formatBytes, WASM_MAX_BYTES } from '../runtime/memory.js';
import { FaultState, RunFault } from '../runtime/faults.js';
import { plainEntries, checkArray, describe } from '../equations/validate.js';
import { EngineFault } from '../engine/engine.js';
import { NetworkBatch, batchSource, type BatchOptions, type BatchSource } from './batch.js';
import { storeState, restoreState, hashBytes, hashText, type Snapshot, type StateHost, type StateRegion, type StoreOptions } from '../runtime/store.js';

/** Options of a {@link Network}. */
export interface NetworkOptions {
  /** Time step (default '0.1 ms'). */
  readonly dt?: QuantityLike;
  /** Seed of every random draw: connectivity, initial values, weights (default 0). */
  readonly seed?: number;
  /** Storage of state variables (default 'float32'); arithmetic is always in double precision. */
  readonly dtype?: 'float32' | 'float64';
  /** Stop with a {@link DivergenceError} when a state variable becomes NaN or infinite (default true). */
  readonly checkDivergence?: boolean;
  /**
   * Where population updates run: 'wasm' (WebAssembly SIMD kernels generated from the same
   * equations), 'js' (generated JavaScript), or 'auto' (default: wasm for every population whose
   * model it supports, JavaScript for the rest). When every population, projection and monitor
   * is supported (see {@link NetworkOptions.threads}), whole steps run in one WebAssembly module
   * (the step engine, src/engine/); otherwise projections and monitors run in JavaScript.
   */
  readonly backend?: 'auto' | 'wasm' | 'js';
  /**
   * Threads that simulate (default 1; Node.js ≥ 20.16, worker_threads over one shared memory; in a
   * browser, Web Workers: see `useWebWorkerThreads` in braints/web and {@link Network.startThreads}).
   * Results are identical for any thread count. Needs the step engine: populations on the wasm
   * backend or PoissonGroups with input rates (one value, per neuron or timed), event-driven projections
   * with stored connectivity and homogeneous or per-synapse delays (no short-term plasticity with
   * just-in-time rows; delta synapses onto variables and inputs run, and
   * drop what reaches a refractory neuron; long-term plasticity runs when its pre traces decay on
   * their own and, with threads > 1, its statements read no pre-synaptic neuron variable), PoissonInputs whose counts are drawn by inversion
   * (num·rate·dt·(1 − rate·dt) ≤ 25), continuous coupling (rate coupling, also delayed;
   * pre-aligned kinetics such as NMDA; gap junctions), spike, rate and state monitors;
   * the build says which part prevents it (and `net.loopReason` with one thread).
   */
  readonly threads?: number;
  /** Set false to keep the JavaScript step loop even where the step engine could run (for comparisons). */
  readonly engine?: boolean;
  /** Training: the largest batch `forward` accepts (default 1). */
  readonly batch?: number;
  /**
   * Training: where forward and backward passes run — 'js' (the JavaScript lowering, one thread)
   * or 'engine' (the step engine's WebAssembly lowering on `threads` threads, which split the
   * batch; gradients identical for any thread count). Default: 'engine' when threads > 1, else 'js'.
   */
  readonly trainBackend?: 'js' | 'engine';
  readonly name?: string;
  /**
   * The most memory the build may allocate: bytes, or text such as '2 GB' (default: the machine's
   * free memory). A larger network is refused with the estimate and what would fit.
   */
  readonly memoryLimit?: number | string;
  /** Seconds the step engine's threads may make no progress before a run stops as stalled (default 60). */
  readonly stallTimeout?: number;
  /** Test only: make a worker thread fail at a step (see src/runtime/limits.ts InjectedFault). */
  readonly injectFault?: InjectedFault;
  /**
   * Test only: bytes the step engine leaves unused at the start of its memory, so that a test can
   * lay a small network out above 2 GiB, where byte addresses no longer fit a signed 32-bit integer.
   */
  readonly memoryOffset?: number;
  /**
   * Run one part of a network split over processes: `{ index, count }`. Every process builds the
   * same network (same seed); this one simulates the neurons of part `index` of the owner-computes
   * partition the threads use, and exchanges spikes with the others once per minimum delay
   * (`runRank` / `runRanks` in braints/node). Needs the step engine, one thread, and a delay of
   * at least one step on every projection.
   */
  readonly rank?: RankOption;
}

/** Options of {@link Network.run}. */
export interface RunOptions {
  /** Receives progress (e.g. `terminalProgress()` from 'braints/node'). */
  readonly progress?: ProgressReporter;
  /** Steps per kernel call between progress updates (default: about 1 % of the run with a progress reporter, else the whole run). */
  readonly chunk?: number;
}

/** What {@link Network.run} returns. */
export interface RunResult {
  /** Steps simulated by this call. */
  readonly steps: number;
  /** Network time after the run (s). */
  readonly t: number;
  /** Wall-clock seconds spent in the simulation kernel. */
  readonly seconds: number;
}

/** One rank's side of the spike exchange of a network split over processes (see {@link Network.rankExchange}). */
export interface RankExchange {
  readonly index: number;
  readonly count: number;
  /** Steps a rank runs between exchanges (the shortest delay). */
  readonly window: number;
  /** The network's step when this was read. */
  readonly step: number;
  /** This rank's spikes of steps [n0, n1), to send to every other rank. */
  exportSpikes(n0: number, n1: number): Int32Array;
  /** Another rank's spikes of steps [n0, n1), as it exported them. */
  importSpikes(from: number, n0: number, n1: number, data: Int32Array): void;
}

/** Anything a network may contain. */
export type NetworkNode = NeuronGroup | Projection | PoissonInput | Monitor | Network;

type Kernel = (n0: number, n1: number) => void;

/** Per-group facts gathered during build. */
interface GroupPlan {
  readonly group: NeuronGroup;
  readonly index: number;
  readonly where: string;
  /** Inputs: name → extra terms added by projections. */
  readonly inputTerms: Map<string, Expr[]>;
  /** Synaptic state variables added by projections (align-post), with their equations. */
  readonly synStates: { name: string; rhs: Expr; dim: Dim; init?: number; exact?: boolean }[];
  /** Merge key → the syn state a spike increments. */
  readonly synByKey: Map<string, string>;
  /** Statements run when a neuron of this group spikes, after the model's reset (pre-aligned synapse states). */
  readonly spikeStatements: { target: string; op: '=' | '+=' | '-=' | '*=' | '/='; value: Expr }[];
  /** Extra per-neuron values (not integrated), e.g. the release fraction of short-term plasticity. */
  readonly extraValues: { name: string; dim: Dim; init: number }[];
  ring: number;
  refSteps: number;
  /** The WebAssembly update's description, when the group runs on the wasm backend. */
  wasmKernel?: EngineGroupSpec['kernel'];
  /** Array key → the slot symbol the step IR gave it (the WebAssembly kernels and the engine name arrays by it). */
  symbolOf?: ReadonlyMap<string, string>;
  /** A refractory condition instead of a period. */
  refCondition?: Expr;
  /**
   * With a refractory condition: 1 where the neuron is not refractory after this step's threshold
   * (0 while the condition holds, and for a neuron that has just spiked). Deliveries onto gated
   * variables read it; with a refractory period they read lastspike instead.
   */
  nrFlag?: Uint8Array;
  /** Scalar parameters (SI), once resolved. */
  scalars?: Map<string, number>;
  /** Why the group has no WebAssembly kernel, when it has none. */
  wasmWhy?: string;
  /** A PoissonGroup the step engine runs as a Poisson source: its draw's key and the rates' slot. */
  poissonEngine?: { seed: number; stream: number; rates: string; table?: { data: Float64Array; stepRatio: number; rows: number; columns: number } };
}

/**
 * A network: a tree of populations, projections, monitors and sub-networks, compiled into one kernel.
 *
 * @example
 * const net = new Network({ dt: '0.1 ms', seed: 1 });
 * const P = net.add(new NeuronGroup(100, LIF));
 * net.connect(P, P, { comm: new FixedProb(0.1), weight: '0.5 mV', target: 'v' });
 * const sm = net.add(new SpikeMonitor(P));
 * P.setInput('I', '300 pA');
 * net.run('200 ms');
 */
export class Network {
  readonly options: NetworkOptions;
  readonly children: NetworkNode[] = [];
  name: string;
  private built = false;
  private kernel: Kernel | undefined;
  private engine: StepEngine | undefined;
  /** What a batched run of this network needs (src/core/batch.ts), when it runs on the step engine. */
  private batchSrc: BatchSource | undefined;
  /** Plastic projections on the engine: index, and the arrays (given CSR order) that mirror the engine's weights. */
  private enginePlastic: { k: number; weights: StateArray; synVars: Float64Array[] }[] = [];
  /** Built with `rank`: steps between spike exchanges (the shortest delay of any projection). */
  private rankWindow = 0;
  /** The state monitors the engine records, in the order of its state records. */
  private engineSamples: SampleMonitor[] = [];
  private step = 0;
  private dtValue = 0;
  private groups: NeuronGroup[] = [];
  private projections: Projection[] = [];
  private monitors: Monitor[] = [];
  /** The generated kernel source, for inspection and tests. */
  source = '';
  /** The step IR of the built network (src/ir/step.ts): what training and later backends lower. */
  ir: NetworkIR | undefined;
  /**
   * After build: why the network runs on the JavaScript step loop rather than the step engine
   * (the first part that keeps it there, e.g. "PoissonGroup group 'P' does not run on the
   * WebAssembly backend: it draws random numbers ..."), or undefined when it runs on the engine.
   */
  loopReason: string | undefined;

  /**
   * After a build with the `rank` option (this process runs one part of a network split over
   * processes): the spike exchange between windows of `window` steps, which
   * `runRank` (src/distributed/rank.ts) drives; undefined otherwise.
   */
  get rankExchange(): RankExchange | undefined {
    const rank = this.checked?.rank;
    const engine = this.engine;
    if (!rank || !engine) return undefined;
    return {
      index: rank.index,
      count: rank.count,
      window: this.rankWindow,
      step: this.step,
      exportSpikes: (n0, n1) => engine.exportSpikes(n0, n1),
      importSpikes: (from, n0, n1, data) => engine.importSpikes(from, n0, n1, data),
    };
  }
  private irBuilder = new IRBuilder();
  /** The checked options (after build). */
  private checked: CheckedNetworkOptions | undefined;
  /** Set when a worker thread failed: the state is torn until restored. */
  private readonly faults = new FaultState();
  /** Every array the JavaScript step loop names, by its kernel label (state for store/restore). */
  private named: ReadonlyMap<string, unknown> | undefined;
  private readonly snapshots = new Map<string, Snapshot>();
  private fingerprintCache: string | undefined;

  constructor(options: NetworkOptions = {}) {
    this.options = options;
    this.name = options.name ?? 'network';
  }

  /** Adds a node (population, projection, monitor or network) and returns it. */
  add<T extends NetworkNode>(node: T): T {
    if (this.built) throw new Error(`network '${this.name}': cannot add nodes after build`);
    this.children.push(node);
    return node;
  }

  /**
   * Creates and adds a projection.
   *
   * @example
   * net.connect(E, P, { comm: new FixedProb(0.02), weight: '6 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
   */
  connect(pre: Population, post: Population, options: ProjectionOptions): Projection {
    return this.add(new Projection(pre, post, options));
  }

  /**
   * The network as a model file (see `toModelFile`, which gives it typed); `JSON.stringify(net)`
   * writes it. The writer lives in src/modelfile, which registers itself when the package loads, so
   * that the core does not import the layer built on top of it.
   */
  toJSON(): object {
    if (!modelFileWriter) throw new BuildError(`network '${this.name}'`, 'toJSON', 'no model-file writer is loaded', "import { toModelFile } from 'braints' and call toModelFile(net)");
    return modelFileWriter(this);
  }

  /** Time step in seconds (after build). */
  get dt(): number {
    return this.dtValue;
  }
  /** Current time in seconds. */
  get t(): number {
    return this.step * this.dtValue;
  }
  /** Current step index. */
  get stepIndex(): number {
    return this.step;
  }
  /** Whether `build()` has run. */
  get isBuilt(): boolean {
    return this.built;
  }

  private flatten(): { groups: NeuronGroup[]; projections: Projection[]; monitors: Monitor[]; poissons: PoissonInput[] } {
    const poissons: PoissonInput[] = [];
    const groups: NeuronGroup[] = [];
    const projections: Projection[] = [];
    const monitors: Monitor[] = [];
    const seen = new Set<unknown>();
    const visit = (n: NetworkNode) => {
      if (seen.has(n)) return;
      seen.add(n);
      if (n instanceof Network) n.children.forEach(visit);
      else if (n instanceof NeuronGroup) groups.push(n);
      else if (n instanceof Projection) projections.push(n);
      else if (n instanceof PoissonInput) poissons.push(n);
      else monitors.push(n);
    };
    this.children.forEach(visit);
    // Populations used by projections or monitors are part of the network even if not added.
    for (const p of projections) for (const g of [p.pre.group, p.post.group]) if (!seen.has(g)) (seen.add(g), groups.push(g));
    for (const m of monitors) if (!seen.has(m.source.group)) (seen.add(m.source.group), groups.push(m.source.group));
    for (const q of poissons) if (!seen.has(q.post.group)) (seen.add(q.post.group), groups.push(q.post.group));
    return { groups, projections, monitors, poissons };
  }

  /** Checks everything, generates connectivity, allocates state and compiles the kernel. */
  build(): this {
    if (this.built) return this;
    // Options are checked before anything else (hardening: src/runtime/limits.ts).
    const checked = checkNetworkOptions(this.options, this.name);
    this.checked = checked;
    const dt = checked.dt;
    this.dtValue = dt;
    const seed = checked.seed >>> 0;
    const F = checked.double ? Float64Array : Float32Array;
    const { groups, projections, monitors, poissons } = this.flatten();
    // Nothing is allocated before the memory estimate (src/runtime/memory.ts).
    checkBuildMemory({ groups, projections, double: checked.double, dt, wasm: this.options.backend !== 'js' }, checked.memoryLimit, `network '${this.name}'`);
    this.groups = groups;
    this.projections = projections;
    this.monitors = monitors;

    // Names: unique, defaulting to the model name.
    const used = new Set<string>();
    const uniq = (base: string) => {
      let name = base;
      for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
      used.add(name);
      return name;
    };
    for (const g of groups) g.name = uniq(g.name || g.model.name);
    for (const p of projections) p.name = uniq(p.name || `${p.pre.group.name}→${p.post.group.name}`);
    monitors.forEach((m, k) => (m.name = m.name || `monitor${k}`));

    const plans: GroupPlan[] = groups.map((group, index) => ({
      group,
      index,
      where: `${group.model.name} group '${group.name}'`,
      inputTerms: new Map(group.model.inputNames().map((n) => [n, [] as Expr[]])),
      synStates: [],
      synByKey: new Map(),
      spikeStatements: [],
      extraValues: [],
      ring: 1,
      refSteps: 0,
    }));
    const planOf = (g: NeuronGroup) => plans[groups.indexOf(g)];

    // Scalar parameters of each group (SI), per-neuron parameter initializers.
    const scalarParams = plans.map((p) => this.resolveParams(p, dt));
    plans.forEach((p) => {
      p.scalars = scalarParams[p.index];
      if (p.refCondition) p.nrFlag = new Uint8Array(p.group.size).fill(1);
    });

    // Projections: connectivity, weights, delays, and what they add to the post equations.
    const projPlans = projections.map((proj, k) => this.planProjection(proj, k, planOf(proj.pre.group), planOf(proj.post.group), seed, dt, F));
    for (const pp of projPlans) {
      const pre = planOf(pp.proj.pre.group);
      pre.ring = Math.max(pre.ring, pp.delaySteps + 1);
    }
    // Poisson inputs: their targets resolve like a projection's.
    this.poissonTargets = poissons.map((q, k) => {
      q.name = q.name || `poisson${k}`;
      const where = `PoissonInput '${q.name}'`;
      const weightDim = initDim(q.options.weight, where, 'weight');
      const { targetArray, scale, gated } = this.resolveSpikeTarget(where, q.options, weightDim, planOf(q.post.group), q.post.group.model);
      return { targetArray, weight: parseQuantity(q.options.weight).value * scale, gated, post: planOf(q.post.group), p: 0 };
    });

    // Allocate group state and generate each group's code.
    const arrays: StateArray[] = [];
    const arrayIndex = new Map<StateArray, number>();
    const ref = (a: StateArray | Int32Array) => {
      let i = arrayIndex.get(a as StateArray);
      if (i === undefined) {
        i = arrays.length;
        arrays.push(a as StateArray);
        arrayIndex.set(a as StateArray, i);
      }
      return `S[${i}]`;
    };
    const hoist: string[] = [];
    // Each array is bound once to a named constant of the kernel; asking again returns the name.
    const named = new Map<string, StateArray | Int32Array>();
    const name = (a: StateArray | Int32Array, label: string) => {
      const prev = named.get(label);
      if (prev !== undefined) {
        if (prev !== a) throw new Error(`internal: kernel name '${label}' bound twice`);
        return label;
      }
      named.set(label, a);
      hoist.push(`const ${label} = ${ref(a)};`);
      return label;
    };

    const groupCode: string[] = [];
    for (const plan of plans) {
      groupCode.push(this.buildGroup(plan, scalarParams[plan.index], seed, dt, F, name));
    }
    const projCode = projPlans.map((pp, k) => this.projectionCode(pp, k, planOf(pp.proj.pre.group), planOf(pp.proj.post.group), name));
    const poissonCode = poissons.map((q, k) => this.poissonCode(q, k, seed, dt, name));
    const monitorCode = monitors.map((_, k) => `M[${k}].record(n);`);

    // One function per population and per projection: each gets its own optimization (and inlining)
    // budget in the JavaScript engine, which a single huge loop body would exhaust.
    const parts = [...groupCode, ...projCode, ...poissonCode].filter((c) => c.trim() !== '');
    const body = [
      '"use strict";',
      ...hoist,
      ...parts.map((c, k) => `function part${k}(n, t) {\n${c}\n}`),
      'return function run(n0, n1) {',
      'for (let n = n0; n < n1; n++) {',
      `const t = n * ${jsNumber(dt)};`,
      ...parts.map((_, k) => `part${k}(n, t);`),
      ...monitorCode,
      '}',
      '};',
    ].join('\n');
    this.source = body;
    this.named = named;
    const diverged = (gi: number, n: number) => this.locateDivergence(gi, n);
    const make = compileKernel(['S', 'H', 'M', 'D'], body);
    this.kernel = make(arrays, KERNEL_HELPERS, monitors, diverged) as Kernel;
    this.engine = this.buildEngine(plans, projPlans, poissons, seed, F === Float64Array);
    // The JavaScript step loop is not used then; dropping it frees the arrays it holds.
    if (this.engine) this.kernel = undefined;
    // The IR refers to the arrays the simulation uses (the engine's, when it runs).
    for (const pp of projPlans) this.lowerProjection(pp, planOf(pp.proj.pre.group).index, planOf(pp.proj.post.group).index);
    for (const q of poissons) this.irBuilder.addUnsupported(`PoissonInput '${q.name}'`);
    this.ir = this.irBuilder.finish(dt);
    this.built = true;
    if (groups.some((g) => (g.options.train?.length ?? 0) + (g.options.trainInit?.length ?? 0) > 0) || projections.some((p) => (p.options.train?.length ?? 0) > 0)) this.snapshotInit();
    return this;
  }

  /**
   * The step engine, when every part of the network is one it runs (else undefined, or a
   * BuildError naming the part when more than one thread was asked for).
   */
  private buildEngine(plans: GroupPlan[], projPlans: ProjPlan[], poissons: PoissonInput[], seed: number, double: boolean): StepEngine | undefined {
    const threads = this.options.threads ?? 1;
    const where = `network '${this.name}'`;
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new BuildError(where, 'threads', `must be an integer in [1, 64], got ${JSON.stringify(this.options.threads)}`, 'give threads: 1 or the number of cores');
    // A network built to train on several threads simulates on one when the engine cannot run it (the reason is kept).
    const trains = this.groups.some((g) => (g.options.train?.length ?? 0) + (g.options.trainInit?.length ?? 0) > 0) || this.projections.some((p) => (p.options.train?.length ?? 0) > 0);
    const rank = this.checked!.rank;
    const refuse = (why: string): undefined => {
      this.loopReason = why;
      if (rank) throw new BuildError(where, 'rank', `a network split over processes runs on the step engine, but ${why}`, 'remove rank, or change that part');
      if (threads > 1 && !trains) throw new BuildError(where, 'threads', `more than one thread needs the step engine, but ${why}`, 'use threads: 1');
      return undefined;
    };
    if (this.options.backend === 'js') return refuse("backend is 'js'");
    if (this.options.engine === false) return refuse('engine is false');
    for (const plan of plans) if (!plan.wasmKernel && !plan.poissonEngine) return refuse(`${plan.where} does not run on the WebAssembly backend: ${plan.wasmWhy ?? 'unknown reason'}`);
    const plastic = new Map<ProjPlan, EnginePlasticitySpec>();
    const planFor = (g: NeuronGroup) => plans.find((p) => p.group === g)!;
    for (const pp of projPlans) {
      const why = pp.kind === 'continuous' ? continuousWhy(pp, projPlans) : pp.jitRow && (!pp.jitEngine || pp.stpRelease) ? 'just-in-time connectivity' : pp.targetArray === '' ? 'no target' : '';
      if (why) return refuse(`${pp.where} has ${why}`);
      if (!pp.plastic) continue;
      const [pre, post] = [planFor(pp.proj.pre.group), planFor(pp.proj.post.group)];
      const spec = enginePlasticity(pp.plastic, { dt: this.dtValue, threads, preKey: (n) => pre.symbolOf!.get(n), postKey: (n) => post.symbolOf!.get(n) });
      if (typeof spec === 'string') return refuse(`${pp.where} has plasticity the step engine cannot run: ${spec}`);
      plastic.set(pp, spec);
    }
    // The engine decays pre traces itself (one copy per thread): the pre group's update leaves them out.
    const engineTraces = new Map<GroupPlan, Set<string>>();
    for (const [pp, spec] of plastic) {
      const pre = planFor(pp.proj.pre.group);
      const set = engineTraces.get(pre) ?? new Set<string>();
      for (const t of spec.preTraces) set.add(spec.preArrays.get(t.name)!);
      engineTraces.set(pre, set);
    }
    for (const plan of plans) {
      if (plan.poissonEngine && !plan.synStates.every((st) => engineTraces.get(plan)?.has(plan.symbolOf!.get(st.name)!))) return refuse(`${plan.where} has post-synaptic plasticity traces, which a Poisson source does not update`);
    }
    // Poisson inputs: the engine draws Binomial(num, p) by inversion, as the JavaScript kernel does while num·p·(1 − p) ≤ 25
    const poissonInputs: EnginePoissonInputSpec[] = [];
    for (let k = 0; k < poissons.length; k++) {
      const q = poissons[k];
      const { targetArray, weight, gated, post, p } = this.poissonTargets[k];
      const num = q.options.num;
      if (num * p * (1 - p) > 25) return refuse(`PoissonInput '${q.name}' draws its counts (num·rate·dt·(1 − rate·dt) > 25) from a normal approximation the engine does not draw yet`);
      poissonInputs.push({ name: q.name, post: post.index, postStart: q.post.start, postSize: q.post.size, target: post.symbolOf!.get(targetArray)!, weight, num, p, seed, stream: (0x50000000 + k) >>> 0, gateRefSteps: gated ? post.refSteps : 0 });
    }
    // State monitors: the engine records the values of their arrays at their neurons (src/engine/record.ts)
    const stateRecords: EngineStateRecordSpec[] = [];
    const samples: SampleMonitor[] = [];
    for (const m of this.monitors) {
      if (m instanceof SpikeMonitor || m instanceof RateMonitor) continue;
      if (!isSampleMonitor(m)) return refuse(`monitor '${m.name}' is not a spike, rate or state monitor`);
      const plan = plans.find((p) => p.group === m.source.group)!;
      const arrays = m.variables.map((v) => (plan.group.runtime!.arrays.get(v)?.length === plan.group.size ? plan.symbolOf!.get(v) : undefined));
      const missing = m.variables.find((_, k) => arrays[k] === undefined);
      if (missing !== undefined) return refuse(`monitor '${m.name}' records '${missing}', which is not a per-neuron array of its group`);
      stateRecords.push({ group: plan.index, arrays: arrays as string[], indices: m.indices, every: m.every });
      samples.push(m);
    }
    const watched = new Set(this.monitors.filter((m) => !isSampleMonitor(m)).map((m) => m.source.group));
    const groups: EngineGroupSpec[] = plans.map((plan) => {
      const rt = plan.group.runtime!;
      const sym = plan.symbolOf!;
      // a Poisson source has no update kernel: the engine draws its spikes (its kernel description is empty)
      const traced = engineTraces.get(plan);
      const own = plan.wasmKernel && traced ? { ...plan.wasmKernel, vars: plan.wasmKernel.vars.filter((v) => !traced.has(v.name)) } : plan.wasmKernel;
      const kernel = own ?? { vars: [], method: 'euler', dt: this.dtValue, threshold: null, reset: [], refSteps: 0 };
      const poisson = plan.wasmKernel ? undefined : { ...plan.poissonEngine!, dt: this.dtValue };
      return { name: plan.group.name, size: plan.group.size, kernel, poisson, arrays: new Map([...rt.arrays].map(([k, a]) => [sym.get(k)!, a])), lastSpike: rt.lastSpike, ring: rt.ring, record: watched.has(plan.group), inputs: [...sym].filter(([k]) => k.startsWith('ext$')).map(([, sy]) => sy) };
    });
    const index = new Map(plans.map((p) => [p.group, p.index]));
    const projections: EngineProjectionSpec[] = projPlans.map((pp) => ({
      name: pp.proj.name,
      pre: index.get(pp.proj.pre.group)!,
      preStart: pp.proj.pre.start,
      preSize: pp.proj.pre.size,
      post: index.get(pp.proj.post.group)!,
      postStart: pp.proj.post.start,
      indptr: pp.csr.indptr,
      indices: pp.csr.indices,
      weights: pp.weights,
      weight: pp.weight,
      delaySteps: pp.delaySteps,
      target: plans[index.get(pp.proj.post.group)!].symbolOf!.get(pp.targetArray)!,
      gateRefSteps: pp.gated ? plans[index.get(pp.proj.post.group)!].refSteps : 0,
      delays: pp.delays,
      plastic: plastic.get(pp),
      release: pp.stpRelease ? plans[index.get(pp.proj.pre.group)!].symbolOf!.get(pp.stpRelease) : undefined,
      jit: pp.jitEngine,
      continuous: pp.kind === 'continuous' ? { source: plans[index.get(pp.proj.pre.group)!].symbolOf!.get(pp.sourceArray!)!, gapPost: pp.gapPost === undefined ? undefined : plans[index.get(pp.proj.post.group)!].symbolOf!.get(pp.gapPost) } : undefined,
    }));
    if (rank) this.rankWindow = rankWindow(projPlans, where);
    const bytes = StepEngine.memoryNeeded(groups, projections, { threads: rank ? rank.count : threads, double, stateRecords });
    if (bytes + this.checked!.memoryOffset > WASM_MAX_BYTES) return refuse(`the step engine would need ${formatBytes(bytes)} in one WebAssembly memory, which holds at most 4.3 GB`);
    const engine = new StepEngine(groups, projections, { threads, double, checkDivergence: this.options.checkDivergence !== false, poissonInputs, stateRecords, stallTimeout: this.checked!.stallTimeout, injectFault: this.checked!.injectFault, memoryOffset: this.checked!.memoryOffset, rank });
    this.engineSamples = samples;
    if (!rank) this.batchSrc = batchSource(engine, groups, projections, poissonInputs, double, plans.map((p) => p.symbolOf!));
    // The engine's memory now holds the state: point the runtime (what users read and write) at it.
    plans.forEach((plan, gi) => {
      const rt = plan.group.runtime!;
      const v = engine.views(gi);
      const keyOf = new Map([...plan.symbolOf!].map(([k, sy]) => [sy, k]));
      for (const [sy, a] of v.arrays) rt.arrays.set(keyOf.get(sy)!, a);
      plan.group.runtime = { ...rt, lastSpike: v.lastSpike, backend: `${rt.backend} engine×${threads}` };
    });
    // With one thread the engine's connectivity is the stored one: keep a single copy.
    this.enginePlastic = projPlans.flatMap((pp, k) => (pp.plastic ? [{ k, weights: pp.weights!, synVars: pp.plastic.synVars.map((v) => v.array) }] : []));
    projPlans.forEach((pp, k) => {
      // a plastic projection keeps its arrays (mirrors of the engine's weights, read back after each run)
      const v = pp.plastic ? null : engine.projectionViews(k);
      if (!v) return;
      pp.csr.indptr = v.indptr;
      pp.csr.indices = v.indices;
      if (v.weights && pp.proj.runtime) (pp.proj.runtime as { weights: StateArray | null }).weights = v.weights;
    });
    return engine;
  }

  /** Adds a projection's transmission to the step IR. */
  private lowerProjection(pp: ProjPlan, pre: number, post: number): void {
    const { proj } = pp;
    if (pp.targetArray === '') {
      this.irBuilder.addUnsupported(`${pp.where} (a plastic projection that transmits nothing)`);
      return;
    }
    if (pp.kind === 'continuous' && (pp.delays || pp.delaySteps > 0)) {
      this.irBuilder.addUnsupported(`${pp.where} (rate coupling with conduction delays)`);
      return;
    }
    this.irBuilder.addDelivery({
      kind: pp.kind,
      sourceKey: pp.sourceArray,
      gapPostKey: pp.gapPost,
      where: pp.where,
      label: proj.name,
      pre,
      preStart: proj.pre.start,
      preSize: proj.pre.size,
      post,
      postStart: proj.post.start,
      postSize: proj.post.size,
      indptr: pp.csr.indptr,
      indices: pp.csr.indices,
      weights: proj.runtime?.weights ?? pp.weights,
      weight: pp.weight,
      delaySteps: pp.delaySteps,
      delays: pp.delays,
      targetKey: pp.targetArray,
      releaseKey: pp.stpRelease,
      rows: pp.jitRow ? () => jitRows(pp.jitRow!, proj.pre.size) : undefined,
      notDifferentiable: pp.plastic ? 'it has long-term plasticity' : undefined,
      gated: pp.gated,
    });
  }

  /** Resolves a group's parameters: overrides, dimension checks, positivity. Returns the scalars. */
  private resolveParams(plan: GroupPlan, dt: number): Map<string, number> {
    const { group, where } = plan;
    const model = group.model;
    const scalars = new Map<string, number>();
    const overrides = group.options.params ?? {};
    const refParam = typeof model.spec.refractory === 'string' && model.params.has(model.spec.refractory) ? model.spec.refractory : undefined;
    for (const [name, def] of model.params) {
      const given: Init = overrides[name] ?? def.source;
      const mustBePositive = (dimEq(def.dim, SECOND) && name !== refParam) || (model.spec.positive ?? []).includes(name);
      const check = (v: number, label: string) => {
        if (mustBePositive && !(v > 0)) {
          throw new BuildError(where, `params.${name}`, `must be positive, got ${label}`, `give a positive value, e.g. '${Math.abs(def.value / (UNITS.get(exampleUnit(def.dim))?.value ?? 1)) || 10} ${exampleUnit(def.dim)}'`);
        }
        if (name === refParam && v < 0) throw new BuildError(where, `params.${name}`, `the refractory period must be ≥ 0, got ${label}`, "give e.g. '2 ms'");
      };
      if (isScalarInit(given) && !(group.options.train ?? []).includes(name)) {
        let v: number;
        try {
          v = parseQuantity(given).value;
          const d = parseQuantity(given).dim;
          if (!dimEq(d, def.dim)) {
            throw new BuildError(where, `params.${name}`, `expected dimension ${formatDim(def.dim)}, got ${JSON.stringify(given)} (dimension ${formatDim(d)})`, `write it with a unit, e.g. '${typeof given === 'number' ? given : 1} ${exampleUnit(def.dim)}'`);
          }
        } catch (err) {
          if (err instanceof BuildError) throw err;
          throw new BuildError(where, `params.${name}`, `cannot read ${JSON.stringify(given)}: ${(err as Error).message}`);
        }
        if (!Number.isFinite(v)) throw new BuildError(where, `params.${name}`, `must be finite, got ${JSON.stringify(given)}`);
        check(v, JSON.stringify(given));
        scalars.set(name, v);
      }
      // per-neuron parameters are allocated in buildGroup
    }
    // Refractory period.
    const r = model.spec.refractory;
    if (typeof r === 'string' && (group.options.train ?? []).includes(r)) throw new BuildError(where, 'train', `the refractory period '${r}' cannot be trained`, `leave '${r}' out of train`);
    if (r !== undefined) {
      let tref: number;
      if (typeof r === 'string' && model.params.has(r)) {
        const v = scalars.get(r);
        if (v === undefined) throw new BuildError(where, `params.${r}`, 'the refractory period must be one value for the whole group', "give a single time such as '5 ms'");
        tref = v;
      } else if (typeof r === 'string' && /[<>]/.test(r)) {
        // A condition: the neuron is refractory while it holds (Brian2's refractory='v > -20*mV'),
        // so a threshold without reset counts one spike per crossing.
        try {
          plan.refCondition = parseExpr(r);
          inferDim(plan.refCondition, modelDimOf(model));
        } catch (err) {
          throw new BuildError(where, 'refractory', (err as Error).message, "write a time such as '2 ms' or a condition such as 'v > Vth'");
        }
        return scalars;
      } else {
        try {
          tref = quantityIn(r, SECOND);
        } catch (err) {
          // an expression of the group's scalar parameters, units and dt, e.g. '3*dt' (as Brian2 accepts)
          const t = typeof r === 'string' ? timeExpression(r, model, scalars, dt) : undefined;
          if (t === undefined) throw new BuildError(where, 'refractory', (err as Error).message, "give a time such as '5 ms' or '3*dt', or a condition such as 'v > Vth'");
          tref = t;
        }
        if (tref < 0) throw new BuildError(where, 'refractory', `must be ≥ 0, got ${JSON.stringify(r)}`, "give e.g. '5 ms'");
      }
      plan.refSteps = Math.round(tref / dt);
    }
    return scalars;
  }

  private planProjection(proj: Projection, k: number, pre: GroupPlan, post: GroupPlan, seed: number, dt: number, F: typeof Float32Array | typeof Float64Array): ProjPlan {
    const o = proj.options;
    const where = `projection '${proj.name}'`;
    const preModel = proj.pre.group.model;
    const postModel = proj.post.group.model;
    if (!o.comm || typeof o.comm.build !== 'function') throw new BuildError(where, 'comm', 'missing connectivity', 'give a connector, e.g. new FixedProb(0.02)');
    // Connectivity, from a seed derived from the network seed and the projection's position.
    threefry2x32(seed, 0x70726f6a, k, 0);
    const connSeed = threefryOut[0];
    const same = proj.pre.group === proj.post.group;
    const connCtx = { nPre: proj.pre.size, nPost: proj.post.size, seed: connSeed, where, selfOffset: same ? proj.pre.start - proj.post.start : undefined };
    let jitRow: ((i: number, out: { push(j: number): void }) => void) | undefined;
    let jitFill: ((i: number, out: Int32Array, n: number) => number) | undefined;
    let jitEngine: EngineJitRows | undefined;
    let csr: CSR;
    if (o.jit) {
      const comm = o.comm as { rowFunction?: (ctx: typeof connCtx) => (i: number, out: { push(j: number): void }) => void };
      if (typeof comm.rowFunction !== 'function') throw new BuildError(where, 'jit', `${o.comm.name} cannot regenerate single rows`, 'use FixedProb, or jit: false');
      if (!isScalarInit(o.weight)) throw new BuildError(where, 'weight', 'just-in-time connectivity stores no per-synapse weights', 'give one weight for all synapses');
      if (o.plasticity || o.stp || o.delay !== undefined && !isScalarInit(o.delay as Init)) throw new BuildError(where, 'jit', 'plasticity, short-term plasticity and per-synapse delays need stored synapses', 'use jit: false');
      // Validated once here; the kernel then calls the bare row generator on every spike.
      jitRow = comm.rowFunction(connCtx);
      // a connector that can write a row straight into an array skips the per-synapse push
      const filler = (o.comm as { rowFiller?: (ctx: typeof connCtx) => (i: number, out: Int32Array, n: number) => number }).rowFiller;
      if (typeof filler === 'function') jitFill = filler.call(o.comm, connCtx);
      // a connector that describes its rows as data lets the step engine draw them
      const described = (o.comm as { engineRows?: (ctx: typeof connCtx) => EngineJitRows | undefined }).engineRows;
      if (typeof described === 'function') jitEngine = described.call(o.comm, connCtx);
      // Count the synapses once (nothing is kept) so that reports stay exact.
      let total = 0;
      const counter = { push: () => void total++ };
      for (let i = 0; i < connCtx.nPre; i++) jitRow(i, counter);
      csr = { nPre: connCtx.nPre, nPost: connCtx.nPost, indptr: Int32Array.of(0, total), indices: new Int32Array(0) };
    } else {
      csr = o.comm.build(connCtx);
    }
    const nSyn = csr.indices.length;
    // Weights.
    const weightDim = initDim(o.weight, where, 'weight');
    let weights: Float32Array | Float64Array | null = null;
    let weight = 0;
    if (isScalarInit(o.weight)) {
      weight = parseQuantity(o.weight).value;
      if (!Number.isFinite(weight)) throw new BuildError(where, 'weight', `must be finite, got ${JSON.stringify(o.weight)}`);
    } else {
      weights = new F(nSyn);
      if (isRingInit(o.weight)) fillRingWeights(weights, o.weight, csr, weightDim, where, 'weight');
      else fillInit(weights, o.weight, weightDim, new Rng(seed, 0x77000000 + k), where, 'weight');
    }
    const trainNames = o.train ?? [];
    if (trainNames.includes('weight')) {
      if (o.jit) throw new BuildError(where, 'train', 'just-in-time connectivity stores no weights to train', "use jit: false, or leave 'weight' out of train");
      if (!weights) weights = new F(nSyn).fill(weight);
    }
    for (const n of trainNames) {
      const ofSyn = !!o.syn && Object.prototype.hasOwnProperty.call(o.syn.params, n);
      const ofStp = !!o.stp && STP_PARAMS.includes(n);
      if (n !== 'weight' && !ofSyn && !ofStp) {
        const valid = ['weight', ...(o.syn ? Object.keys(o.syn.params) : []), ...(o.stp ? STP_PARAMS : [])];
        throw new BuildError(where, 'train', `'${n}' is neither 'weight' nor a parameter of the projection's synapse or short-term plasticity`, `train one of ${valid.join(', ')}`);
      }
    }
    // Delays: one for all synapses, or one per synapse.
    let delaySteps = 0;
    let delays: Int32Array | null = null;
    const toSteps = (q: QuantityLike, field: string) => {
      let d: number;
      try {
        d = quantityIn(q, SECOND);
      } catch (err) {
        throw new BuildError(where, field, (err as Error).message, "give a time such as '1.5 ms'");
      }
      if (!(d >= 0)) throw new BuildError(where, field, `must be ≥ 0, got ${JSON.stringify(q)}`, "give a non-negative time such as '1.5 ms'");
      return Math.round(d / dt);
    };
    if (typeof o.delay === 'function') {
      delays = new Int32Array(nSyn);
      for (let i = 0; i < csr.nPre; i++) for (let s = csr.indptr[i]; s < csr.indptr[i + 1]; s++) delays[s] = toSteps(o.delay(i, csr.indices[s]), `delay(${i}, ${csr.indices[s]})`);
    } else if (o.delay !== undefined && !isScalarInit(o.delay)) {
      const d = new Float64Array(nSyn);
      fillInit(d, o.delay, SECOND, new Rng(seed, 0x64000000 + k), where, 'delay');
      delays = new Int32Array(nSyn);
      for (let s = 0; s < nSyn; s++) {
        if (!(d[s] >= 0)) throw new BuildError(where, 'delay', `synapse ${s} has a ${Number.isNaN(d[s]) ? 'delay that is not a number' : 'negative delay'} (${d[s]} s)`, 'draw delays from a distribution that stays ≥ 0');
        delays[s] = Math.round(d[s] / dt);
      }
    } else if (o.delay !== undefined) {
      delaySteps = toSteps(o.delay, 'delay');
    }
    // Long-term plasticity: per-synapse weights, traces on both populations.
    let plastic: PlasticityPlan | undefined;
    if (o.plasticity) {
      if (!weights) weights = new F(nSyn).fill(weight);
      plastic = planPlasticity(o.plasticity, k, { where, preModel, postModel, weightDim, nSyn, dt, pre, post });
    }
    const base = { proj, csr, weights, weight, delaySteps, delays, where, plastic, jitRow, jitFill, jitEngine };

    // Continuous transmission: rate coupling, gap junctions, pre-aligned synapse kinetics.
    const preAligned = o.syn?.align === 'pre';
    if (o.source !== undefined || o.gap !== undefined || preAligned) {
      // Rate coupling may be delayed (conduction delays of whole-brain models); gap junctions and pre-aligned kinetics act at once.
      if ((delays || delaySteps) && o.source === undefined) throw new BuildError(where, 'delay', 'gap junctions and pre-aligned synapses have no transmission delay (only rate coupling with source does)', 'remove the delay');
      if (o.stp) throw new BuildError(where, 'stp', 'short-term plasticity applies to spike transmission only', 'remove stp, or use an align-post synapse such as Expon');
      if (jitRow) throw new BuildError(where, 'jit', 'continuous coupling (source, gap, pre-aligned synapses) reads every stored synapse each step', 'use jit: false');
      if (preAligned && o.gap !== undefined) throw new BuildError(where, 'gap', 'a gap junction couples membrane variables directly and takes no synapse model', 'remove syn, or remove gap');
      const acc = `acc$${k}`;
      post.extraValues.push({ name: acc, dim: weightDim, init: 0 });
      const inputs = postModel.inputNames();
      const target = o.target ?? (inputs.length === 1 ? inputs[0] : undefined);
      if (target === undefined || !inputs.includes(target)) {
        throw new BuildError(where, 'target', `${target === undefined ? 'no target given' : `'${target}' is not an input`} of ${postModel.name}`, `choose one of its inputs: ${inputs.join(', ') || '(none: declare one with the (input) flag)'}`);
      }
      const targetDim = postModel.dimOf(target)!;
      let sourceArray: string;
      let gapPost: string | undefined;
      let outDim: Dim;
      if (preAligned) {
        const syn = o.syn!;
        if (!o.out) throw new BuildError(where, 'out', 'a projection with syn needs an output', "add out: COBA({ E: '0 mV' }) or out: MgBlock(...)");
        const synVals = resolveQuantities(syn.params, syn.positive, where, 'syn');
        const stateNames = new Set(syn.equations.map(([n]) => n));
        checkSynapseDimensions(syn, synVals, DIMENSIONLESS, where);
        if (syn.output.k !== 'sym' || !stateNames.has(syn.output.name)) throw new BuildError(where, 'syn', `${syn.kind}: a pre-aligned synapse must output one of its states`);
        // One state per pre neuron, shared by every projection from this population with the same kinetics.
        // Trained kinetic parameters become one value per pre neuron (a constant array of the pre group).
        const trained = new Set((o.train ?? []).filter((n) => n !== 'weight' && Object.prototype.hasOwnProperty.call(syn.params, n)));
        const key = JSON.stringify(['pre', syn.kind, [...synVals].map(([a, b]) => [a, b.value]), syn.onPreSpike ?? '', [...trained]]);
        let prefix = pre.synByKey.get(key);
        if (prefix === undefined) {
          prefix = `pre${pre.synByKey.size}$`;
          pre.synByKey.set(key, prefix);
          const param = (n: string) => `p$${prefix}${n}`;
          for (const n of trained) pre.extraValues.push({ name: param(n), dim: synVals.get(n)!.dim, init: synVals.get(n)!.value });
          const toNum = (n: string) => (stateNames.has(n) ? sym(prefix + n) : trained.has(n) ? sym(param(n)) : synVals.has(n) ? num(synVals.get(n)!.value) : undefined);
          for (const [sn, rhs] of syn.equations) pre.synStates.push({ name: prefix + sn, rhs: simplify(substitute(rhs, toNum)), dim: DIMENSIONLESS });
          for (const st of syn.onPreSpike ? parseStatements(syn.onPreSpike) : []) {
            if (!stateNames.has(st.target)) throw new BuildError(where, 'syn', `${syn.kind}: on-spike statement assigns '${st.target}', which is not a state`);
            pre.spikeStatements.push({ target: prefix + st.target, op: st.op, value: simplify(substitute(st.value, toNum)) });
          }
        }
        sourceArray = prefix + syn.output.name;
        outDim = this.addOutput(where, o.out, weightDim, post, target, sym(acc), postModel);
      } else if (o.gap !== undefined) {
        const V = o.gap;
        const dPre = preModel.dimOf(V);
        const dPost = postModel.dimOf(V);
        if (!dPre || !dPost || !dimEq(dPre, dPost)) throw new BuildError(where, 'gap', `'${V}' must be a variable of both ${preModel.name} and ${postModel.name} with one dimension`);
        sourceArray = V;
        gapPost = V;
        outDim = dimMul(weightDim, dPre);
        post.inputTerms.get(target)!.push(sym(acc));
      } else {
        const src = o.source!;
        const line = preModel.lines.find((l) => l.name === src);
        if (!line || line.kind === 'sub' || line.flags.includes('input')) {
          throw new BuildError(where, 'source', `'${src}' is not a state variable of ${preModel.name}`, `transmit one of: ${preModel.lines.filter((l) => l.kind !== 'sub' && !l.flags.includes('input')).map((l) => l.name).join(', ')}`);
        }
        sourceArray = src;
        outDim = dimMul(weightDim, line.dim);
        post.inputTerms.get(target)!.push(sym(acc));
      }
      if (!dimEq(outDim, targetDim)) {
        throw new BuildError(where, 'weight', `the coupling has dimension ${formatDim(outDim)} with this weight (${formatDim(weightDim)}), but input '${target}' of ${postModel.name} has dimension ${formatDim(targetDim)}`, `give the weight in ${formatDim(dimDiv(targetDim, dimDiv(outDim, weightDim)))}`);
      }
      return { ...base, kind: 'continuous', targetArray: acc, sourceArray, gapPost, stpRelease: undefined, gated: false };
    }

    // Spike transmission.
    let stpRelease: string | undefined;
    if (o.stp) {
      const v = resolveQuantities(o.stp.params, ['tau_f', 'tau_d'], where, 'stp');
      const U = v.get('U')!;
      if (!dimEq(U.dim, DIMENSIONLESS) || !(U.value > 0 && U.value <= 1)) throw new BuildError(where, 'stp.U', `must be a number in (0, 1], got ${JSON.stringify(o.stp.params.U)}`);
      for (const f of ['tau_f', 'tau_d']) if (!dimEq(v.get(f)!.dim, SECOND)) throw new BuildError(where, `stp.${f}`, `must be a time, got ${JSON.stringify(o.stp.params[f as 'tau_f'])}`, "e.g. '200 ms'");
      const p = `stp${k}$`;
      // U, tau_f, tau_d: numbers folded into the equations, or (trained) one value per pre neuron
      const trained = new Set((o.train ?? []).filter((n) => STP_PARAMS.includes(n)));
      for (const n of trained) pre.extraValues.push({ name: `p$${p}${n}`, dim: v.get(n)!.dim, init: v.get(n)!.value });
      const stpSym = (n: string) => (n === 'u' || n === 'x' || n === 'r' ? sym(p + n) : trained.has(n) ? sym(`p$${p}${n}`) : n === 'U' || n === 'tau_f' || n === 'tau_d' ? num(v.get(n)!.value) : undefined);
      pre.synStates.push({ name: `${p}u`, rhs: simplify(substitute(parseExpr('-u/tau_f'), stpSym)), dim: DIMENSIONLESS, init: 0 });
      pre.synStates.push({ name: `${p}x`, rhs: simplify(substitute(parseExpr('(1 - x)/tau_d'), stpSym)), dim: DIMENSIONLESS, init: 1 });
      pre.extraValues.push({ name: `${p}r`, dim: DIMENSIONLESS, init: 0 });
      for (const st of parseStatements('u += U*(1 - u); r = u*x; x -= r')) {
        pre.spikeStatements.push({ target: p + st.target, op: st.op, value: simplify(substitute(st.value, stpSym)) });
      }
      stpRelease = `${p}r`;
    }
    // A plastic projection without syn and target only learns: it transmits nothing.
    const silent = !!o.plasticity && !o.syn && o.target === undefined;
    const { targetArray, scale, gated } = silent ? { targetArray: '', scale: 1, gated: false } : this.resolveSpikeTarget(where, o, weightDim, post, postModel);
    if (scale !== 1) {
      weight *= scale;
      if (weights) for (let s = 0; s < weights.length; s++) weights[s] *= scale;
    }
    return { ...base, weight, kind: 'event', targetArray, sourceArray: undefined, gapPost: undefined, stpRelease, gated };
  }

  /**
   * Where a spike's weight goes: with align-post syn, into its (merged) state; without syn, into
   * a post variable. Returns the post array and a factor on the weight (the synapse's spikeScale).
   */
  private resolveSpikeTarget(
    where: string,
    o: { weight: WeightInit; syn?: SynapseDynamics; out?: SynapseOutput; target?: string; train?: readonly string[] },
    weightDim: Dim,
    post: GroupPlan,
    postModel: NeuronModel,
  ): { targetArray: string; scale: number; gated: boolean } {
    // Increments onto a variable held by (unless refractory) are discarded while the post neuron is refractory.
    const gatedVar = (name: string) => (post.refSteps > 0 || post.refCondition !== undefined) && postModel.lines.some((l) => l.name === name && l.kind === 'diff' && l.flags.includes('unless refractory'));
    if (o.syn) {
      if (!o.out) throw new BuildError(where, 'out', 'a projection with syn needs an output', 'add out: CUBA() or out: COBA({ E: ... })');
      const inputs = postModel.inputNames();
      const target = o.target ?? (inputs.length === 1 ? inputs[0] : undefined);
      if (target === undefined || !inputs.includes(target)) {
        throw new BuildError(where, 'target', `${target === undefined ? 'no target given' : `'${target}' is not an input`} of ${postModel.name}`, `choose one of its inputs: ${inputs.join(', ') || '(none: declare one with the (input) flag)'}`);
      }
      const syn = o.syn;
      const synVals = resolveQuantities(syn.params, syn.positive, where, 'syn');
      const stateNames = new Set(syn.equations.map(([n]) => n));
      checkSynapseDimensions(syn, synVals, weightDim, where);
      const outVals = resolveQuantities(o.out.params, [], where, 'out');
      // Trained synapse parameters become one value per post neuron (a constant array of the post group).
      const trained = new Set((o.train ?? []).filter((n) => n !== 'weight' && Object.prototype.hasOwnProperty.call(syn.params, n)));
      const key = JSON.stringify([syn.kind, [...synVals].map(([a, b]) => [a, b.value]), o.out.kind, [...outVals].map(([a, b]) => [a, b.value]), o.out.postVars, target, formatDim(weightDim), [...trained]]);
      let inc = post.synByKey.get(key);
      if (inc === undefined) {
        const id = post.synByKey.size;
        const rename = (n: string) => `syn${id}$${n}`;
        for (const n of trained) post.extraValues.push({ name: `p$syn${id}$${n}`, dim: synVals.get(n)!.dim, init: synVals.get(n)!.value });
        const toNum = (n: string) => (stateNames.has(n) ? sym(rename(n)) : trained.has(n) ? sym(`p$syn${id}$${n}`) : synVals.has(n) ? num(synVals.get(n)!.value) : undefined);
        for (const [sn, rhs] of syn.equations) post.synStates.push({ name: rename(sn), rhs: simplify(substitute(rhs, toNum)), dim: weightDim });
        this.addOutput(where, o.out, weightDim, post, target, substitute(syn.output, toNum), postModel);
        inc = rename(syn.onSpike);
        post.synByKey.set(key, inc);
      }
      const scale = syn.spikeScale ? evaluate(substitute(syn.spikeScale, (n) => (synVals.has(n) ? num(synVals.get(n)!.value) : undefined)), {}) : 1;
      return { targetArray: inc, scale, gated: false };
    }
    if (o.out) throw new BuildError(where, 'out', 'an output needs synaptic dynamics', 'add syn: Expon({ tau: ... }), or remove out to add weights directly to a variable');
    const target = o.target;
    const line = target === undefined ? undefined : postModel.lines.find((l) => l.name === target);
    if (!line || line.kind === 'sub') {
      const candidates = postModel.lines.filter((l) => l.kind === 'diff' || l.kind === 'value').map((l) => l.name);
      throw new BuildError(where, 'target', `${target === undefined ? 'missing' : `'${target}' is not a state variable or an input of ${postModel.name}`}`, `without syn, name the variable each spike increments, or the input a delta current enters: one of ${candidates.join(', ')}`);
    }
    if (line.flags.includes('input')) return this.deltaCurrentTarget(where, line.name, line.dim, weightDim, post, postModel, gatedVar);
    if (!dimEq(line.dim, weightDim)) {
      throw new BuildError(where, 'weight', `has dimension ${formatDim(weightDim)} but '${target}' of ${postModel.name} has dimension ${formatDim(line.dim)}`, `give the weight in ${formatDim(line.dim)}, e.g. '1 ${exampleUnit(line.dim)}'`);
    }
    return { targetArray: target!, scale: 1, gated: gatedVar(target!) };
  }

  /**
   * A delta current into an input: each spike adds w·δ(t − t_spike) to the input, so the
   * variable x whose equation reads it jumps by w·∂(dx/dt)/∂input. The weight is the input's
   * integral over time (a charge for a current). The jump must be one constant for the group:
   * exactly one differential equation reads the input, linearly, with scalar coefficients.
   */
  private deltaCurrentTarget(where: string, input: string, inputDim: Dim, weightDim: Dim, post: GroupPlan, postModel: NeuronModel, gatedVar: (name: string) => boolean): { targetArray: string; scale: number; gated: boolean } {
    const want = dimMul(inputDim, SECOND);
    const example = dimEq(inputDim, UNITS.get('pA')!.dim) ? "'1 pC' (pA·s)" : `the input's unit times a time, e.g. '1 ${exampleUnit(inputDim)}*ms'`;
    if (!dimEq(weightDim, want)) {
      throw new BuildError(where, 'weight', `a delta current into input '${input}' of ${postModel.name} is weighted by the input's integral over time (${formatDim(want)}), got ${formatDim(weightDim)}`, `give the weight as ${example}, or target a state variable (the weight is then its jump)`);
    }
    const probe = 'dlt$probe';
    const scalars = post.scalars ?? new Map<string, number>();
    const perNeuron = new Set([...postModel.params.keys()].filter((n) => !scalars.has(n)));
    const expand = makeExpander({ model: postModel, scalars, perNeuron, inputTerms: new Map([[input, [sym(probe)]]]), dt: this.dtValue, where });
    const reads: { name: string; coef: Expr }[] = [];
    for (const l of postModel.lines) {
      if (l.kind !== 'diff') continue;
      const coef = simplify(diff(simplify(expand(l.expr!)), probe));
      if (!(coef.k === 'num' && coef.v === 0)) reads.push({ name: l.name, coef });
    }
    if (reads.length === 0) throw new BuildError(where, 'target', `no differential equation of ${postModel.name} reads input '${input}'`, 'target the state variable each spike should increment');
    if (reads.length > 1) throw new BuildError(where, 'target', `input '${input}' enters the equations of ${reads.map((r) => r.name).join(' and ')}: a delta current would make several variables jump`, `target one state variable directly (e.g. '${reads[0].name}', weight in its unit)`);
    const { name: x, coef } = reads[0];
    if (coef.k !== 'num' || !Number.isFinite(coef.v)) {
      throw new BuildError(where, 'target', `the jump of '${x}' per unit of input '${input}' is ${show(coef)}, which is not one constant for the group (per-neuron parameters, or the input multiplies a variable)`, `give the parameters in it one value for the group, or target '${x}' directly with the weight in its unit`);
    }
    return { targetArray: x, scale: coef.v, gated: gatedVar(x) };
  }

  /** Checks an output's dimensions and adds its term (with `g` := gExpr) to the post input. Returns its dimension. */
  private addOutput(where: string, out: SynapseOutput, weightDim: Dim, post: GroupPlan, target: string, gExpr: Expr, postModel: NeuronModel): Dim {
    const outVals = resolveQuantities(out.params, [], where, 'out');
    for (const pv of out.postVars) {
      if (!postModel.dimOf(pv)) throw new BuildError(where, 'out', `${out.kind} reads '${pv}', which ${postModel.name} does not have`, `name the membrane variable, e.g. COBA({ E: '0 mV', V: 'V' })`);
    }
    const targetDim = postModel.dimOf(target)!;
    let outDim: Dim;
    try {
      outDim = inferDim(out.expr, (n) => (n === 'g' ? weightDim : outVals.get(n)?.dim ?? postModel.dimOf(n)));
    } catch (err) {
      throw new BuildError(where, 'out', `${out.kind}: ${(err as Error).message}`);
    }
    if (!dimEq(outDim, targetDim)) {
      throw new BuildError(
        where,
        'weight',
        `${out.kind} output '${show(out.expr)}' has dimension ${formatDim(outDim)} with this weight (${formatDim(weightDim)}), but input '${target}' of ${postModel.name} has dimension ${formatDim(targetDim)}`,
        `give the weight in ${formatDim(dimDiv(targetDim, dimDiv(outDim, weightDim)))}`,
      );
    }
    post.inputTerms.get(target)!.push(substitute(out.expr, (n) => (n === 'g' ? gExpr : outVals.has(n) ? num(outVals.get(n)!.value) : undefined)));
    return outDim;
  }

  /** Allocates a group's arrays, applies initial values, and generates its update code. */
  private buildGroup(
    plan: GroupPlan,
    scalars: Map<string, number>,
    seed: number,
    dt: number,
    F: typeof Float32Array | typeof Float64Array,
    name: (a: StateArray | Int32Array, label: string) => string,
  ): string {
    const { group, where, index: gi } = plan;
    const model = group.model;
    const N = group.size;
    const rng = new Rng(seed, 0x67000000 + gi);
    const arrays = new Map<string, StateArray>();
    const dims = new Map<string, Dim>();
    const lines = model.lines;
    const inputs = new Set(model.inputNames());

    const timedInputs: { input: string; table: Float64Array; stepRatio: number; columns: number; rows: number }[] = [];
    // Per-neuron parameters.
    const perNeuron = new Set<string>();
    for (const [pn, def] of model.params) {
      if (scalars.has(pn)) continue;
      const a = new F(N);
      fillInit(a, group.options.params?.[pn] ?? def.source, def.dim, rng, where, `params.${pn}`);
      const timeLike = dimEq(def.dim, SECOND) || (model.spec.positive ?? []).includes(pn);
      if (timeLike) for (let i = 0; i < N; i++) if (!(a[i] > 0)) throw new BuildError(where, `params.${pn}`, `must be positive, but neuron ${i} has ${a[i]}`, 'draw from a distribution that stays positive');
      arrays.set(`p$${pn}`, a);
      dims.set(pn, def.dim);
      perNeuron.add(pn);
    }
    // State variables and values.
    const inits = { ...(model.spec.init ?? {}), ...(group.options.init ?? {}) };
    for (const l of lines) {
      if (l.kind === 'sub') continue;
      if (inputs.has(l.name)) {
        const a = new F(N);
        const pending = group.pendingInputs.get(l.name);
        if (pending !== undefined && !isScalarInit(pending) && 'kind' in pending) {
          // A time-varying input: a table indexed by step inside the kernel.
          const unit = parseQuantity(`1 ${pending.unit}`.replace(/^1 1$/, '1'));
          if (!dimEq(unit.dim, l.dim)) throw new BuildError(where, `input ${l.name}`, `timed values are in ${pending.unit} (${formatDim(unit.dim)}) but ${l.name} is ${formatDim(l.dim)}`, `give unit: '${exampleUnit(l.dim)}'`);
          if (pending.perNeuron !== 1 && pending.perNeuron !== N) throw new BuildError(where, `input ${l.name}`, `the table has ${pending.perNeuron} columns for ${N} neurons`, `give 1 column (shared) or ${N}`);
          const tab = Float64Array.from(pending.values, (x) => x * unit.value);
          timedInputs.push({ input: l.name, table: tab, stepRatio: dt / pending.dt, columns: pending.perNeuron, rows: tab.length / pending.perNeuron });
          plan.inputTerms.get(l.name)!.push(sym(`tab$${l.name}`));
        } else if (pending !== undefined) fillInit(a, pending, l.dim, rng, where, `input ${l.name}`);
        arrays.set(`ext$${l.name}`, a);
        dims.set(`ext$${l.name}`, l.dim);
        continue;
      }
      const a = new F(N);
      const init = inits[l.name];
      if (init !== undefined) fillInit(a, init, l.dim, rng, where, `init.${l.name}`);
      arrays.set(l.name, a);
      dims.set(l.name, l.dim);
    }
    for (const s of plan.synStates) {
      arrays.set(s.name, new F(N).fill(s.init ?? 0));
      dims.set(s.name, s.dim);
    }
    for (const s of plan.extraValues) {
      arrays.set(s.name, new F(N).fill(s.init));
      dims.set(s.name, s.dim);
    }
    group.pendingInputs.clear();

    // Dimension check of the model's own equations, then expansion with this group's parameters.
    checkModelDimensions(model, where);
    const expand = makeExpander({ model, scalars, perNeuron, inputTerms: plan.inputTerms, dt, where });
    // Random draws (rand(), randn()) become per-neuron locals, one stream per place of use.
    const draws: { name: string; fn: string }[] = [];
    const withDraws = (e: Expr): Expr => replaceRandom(e, (fn) => {
      const name = `rnd$${draws.length}`;
      draws.push({ name, fn });
      return name;
    });
    const vars: OdeVar[] = [
      ...lines.filter((l) => l.kind === 'diff').map((l) => ({ name: l.name, rhs: withDraws(simplify(expand(l.expr!))), gated: l.flags.includes('unless refractory') })),
      ...plan.synStates.map((s) => ({ name: s.name, rhs: withDraws(s.rhs), gated: false, exact: s.exact })),
    ];
    const threshold = model.threshold ? withDraws(simplify(expand(model.threshold))) : undefined;
    const resets = [...model.reset.map((r) => ({ target: r.target, op: r.op, value: withDraws(simplify(expand(r.value))) })), ...plan.spikeStatements];
    const stateNames = new Set(vars.map((v) => v.name));
    let method;
    try {
      method = chooseMethod(vars, group.options.method ?? model.spec.method ?? 'auto');
    } catch (err) {
      throw new BuildError(where, 'method', (err as Error).message);
    }
    const notDifferentiable =
      draws.length > 0 ? 'it draws random numbers' : noiseSymbols(vars).length > 0 ? 'its equations contain white noise' : timedInputs.length > 0 ? 'it has a timed input' : plan.refCondition ? 'its refractoriness is a condition' : undefined;
    const refCondition = plan.refCondition ? withDraws(simplify(expand(plan.refCondition))) : undefined;
    const lowered = this.irBuilder.addGroup({
      index: gi,
      where,
      size: N,
      kind: group instanceof SpikeGeneratorGroup ? 'input' : 'neurons',
      keys: [...arrays.keys()],
      vars,
      method,
      threshold,
      resets,
      refSteps: plan.refSteps,
      refCondition,
      notDifferentiable,
    });

    let lastSpike: Int32Array = new Int32Array(N).fill(-0x40000000);
    let spikes: Int32Array = new Int32Array(plan.ring * N);
    const counts = new Int32Array(plan.ring);

    // The WebAssembly SIMD backend runs this group's update when everything it needs is supported;
    // its state then lives in one WebAssembly memory, whose views replace the arrays above.
    // The WebAssembly kernel is generated from the group's step IR too (slot symbols).
    plan.symbolOf = lowered.symbolOf;
    // Each draw has its own stream (group, place); the counter is (neuron, step): any order, any thread, same numbers.
    const streamBase = (0x52000000 + gi * 4096) >>> 0;
    const random: RandomDraw[] = [
      ...draws.map((d, k) => ({ symbol: d.name, kind: d.fn === 'rand' ? ('uniform' as const) : ('normal' as const), seed, stream: streamBase + k })),
      ...noiseSymbols(vars).map((z, k) => ({ symbol: z, kind: 'normal' as const, seed, stream: streamBase + 2048 + k })),
    ];
    const wasm = this.wasmGroup({ plan, arrays, vars: [...lowered.ir.vars], method, dt, threshold: lowered.ir.threshold, resets: [...lowered.ir.resets], draws: draws.length, random, timed: timedInputs.length, lastSpike, spikes, F, model });
    if (wasm) {
      lastSpike = wasm.lastSpike;
      spikes = wasm.spikes;
    }

    // A PoissonGroup with input rates (one value, per neuron) and nothing else to update runs in the
    // step engine as a Poisson source drawing the same numbers as the JavaScript kernel below.
    // (plasticity traces are allowed: the engine updates pre traces itself, see buildEngine)
    if (group instanceof PoissonGroup && !group.ratesExpression && !wasm && draws.length === 1 && vars.every((v) => v.exact) && timedInputs.length <= 1 && plan.spikeStatements.length === 0 && plan.refSteps === 0) {
      const tab = timedInputs[0];
      plan.poissonEngine = {
        seed,
        stream: (0x52000000 + gi * 4096) >>> 0,
        rates: lowered.symbolOf.get('ext$rates')!,
        table: tab ? { data: tab.table, stepRatio: tab.stepRatio, rows: tab.rows, columns: tab.columns } : undefined,
      };
    }
    // The JavaScript kernel is generated from the group's step IR: arrays are slots (symbol s<k>,
    // kernel constant G<group>_a<k>); white-noise symbols become xi_<k> and timed tables tab<k>.
    // No user name reaches the generated source.
    const gir = lowered.ir;
    const extra = new Map<string, string>();
    noiseSymbols(vars).forEach((z, k) => extra.set(z, `xi_${String(k).padStart(4, '0')}`));
    timedInputs.forEach((x, k) => extra.set(`tab$${x.input}`, `tab${k}`));
    const mint = (e: Expr): Expr => substitute(e, (n) => (extra.has(n) ? sym(extra.get(n)!) : undefined));
    const jsVars: OdeVar[] = gir.vars.map((v) => ({ name: v.name, rhs: mint(v.rhs), gated: v.gated, exact: v.exact }));
    const jsThreshold = gir.threshold ? mint(gir.threshold) : undefined;
    const jsResets = gir.resets.map((r) => ({ target: r.target, op: r.op, value: mint(r.value) }));
    const jsRefCondition = gir.refCondition ? mint(gir.refCondition) : undefined;
    const jsStates = new Set(jsVars.map((v) => v.name));
    const arrayRef = new Map<string, string>();
    [...arrays.keys()].forEach((key, k) => arrayRef.set(lowered.symbolOf.get(key)!, name(arrays.get(key)!, `G${gi}_a${k}`)));
    const LS = name(lastSpike, `G${gi}_lastspike`);
    const timedRef = new Map(timedInputs.map((x, k) => [`tab${k}`, name(x.table as StateArray, `G${gi}_tab${k}`)]));
    const noise = noiseSymbols(jsVars);
    const other = (n: string): string => {
      if (n === 't') return 't';
      if (n === 'lastspike') return `(${LS}[i] * ${jsNumber(dt)})`;
      if (n.startsWith('rnd$') || isNoiseSymbol(n)) return n.replace(/^xi/, 'z$xi');
      const tk = /^tab(\d+)$/.exec(n);
      if (tk) {
        const ti = timedInputs[Number(tk[1])];
        return `${timedRef.get(n)}[${ti.columns === 1 ? `ti${tk[1]}` : `ti${tk[1]} * ${N} + i`}]`;
      }
      const a = arrayRef.get(n);
      if (a) return `${a}[i]`;
      throw new BuildError(where, 'equations', 'internal: a symbol without an array reached the code generator');
    };
    let stepCode: string;
    try {
      stepCode = generateStep(jsVars, method, dt, other, plan.refSteps > 0 || plan.refCondition ? 'nr' : null);
    } catch (err) {
      if (err instanceof IntegratorError) throw new BuildError(where, 'method', err.message);
      throw err;
    }
    stepCode = stepCode.replace(/const n_/g, 'let n_');
    const afterStep = (n: string) => (jsStates.has(n) ? `n_${n}` : other(n));
    const SP = name(spikes, `G${gi}_spikes`);
    const CN = name(counts, `G${gi}_counts`);
    const out: string[] = [];
    if (wasm) {
      const U = name(wasm.update as unknown as Int32Array, `G${gi}_wasm`);
      const FLAG = name(wasm.flag, `G${gi}_flag`);
      out.push(`{ const slot = n % ${plan.ring}; ${CN}[slot] = ${U}(n, ${wasm.spikeOffset} + slot * ${N * 4});`);
      if (wasm.flushTiny) out.push(`if ((n & 255) === 255) ${name(wasm.flushTiny as unknown as Int32Array, `G${gi}_flush`)}();`);
      if (this.options.checkDivergence !== false) out.push(`if (${FLAG}[0] !== 0) D(${gi}, n);`);
      out.push('}');
      group.runtime = { index: gi, arrays, dims, spikes, counts, ring: plan.ring, lastSpike, scalars, method, backend: `wasm ${wasm.lanes}` };
      return out.join('\n');
    }
    out.push('{');
    out.push(`const slot = n % ${plan.ring}; const sb = slot * ${N}; let ns = 0; let chk = 0;`);
    timedInputs.forEach((x, k) => out.push(`const ti${k} = Math.min(Math.floor(n * ${jsNumber(x.stepRatio)} + 1e-9), ${x.rows - 1});`));
    let due: string | undefined;
    if (group instanceof SpikeGeneratorGroup) {
      // Scheduled spikes mark their neurons; the neuron loop below treats the mark as the threshold.
      due = name(new Uint8Array(N) as unknown as Int32Array, `G${gi}_due`);
      out.push(this.generatorCode(group, plan, dt, name, due));
    }
    out.push(`for (let i = 0; i < ${N}; i++) {`);
    for (const v of jsVars) out.push(`const c_${v.name} = ${other(v.name)};`);
    if (plan.refSteps > 0) out.push(`const nr = (n - ${LS}[i]) >= ${plan.refSteps};`);
    // Brian2's refractory condition: a neuron enters refractoriness by spiking and leaves it at the
    // first step that starts with the condition false (not_refractory = not_refractory or not cond).
    // The flag holds not_refractory after the step's threshold; deliveries onto gated variables read it.
    const NRF = plan.nrFlag ? name(plan.nrFlag as unknown as Int32Array, `G${gi}_nrflag`) : '';
    if (jsRefCondition) out.push(`const nr = ${NRF}[i] === 1 || !${emitJS(jsRefCondition, (x) => (jsStates.has(x) ? `c_${x}` : other(x)))};`, `${NRF}[i] = nr ? 1 : 0;`);
    draws.forEach((d, k) => out.push(`const ${d.name} = H.${d.fn === 'rand' ? 'uniform' : 'normal'}(${seed}, ${streamBase + k}, i, n);`));
    noise.forEach((z, k) => out.push(`const ${other(z)} = H.normal(${seed}, ${streamBase + 2048 + k}, i, n);`));
    out.push(stepCode);
    if (jsThreshold || due) {
      const cond = due ? `${due}[i] === 1` : emitJS(jsThreshold!, afterStep);
      out.push(`if (${plan.refSteps > 0 || plan.refCondition ? 'nr && ' : ''}${cond}) {`);
      if (due) out.push(`${due}[i] = 0;`);
      for (const r of jsResets) {
        const value = emitJS(r.value, afterStep);
        const lhs = afterStep(r.target);
        out.push(r.op === '=' ? `${lhs} = ${value};` : `${lhs} ${r.op} ${value};`);
      }
      out.push(`${LS}[i] = n; ${SP}[sb + ns] = i; ns++;`);
      if (NRF) out.push(`${NRF}[i] = 0;`);
      out.push('}');
    }
    for (const v of jsVars) out.push(`${other(v.name)} = n_${v.name};`);
    if (this.options.checkDivergence !== false && vars.length > 0) out.push(`chk += ${jsVars.map((v) => `n_${v.name}`).join(' + ')};`);
    out.push('}');
    out.push(`${CN}[slot] = ns;`);
    if (this.options.checkDivergence !== false && vars.length > 0) out.push(`if (!(chk - chk === 0)) D(${gi}, n);`);
    out.push('}');

    group.runtime = {
      index: gi,
      arrays,
      dims,
      spikes,
      counts,
      ring: plan.ring,
      lastSpike,
      scalars,
      method,
    } satisfies GroupRuntime;
    return out.join('\n');
  }

  private projectionCode(pp: ProjPlan, k: number, pre: GroupPlan, post: GroupPlan, name: (a: StateArray | Int32Array, label: string) => string): string {
    const transmit = this.transmissionCode(pp, k, pre, post, name);
    return pp.plastic ? `${transmit}\n${this.plasticityCode(pp, pp.plastic, k, post, name)}` : transmit;
  }

  /**
   * Rate coupling with conduction delays: the source's values of the last R steps are kept in a
   * history ring (R = longest delay + 1, one row of pre values per step), and synapse s reads the
   * row of step n − delay(s). Before the first step the history holds the initial values (filled at
   * step 0), as whole-brain simulators start from a constant history.
   */
  private delayedCouplingCode(pp: ProjPlan, k: number, name: (a: StateArray | Int32Array, label: string) => string): string {
    const { proj, csr, weights, weight, delaySteps, delays } = pp;
    let maxD = delaySteps;
    if (delays) for (const d of delays) if (d > maxD) maxD = d;
    const R = maxD + 1;
    const Npre = proj.pre.size;
    const F = this.options.dtype === 'float64' ? Float64Array : Float32Array;
    const HIST = name(new F(R * Npre), `P${k}_hist`);
    const SRC = name(proj.pre.group.runtime!.arrays.get(pp.sourceArray!)!, `P${k}_source`);
    const T = name(proj.post.group.runtime!.arrays.get(pp.targetArray)!, `P${k}_target`);
    const IP = name(csr.indptr, `P${k}_indptr`);
    const IX = name(csr.indices, `P${k}_indices`);
    const W = weights ? `${name(weights, `P${k}_w`)}[s]` : jsNumber(weight);
    const D = delays ? `${name(delays, `P${k}_delays`)}[s]` : String(delaySteps);
    const postOff = proj.post.start === 0 ? '' : `${proj.post.start} + `;
    return [
      '{',
      `if (n === 0) for (let q = 0; q < ${R}; q++) for (let r = 0; r < ${Npre}; r++) ${HIST}[q * ${Npre} + r] = ${SRC}[${proj.pre.start} + r];`,
      `const hb = (n % ${R}) * ${Npre};`,
      `for (let r = 0; r < ${Npre}; r++) ${HIST}[hb + r] = ${SRC}[${proj.pre.start} + r];`,
      `for (let j = 0; j < ${proj.post.group.size}; j++) ${T}[j] = 0;`,
      `for (let r = 0; r < ${Npre}; r++) {`,
      `const e = ${IP}[r + 1];`,
      `for (let s = ${IP}[r]; s < e; s++) ${T}[${postOff}${IX}[s]] += ${W} * ${HIST}[((n - ${D} + ${R}) % ${R}) * ${Npre} + r];`,
      '}',
      '}',
    ].join('\n');
  }

  /**
   * The condition under which post neuron `idx` (code) takes an increment at step n: always (''),
   * or, for a target held by (unless refractory), only while the neuron is not refractory.
   */
  private gateCode(gated: boolean, post: GroupPlan, name: (a: StateArray | Int32Array, label: string) => string, idx: string): string {
    if (!gated) return '';
    if (post.nrFlag) return `${name(post.nrFlag as unknown as Int32Array, `G${post.index}_nrflag`)}[${idx}] === 1`;
    return `(n - ${name(post.group.runtime!.lastSpike, `G${post.index}_lastspike`)}[${idx}]) >= ${post.refSteps}`;
  }

  private transmissionCode(pp: ProjPlan, k: number, pre: GroupPlan, post: GroupPlan, name: (a: StateArray | Int32Array, label: string) => string): string {
    const { proj, csr, weights, weight, delaySteps, delays, targetArray } = pp;
    // `add(idx, value)`: the increment of post neuron idx, dropped while a gated target is refractory
    const add = (idx: string, value: string) => {
      const g = this.gateCode(pp.gated, post, name, idx);
      return g ? `if (${g}) ${T}[${idx}] += ${value};` : `${T}[${idx}] += ${value};`;
    };
    const preRt = proj.pre.group.runtime!;
    const postRt = proj.post.group.runtime!;
    const IP = name(csr.indptr, `P${k}_indptr`);
    const IX = name(csr.indices, `P${k}_indices`);
    const T = targetArray === '' ? '' : name(postRt.arrays.get(targetArray)!, `P${k}_target`);
    const W = weights ? `${name(weights, `P${k}_w`)}[s]` : jsNumber(weight);
    const N = proj.pre.group.size;
    const postOff = proj.post.start === 0 ? '' : `${proj.post.start} + `;
    proj.runtime = { csr, weights, weight, delaySteps, delays, targetArray, modulate: pp.plastic && pp.plastic.modulation.length > 0 ? this.modulator(pp, pp.plastic) : undefined };
    if (pp.kind === 'continuous' && (delays || delaySteps > 0)) return this.delayedCouplingCode(pp, k, name);
    if (pp.kind === 'continuous') {
      const SRC = name(preRt.arrays.get(pp.sourceArray!)!, `P${k}_source`);
      const lines = ['{', `for (let j = 0; j < ${proj.post.group.size}; j++) ${T}[j] = 0;`, `for (let r = 0; r < ${proj.pre.size}; r++) {`, `const val = ${SRC}[${proj.pre.start} + r];`];
      if (pp.gapPost) {
        const VP = name(postRt.arrays.get(pp.gapPost)!, `P${k}_vpost`);
        lines.push(`const e = ${IP}[r + 1];`, `for (let s = ${IP}[r]; s < e; s++) { const j = ${postOff}${IX}[s]; ${T}[j] += ${W} * (val - ${VP}[j]); }`);
      } else {
        lines.push('if (val === 0) continue;', `const e = ${IP}[r + 1];`, `for (let s = ${IP}[r]; s < e; s++) ${T}[${postOff}${IX}[s]] += ${W} * val;`);
      }
      lines.push('}', '}');
      return lines.join('\n');
    }
    const SP = name(preRt.spikes, `P${k}_prespikes`);
    const CN = name(preRt.counts, `P${k}_precounts`);
    const whole = proj.pre.start === 0 && proj.pre.stop === N;
    const release = pp.stpRelease ? name(preRt.arrays.get(pp.stpRelease)!, `P${k}_release`) : undefined;
    const rowOf = whole ? `const r = ${SP}[b + q];` : `const r = ${SP}[b + q] - ${proj.pre.start}; if (r < 0 || r >= ${proj.pre.size}) continue;`;
    const preIndex = proj.pre.start === 0 ? 'r' : `(r + ${proj.pre.start})`;
    if (delays) {
      // Per-synapse delays: increments wait in a ring of post-synaptic slots.
      let maxD = 0;
      for (const d of delays) if (d > maxD) maxD = d;
      const R = maxD + 1;
      const M = proj.post.group.size;
      const ring = new Float64Array(R * M);
      const RG = name(ring as unknown as StateArray, `P${k}_ring`);
      const D = name(delays, `P${k}_delays`);
      return [
        '{',
        `const slot = n % ${pre.ring}; const c = ${CN}[slot]; const b = slot * ${N};`,
        'for (let q = 0; q < c; q++) {',
        rowOf,
        `const e = ${IP}[r + 1];`,
        release ? `const rel = ${release}[${preIndex}];` : '',
        // with plasticity the rule acts when the spike is emitted: the weight sent is the one before its on-pre change
        pp.plastic
          ? this.onPreCode(pp, pp.plastic, k, name, T === '' ? '' : `${RG}[((n + ${D}[s]) % ${R}) * ${M} + j] += ${release ? `${W} * rel` : W};`, preIndex)
          : `for (let s = ${IP}[r]; s < e; s++) ${RG}[((n + ${D}[s]) % ${R}) * ${M} + ${postOff}${IX}[s]] += ${release ? `${W} * rel` : W};`,
        '}',
        // increments arriving now land (or are dropped by a refractory post neuron); the slot is emptied either way
        T === '' ? '' : `const rb = (n % ${R}) * ${M};`,
        T === '' ? '' : `for (let j = 0; j < ${M}; j++) { const x = ${RG}[rb + j]; if (x !== 0) { ${add('j', 'x')} ${RG}[rb + j] = 0; } }`,
        '}',
      ].join('\n');
    }
    if (pp.jitRow) {
      // The row is regenerated into a scratch buffer from the seed, used, and forgotten.
      const buf = { data: new Int32Array(Math.max(16, proj.post.size)), length: 0, push(j: number) { this.data[this.length++] = j; } };
      const fill = pp.jitFill;
      // the buffer holds a whole post population, so a row always fits
      const row = fill ? (i: number) => fill(i, buf.data, 0) : (i: number) => ((buf.length = 0), pp.jitRow!(i, buf), buf.length);
      const ROW = name(row as unknown as Int32Array, `P${k}_row`);
      const BUF = name(buf.data, `P${k}_rowbuf`);
      return [
        '{',
        delaySteps > 0 ? `const d = n - ${delaySteps}; if (d >= 0) {` : 'const d = n; {',
        `const slot = d % ${pre.ring}; const c = ${CN}[slot]; const b = slot * ${N};`,
        'for (let q = 0; q < c; q++) {',
        rowOf,
        `const len = ${ROW}(r);`,
        `for (let x = 0; x < len; x++) { const jj = ${postOff}${BUF}[x]; ${add('jj', W)} }`,
        '}',
        '}',
        '}',
      ].join('\n');
    }
    // With a delay, a spike transmits the release computed when it was emitted (as Brian2 delays
    // the whole on-pre update): releases are kept per step in a ring beside the spike lists.
    const releaseRing = release && delaySteps > 0 ? name(new Float64Array(pre.ring * N) as unknown as StateArray, `P${k}_relring`) : undefined;
    return [
      '{',
      releaseRing ? `{ const s0 = n % ${pre.ring}; const c0 = ${CN}[s0]; const b0 = s0 * ${N}; for (let q = 0; q < c0; q++) { const i = ${SP}[b0 + q]; ${releaseRing}[b0 + i] = ${release}[i]; } }` : '',
      delaySteps > 0 ? `const d = n - ${delaySteps}; if (d >= 0) {` : 'const d = n; {',
      `const slot = d % ${pre.ring}; const c = ${CN}[slot]; const b = slot * ${N};`,
      'for (let q = 0; q < c; q++) {',
      rowOf,
      `const e = ${IP}[r + 1];`,
      release ? `const rel = ${releaseRing ? `${releaseRing}[b + ${preIndex}]` : `${release}[${preIndex}]`};` : '',
      pp.plastic
        ? this.onPreCode(pp, pp.plastic, k, name, T === '' ? '' : add('j', release ? `${W} * rel` : W), preIndex)
        : `for (let s = ${IP}[r]; s < e; s++) { const jj = ${postOff}${IX}[s]; ${add('jj', release ? `${W} * rel` : W)} }`,
      '}',
      '}',
      '}',
    ].join('\n');
  }

  /** Arrays that plasticity statements read, by side. */
  private plasticArrays(pp: ProjPlan, k: number, name: (a: StateArray | Int32Array, label: string) => string): (side: 'pre' | 'post', v: string) => string {
    const cache = new Map<string, string>();
    return (side, v) => {
      const key = `${side}:${v}`;
      let code = cache.get(key);
      if (code === undefined) {
        const g = side === 'pre' ? pp.proj.pre.group : pp.proj.post.group;
        const a = g.runtime!.arrays.get(v);
        if (!a) throw new BuildError(pp.where, 'plasticity', `'${v}_${side}' is not a state variable or value of ${g.model.name}`, 'read a differential variable or a declared value');
        code = name(a, `L${k}_${side}_${cache.size}`);
        cache.set(key, code);
      }
      return code;
    };
  }

  /** Transmission plus the rule's on-pre statements for each synapse of a spiking pre neuron, then its trace updates. */
  private onPreCode(pp: ProjPlan, plan: PlasticityPlan, k: number, name: (a: StateArray | Int32Array, label: string) => string, transmit: string, preIndex: string): string {
    const arr = this.plasticArrays(pp, k, name);
    const W = name(pp.weights!, `P${k}_w`);
    const IP = `P${k}_indptr`;
    const IX = `P${k}_indices`;
    const postOff = pp.proj.post.start;
    const { load, store } = synapseLocals(plan, W, (v) => name(plan.synVars[v].array as unknown as StateArray, `L${k}_syn${v}`));
    const body = plan.onPre.length ? `${load}\n${emitSynapseStatements(plan.onPre, arr, preIndex, 'j', plan)}\n${store}` : '';
    return [
      `for (let s = ${IP}[r]; s < e; s++) {`,
      `const j = ${postOff} + ${IX}[s];`,
      transmit,
      body,
      '}',
      emitSynapseStatements(plan.preSpike, arr, preIndex, 'j', plan),
    ].join('\n');
  }

  /** The rule's on-post statements over the incoming synapses of spiking post neurons, and clock-driven statements. */
  private plasticityCode(pp: ProjPlan, plan: PlasticityPlan, k: number, post: GroupPlan, name: (a: StateArray | Int32Array, label: string) => string): string {
    const arr = this.plasticArrays(pp, k, name);
    const { proj, csr } = pp;
    const W = name(pp.weights!, `P${k}_w`);
    const synArr = (v: number) => name(plan.synVars[v].array as unknown as StateArray, `L${k}_syn${v}`);
    const { load, store } = synapseLocals(plan, W, synArr);
    const out: string[] = [];
    if (plan.onPost.length || plan.postSpike.length) {
      const { csr: tr, perm } = csrTranspose(csr);
      const TP = name(tr.indptr, `L${k}_tptr`);
      const TI = name(tr.indices, `L${k}_tpre`);
      const PM = name(perm, `L${k}_perm`);
      const postRt = proj.post.group.runtime!;
      const SP = name(postRt.spikes, `L${k}_postspikes`);
      const CN = name(postRt.counts, `L${k}_postcounts`);
      const M = proj.post.group.size;
      out.push(
        '{',
        `const slot = n % ${post.ring}; const c = ${CN}[slot]; const b = slot * ${M};`,
        'for (let q = 0; q < c; q++) {',
        `const j = ${SP}[b + q]; const col = j - ${proj.post.start}; if (col < 0 || col >= ${proj.post.size}) continue;`,
        plan.onPost.length
          ? `for (let x = ${TP}[col], xe = ${TP}[col + 1]; x < xe; x++) { const s = ${PM}[x]; const i = ${proj.pre.start} + ${TI}[x]; ${load}\n${emitSynapseStatements(plan.onPost, arr, 'i', 'j', plan)}\n${store} }`
          : '',
        emitSynapseStatements(plan.postSpike, arr, 'i', 'j', plan),
        '}',
        '}',
      );
    }
    if (plan.every.length) {
      const IP = name(csr.indptr, `P${k}_indptr`);
      const IX = name(csr.indices, `P${k}_indices`);
      out.push(
        `if (n % ${plan.everySteps} === 0) {`,
        `for (let r = 0; r < ${proj.pre.size}; r++) { const i = ${proj.pre.start} + r;`,
        `for (let s = ${IP}[r], e = ${IP}[r + 1]; s < e; s++) { const j = ${proj.post.start} + ${IX}[s]; ${load}\n${emitSynapseStatements(plan.every, arr, 'i', 'j', plan)}\n${store} }`,
        '}',
        '}',
      );
    }
    return out.join('\n');
  }

  /** A compiled function that runs the rule's modulation statements over every synapse. */
  private modulator(pp: ProjPlan, plan: PlasticityPlan): (signals: Record<string, number>) => void {
    const arrays: (StateArray | Int32Array)[] = [];
    const hoist: string[] = [];
    const seen = new Set<string>();
    const name = (a: StateArray | Int32Array, label: string) => {
      if (seen.has(label)) return label;
      seen.add(label);
      arrays.push(a);
      hoist.push(`const ${label} = A[${arrays.length - 1}];`);
      return label;
    };
    const arr = this.plasticArrays(pp, 0, name);
    const W = name(pp.weights!, 'W');
    const IP = name(pp.csr.indptr, 'IP');
    const IX = name(pp.csr.indices, 'IX');
    const { load, store } = synapseLocals(plan, W, (v) => name(plan.synVars[v].array as unknown as StateArray, `S${v}`));
    const body = [
      '"use strict";',
      ...hoist,
      'return function modulate(sig, t) {',
      `for (let r = 0; r < ${pp.proj.pre.size}; r++) { const i = ${pp.proj.pre.start} + r;`,
      `for (let s = ${IP}[r], e = ${IP}[r + 1]; s < e; s++) { const j = ${pp.proj.post.start} + ${IX}[s]; ${load}\n${emitSynapseStatements(plan.modulation, arr, 'i', 'j', plan)}\n${store} }`,
      '}',
      '};',
    ].join('\n');
    const fn = compileKernel(['A', 'H'], body)(arrays, KERNEL_HELPERS) as (sig: Float64Array, t: number) => void;
    return (signals) => {
      for (const s of plan.signals) {
        if (typeof signals[s] !== 'number' || !Number.isFinite(signals[s])) throw new BuildError(pp.where, 'modulate', `signal '${s}' must be a finite number, got ${signals[s]}`);
      }
      fn(Float64Array.from(plan.signals, (s) => signals[s]), this.t);
    };
  }

  /**
   * Moves a group into a WebAssembly memory and builds its SIMD update kernel, when the backend
   * allows and the group uses only what the kernel supports; returns undefined otherwise (the
   * JavaScript kernel then runs the group).
   */
  private wasmGroup(g: {
    plan: GroupPlan;
    arrays: Map<string, StateArray>;
    vars: OdeVar[];
    method: string;
    dt: number;
    threshold: Expr | undefined;
    resets: { target: string; op: Assignment['op']; value: Expr }[];
    draws: number;
    random: RandomDraw[];
    timed: number;
    lastSpike: Int32Array;
    spikes: Int32Array;
    F: typeof Float32Array | typeof Float64Array;
    model: NeuronModel;
  }): { update: (n: number, off: number) => number; flag: Int32Array; lastSpike: Int32Array; spikes: Int32Array; spikeOffset: number; lanes: string; flushTiny?: () => void } | undefined {
    const backend = this.options.backend ?? 'auto';
    if (backend === 'js' || (globalThis as { WebAssembly?: unknown }).WebAssembly === undefined) return undefined;
    const { plan, arrays, vars } = g;
    const N = plan.group.size;
    const uses = new Set<string>();
    for (const e of [...vars.map((v) => v.rhs), ...(g.threshold ? [g.threshold] : []), ...g.resets.map((r) => r.value)]) for (const s of symbolsOf(e)) uses.add(s);
    // Short-term plasticity's spike statements (u, x, and the release r, an array the kernel's reset stores) run in the kernel.
    const stp = plan.spikeStatements.filter((s) => STP_KEY.test(s.target));
    const stpSlots = new Set(stp.map((s) => plan.symbolOf!.get(s.target)));
    // The first reason the WebAssembly kernel cannot run the group, named in messages (and why a network stays on the JavaScript loop).
    const why =
      N === 0
        ? 'it has no neurons'
        : !['euler', 'rk2', 'rk4', 'exp_euler', 'euler_maruyama', 'milstein'].includes(g.method)
          ? `its integrator '${g.method}' has no WebAssembly kernel`
          : g.draws > 0 && plan.group instanceof PoissonGroup
            ? 'it draws random numbers as a PoissonGroup whose rates are an expression (the step engine runs a PoissonGroup whose rates are values)'
            : g.timed > 0
              ? 'it has a timed input'
              : plan.refCondition
                  ? 'its refractoriness is a condition'
                  : plan.group instanceof SpikeGeneratorGroup
                    ? 'it is a spike generator'
                    : uses.has('lastspike')
                      ? 'its equations read lastspike'
                      : !g.resets.every((r) => vars.some((v) => v.name === r.target) || stpSlots.has(r.target))
                        ? 'a reset assigns a value that is not integrated'
                        : '';
    if (why) {
      plan.wasmWhy = why;
      if (backend === 'wasm') throw new BuildError(`group '${plan.group.name}'`, 'backend', `the WebAssembly backend cannot run this group: ${why}`, "use backend: 'auto'");
      return undefined;
    }
    const lanes = g.F === Float32Array ? 'f32x4' : 'f64x2';
    const arena = new WasmArena();
    const offsets: Record<string, number> = {};
    const sym = plan.symbolOf!;
    for (const [key, a] of arrays) offsets[sym.get(key)!] = arena.reserve(a.byteLength);
    const lsOff = arena.reserve(N * 4);
    const spOff = arena.reserve(g.spikes.byteLength);
    const flagOff = arena.reserve(4);
    if (arena.size > WASM_MAX_BYTES) {
      if (backend === 'wasm') throw new BuildError(`group '${plan.group.name}'`, 'backend', `the group needs ${formatBytes(arena.size)} in one WebAssembly memory, which holds at most 4.3 GB`, "use backend: 'auto' (the JavaScript kernel runs larger groups), or split the group");
      return undefined;
    }
    let kernel;
    const description = { lanes, vars, method: g.method as 'euler', random: g.random, dt: g.dt, threshold: g.threshold ?? null, reset: g.resets, refSteps: plan.refSteps } as const;
    try {
      kernel = buildUpdateKernel({
        ...description,
        size: N,
        arrays: offsets,
        lastSpikeOffset: lsOff,
        finiteFlagOffset: flagOff,
        memory: arena.limits(),
        // Subnormal floats (|x| < 1.2e-38, e.g. a conductance decaying without input) are 10–100×
        // slower on x86 and wasm cannot flush them to zero. Instead of a check on every value
        // every step, the group's code flushes them every 256 steps (flushTiny): a value needs
        // ~16 time constants to pass through the subnormal range, far longer than 256 steps.
        flushSubnormals: false,
      });
    } catch (err) {
      // Unsupported functions, or a model the integrator refuses: the JavaScript path handles the
      // first and reports the second with the model, field and fix.
      plan.wasmWhy = `the WebAssembly kernel refuses its equations (${(err as Error).message})`;
      if (backend === 'auto') return undefined;
      throw new BuildError(`group '${plan.group.name}'`, 'backend', `the WebAssembly backend cannot run this group: ${(err as Error).message}`, "use backend: 'auto'");
    }
    plan.wasmKernel = description;
    const memory = arena.memory();
    for (const [key, a] of [...arrays]) {
      const off = offsets[sym.get(key)!];
      const view = lanes === 'f32x4' ? arena.f32(off, a.length) : arena.f64(off, a.length);
      view.set(a);
      arrays.set(key, view);
    }
    const lastSpike = arena.i32(lsOff, N);
    lastSpike.set(g.lastSpike);
    const spikes = arena.i32(spOff, g.spikes.length);
    const keyOf = new Map([...sym].map(([k, v]) => [v, k]));
    const states = lanes === 'f32x4' ? vars.map((v) => arrays.get(keyOf.get(v.name)!)!) : [];
    const flushTiny = () => {
      for (const a of states) for (let i = 0; i < a.length; i++) if (a[i] !== 0 && Math.abs(a[i]) < 1.1754943508222875e-38) a[i] = 0;
    };
    return { update: kernel.instantiate(memory), flag: arena.i32(flagOff, 1), lastSpike, spikes, spikeOffset: spOff, lanes, flushTiny: states.length ? flushTiny : undefined };
  }

  /** A spike generator's step: emit the scheduled spikes of step n. */
  private generatorCode(group: SpikeGeneratorGroup, plan: GroupPlan, dt: number, name: (a: StateArray | Int32Array, label: string) => string, due: string): string {
    const where = `SpikeGeneratorGroup '${group.name}'`;
    const { indices, times } = group.schedule;
    const steps = Int32Array.from(times, (t) => Math.round(t / dt));
    for (let k = 1; k < steps.length; k++) {
      if (steps[k] === steps[k - 1] && indices[k] === indices[k - 1]) {
        throw new BuildError(where, 'times', `neuron ${indices[k]} would spike twice in step ${steps[k]} (t = ${times[k]} s)`, 'keep at least one time step between two spikes of one neuron');
      }
    }
    const gi = plan.index;
    const ST = name(steps, `G${gi}_gensteps`);
    const IX = name(indices, `G${gi}_genidx`);
    const PTR = name(new Int32Array(1), `G${gi}_genptr`);
    return [
      `let p = ${PTR}[0];`,
      `while (p < ${steps.length} && ${ST}[p] < n) p++;`,
      `while (p < ${steps.length} && ${ST}[p] === n) ${due}[${IX}[p++]] = 1;`,
      `${PTR}[0] = p;`,
    ].join('\n');
  }

  /** Poisson drive: Binomial(num, rate·dt) spikes per target neuron and step, counter-based. */
  private poissonCode(pi: PoissonInput, k: number, seed: number, dt: number, name: (a: StateArray | Int32Array, label: string) => string): string {
    const { targetArray, weight, gated, post } = this.poissonTargets[k];
    const T = name(pi.post.group.runtime!.arrays.get(targetArray)!, `Q${k}_target`);
    let rate: number;
    try {
      rate = quantityIn(pi.options.rate, dimDiv(DIMENSIONLESS, SECOND) as Dim);
    } catch (err) {
      throw new BuildError(`PoissonInput '${pi.name}'`, 'rate', (err as Error).message, "give a rate such as '5 Hz'");
    }
    const p = rate * dt;
    if (!(p >= 0 && p <= 1)) throw new BuildError(`PoissonInput '${pi.name}'`, 'rate', `rate × dt must be in [0, 1], got ${p}`, 'lower the rate or the time step');
    this.poissonTargets[k].p = p;
    const off = pi.post.start;
    // a target held by (unless refractory) drops what arrives while the neuron is refractory
    const gate = this.gateCode(gated, post, name, 'jj');
    return [
      `for (let j = 0; j < ${pi.post.size}; j++) {`,
      `const c = H.binomial(${seed}, ${(0x50000000 + k) >>> 0}, j, n, ${pi.options.num}, ${jsNumber(p)});`,
      `if (c !== 0) { const jj = ${off} + j; ${gate ? `if (${gate}) ` : ''}${T}[jj] += c * ${jsNumber(weight)}; }`,
      '}',
    ].join('\n');
  }

  /** Per PoissonInput: where its increments go, and (once its code is generated) the probability per source and step. */
  private poissonTargets: { targetArray: string; weight: number; gated: boolean; post: GroupPlan; p: number }[] = [];

  private locateDivergence(gi: number, n: number): never {
    const g = this.groups[gi];
    for (const [varName, a] of g.runtime!.arrays) {
      for (let i = 0; i < a.length; i++) {
        if (!Number.isFinite(a[i])) throw new DivergenceError(g.name, varName.replace(/^syn(\d+)\$/, 'synapse state $1 '), i, n, n * this.dtValue);
      }
    }
    // The check sum overflowed without a non-finite value: a false alarm, go on.
    return undefined as never;
  }

  /**
   * Runs the network for `duration` (builds it first if needed). Monitors record; results already
   * recorded are kept if the run stops on divergence (see {@link DivergenceError.partial}).
   *
   * @example
   * net.run('1 s', { progress: terminalProgress() });
   */
  run(duration: QuantityLike, options: RunOptions = {}): RunResult {
    this.build();
    this.faults.assertUsable(`network '${this.name}'`);
    const steps = runSteps(duration, this.dtValue, this.step, this.name);
    checkRunMemory(this.monitors, steps, this.checked!.memoryLimit, `network '${this.name}'`);
    for (const m of this.monitors) m.reserve(this.step, steps, this.dtValue);
    // without a progress reporter one chunk (the step engine still stops early to empty its spike buffers)
    const chunk = Math.max(1, options.chunk ?? (options.progress ? Math.ceil(steps / 100) : steps));
    const progress = options.progress;
    progress?.start(steps, this.name);
    const first = this.step;
    const end = first + steps;
    const t0 = performance.now();
    try {
      while (this.step < end) {
        const stop = Math.min(end, this.step + chunk);
        try {
          if (this.engine) this.engineRun(stop);
          else this.kernel!(this.step, stop);
        } catch (err) {
          if (err instanceof DivergenceError || err instanceof RunFault) {
            this.step = err.step;
            err.partial = { steps: err.step - first, t: err.step * this.dtValue };
          } else {
            // anything else thrown mid-step (a trap, a stack overflow) leaves that step half done
            this.faults.set(this.step, `the step loop threw ${err instanceof Error ? `${err.name}: ${err.message.slice(0, 200)}` : 'a non-error value'}`, false);
          }
          throw err;
        }
        this.step = stop;
        progress?.update(this.step - first);
      }
    } finally {
      progress?.stop();
      // streaming monitors write what they buffered, so that their files are complete after every run
      for (const m of this.monitors) (m as { flush?: () => void }).flush?.();
    }
    return { steps, t: this.t, seconds: (performance.now() - t0) / 1000 };
  }

  /** Runs the step engine up to `stop`, replaying recorded spikes into the monitors. */
  private engineRun(stop: number): void {
    this.syncPlastic('write');
    try {
      this.engineSteps(stop);
    } finally {
      this.syncPlastic('read');
    }
  }

  /**
   * Plastic weights and per-synapse variables between the projections' arrays and the engine:
   * 'write' before a run or a store (modulate() and the user change the arrays), 'read' after a
   * run or a restore.
   */
  private syncPlastic(dir: 'read' | 'write'): void {
    for (const p of this.enginePlastic) this.engine!.plasticState(p.k, dir, p.weights, p.synVars);
  }

  private engineSteps(stop: number): void {
    const engine = this.engine!;
    while (this.step < stop) {
      const from = this.step;
      let res;
      try {
        res = engine.run(from, stop);
      } catch (err) {
        if (!(err instanceof EngineFault)) throw err;
        // keep what every thread recorded before the failing step; the state after it is torn
        // (state samples are taken after the deliveries: the last passed step's may be partial)
        this.replaySpikes(from, err.completed);
        this.replaySamples(from, Math.max(from, err.completed - 1));
        this.step = err.completed;
        this.faults.set(err.completed, err.reason);
        throw new RunFault(`network '${this.name}'`, err.thread, err.completed, err.reason);
      }
      this.replaySpikes(from, res.reached);
      this.replaySamples(from, res.reached);
      this.step = res.reached;
      if (res.diverged) {
        this.locateDivergence(res.diverged.group, res.diverged.step);
        // a false alarm (the check sum overflowed): go on
      }
    }
  }

  /** Monitors read spikes from their group's runtime: feed them the engine's, one step at a time. */
  private replaySpikes(n0: number, n1: number): void {
    const engine = this.engine!;
    this.groups.forEach((g, gi) => {
      const mons = this.monitors.filter((m) => m.source.group === g && !isSampleMonitor(m));
      replaySpikes(g, mons, (each) => engine.drainSpikes(gi, n0, n1, each));
    });
  }

  /** State monitors read the values the engine recorded for them in the run from n0. */
  private replaySamples(n0: number, n1: number): void {
    this.engineSamples.forEach((m, k) => this.engine!.drainStates(k, n0, n1, (n, values, offset) => m.recordSample(n, values, offset)));
  }

  // ---------------------------------------------------------------------------------------------
  // Training: the same network, lowered from its step IR with a batch dimension and a tape.

  private tape: TapeRuntime | EngineTapeRuntime | undefined;
  /** Checkpointing and kept slots the tape was built for. */
  private tapeLayout = '';
  private initValues: Map<number, Float32Array | Float64Array> | undefined;
  private params: Param[] | undefined;
  /** Names of parameters that must stay positive (time constants). */
  private positiveParams = new Set<string>();
  private grads: { slots: Map<number, Float32Array | Float64Array>; init: Map<number, Float32Array | Float64Array>; weights: Map<number, Float32Array | Float64Array> } | undefined;

  /** Keeps the initial state (every training sample starts from it). */
  private snapshotInit(): void {
    const ir = this.ir!;
    this.initValues = new Map();
    for (const s of ir.slots) if (s.kind === 'state') this.initValues.set(s.id, Float64Array.from(this.slotArray(s.id)));
  }

  private slotArray(id: number): Float32Array | Float64Array {
    const s = this.ir!.slots[id];
    return this.groups[s.group].runtime!.arrays.get(s.label)!;
  }

  private slotOf(group: NeuronGroup, key: string): number | undefined {
    const gi = this.groups.indexOf(group);
    return this.ir!.slots.find((s) => s.group === gi && s.label === key)?.id;
  }

  /**
   * Everything marked trainable, as optimizers take it: group parameters (`train`), initial values
   * (`trainInit`), projection weights and synapse parameters (`train` of `connect`). The values are
   * the arrays the simulation reads, so a trained network runs as trained.
   *
   * @example
   * const opt = new Adam(net.parameters());
   */
  parameters(): Param[] {
    this.build();
    if (this.params) return this.params;
    if (!this.initValues) {
      // Without trainable marks the initial state is kept lazily: only while nothing has run.
      if (this.step > 0) throw new BuildError(`network '${this.name}'`, 'forward', 'the initial state was not kept: the network has run and nothing in it is marked trainable', 'mark a parameter trainable (train: [...]) before the first run, or call net.forward before net.run');
      this.snapshotInit();
    }
    const F = this.options.dtype === 'float64' ? Float64Array : Float32Array;
    const params: Param[] = [];
    const grads = { slots: new Map(), init: new Map(), weights: new Map() } as NonNullable<Network['grads']>;
    // Parameters with a physical dimension are stepped in units of their initial magnitude (see Param.scale).
    const add = (name: string, value: Float32Array | Float64Array, grad: Float32Array | Float64Array, init: WeightInit | undefined, dim: Dim) => {
      params.push({ name, value, grad, scale: initialScale(value, init, dim) });
    };
    for (const g of this.groups) {
      for (const pn of g.options.train ?? []) {
        const id = this.slotOf(g, `p$${pn}`)!;
        const grad = new F(g.size);
        grads.slots.set(id, grad);
        add(`${g.name}.${pn}`, this.slotArray(id), grad, g.options.params?.[pn] ?? g.model.params.get(pn)!.source, g.model.params.get(pn)!.dim);
        if (dimEq(g.model.params.get(pn)!.dim, SECOND) || (g.model.spec.positive ?? []).includes(pn)) this.positiveParams.add(`${g.name}.${pn}`);
      }
      for (const x of g.options.trainInit ?? []) {
        const id = this.slotOf(g, x)!;
        const grad = new F(g.size);
        grads.init.set(id, grad);
        add(`${g.name}.init.${x}`, this.initValues!.get(id)!, grad, g.options.init?.[x] ?? g.model.spec.init?.[x], g.model.dimOf(x)!);
      }
    }
    for (const d of this.ir!.deliveries) {
      const proj = this.projections.find((p) => p.name === d.label)!;
      for (const n of proj.options.train ?? []) {
        if (n === 'weight') {
          const grad = new F(d.indices.length);
          grads.weights.set(d.index, grad);
          add(`${proj.name}.weight`, d.weights!, grad, proj.options.weight, initDim(proj.options.weight, d.where, 'weight'));
        } else {
          // Where the trained parameter lives: short-term plasticity and pre-aligned kinetics on the
          // pre group (next to their state), an align-post synapse's on the post group.
          const stp = !!proj.options.stp && STP_PARAMS.includes(n) && d.release !== undefined;
          const preAligned = !stp && proj.options.syn?.align === 'pre';
          const host = this.groups[stp || preAligned ? d.pre : d.post];
          const slot = stp ? d.release! : preAligned ? d.source! : d.target;
          const prefix = this.ir!.slots[slot].label.split('$')[0];
          const id = this.slotOf(host, `p$${prefix}$${n}`)!;
          if (grads.slots.has(id)) continue;
          const grad = new F(host.size);
          grads.slots.set(id, grad);
          const q = stp ? proj.options.stp!.params[n as 'U'] : proj.options.syn!.params[n];
          const label = `${proj.name}.${stp ? 'stp' : 'syn'}.${n}`;
          add(label, this.slotArray(id), grad, q, parseQuantity(q).dim);
          if (stp ? n !== 'U' : proj.options.syn?.positive.includes(n)) this.positiveParams.add(label);
        }
      }
    }
    this.params = params;
    this.grads = grads;
    return params;
  }

  private trainingOf(gi: number): GroupTraining {
    const g = this.groups[gi];
    const o = g.options;
    const where = `${g.model.name} group '${g.name}'`;
    let scale = 1;
    if (o.surrogateScale !== undefined) {
      try {
        scale = parseQuantity(o.surrogateScale).value;
      } catch (err) {
        throw new BuildError(where, 'surrogateScale', (err as Error).message, "give a quantity such as '1 mV'");
      }
      if (!(scale > 0 && Number.isFinite(scale))) throw new BuildError(where, 'surrogateScale', `must be positive, got ${JSON.stringify(o.surrogateScale)}`, "give e.g. '1 mV'");
    } else {
      // A voltage threshold is measured in mV, so that a surrogate's sharpness is per millivolt.
      const thr = g.model.threshold;
      if (thr && thr.k === 'cmp') {
        try {
          if (dimEq(inferDim(thr.a, modelDimOf(g.model)), UNITS.get('mV')!.dim)) scale = 1e-3;
        } catch {
          // a threshold whose dimension cannot be inferred keeps SI
        }
      }
    }
    return { surrogate: o.surrogate ?? atan(2), invScale: 1 / scale, soft: o.spikeMode === 'soft', detachReset: true };
  }

  /**
   * Runs `steps` steps on a batch of `batch` rows from the initial state, keeping what the backward
   * pass needs. Input groups ({@link InputGroup}) take their spikes from `inputs`: events whose
   * indices are b·N + i. Losses then read {@link Network.trace} and {@link Network.spikeCounts}.
   *
   * @example
   * net.forward({ steps: 100, batch: 32, inputs: [[x, events]] });
   * const { loss } = crossEntropy(net.trace(out, 'v'), labels); net.backward(); opt.step();
   */
  forward(o: {
    steps: number;
    batch?: number;
    inputs?: Iterable<readonly [Population, TapeEvents]>;
    carry?: boolean;
    /** Gradient checkpointing: keep the state every this many steps, recompute in the backward pass. */
    checkpoint?: number;
    /** With checkpointing: the variables losses read (kept at every step). */
    keep?: Iterable<readonly [NeuronGroup, string]>;
  }): void {
    this.build();
    const where = `network '${this.name}'`;
    if (!(Number.isInteger(o.steps) && o.steps > 0)) throw new BuildError(where, 'steps', `must be a positive integer, got ${JSON.stringify(o.steps)}`, 'give e.g. steps: 100');
    const batch = o.batch ?? 1;
    const maxBatch = Math.max(this.options.batch ?? 1, batch);
    this.parameters();
    const keep = new Set<number>();
    for (const [g, v] of o.keep ?? []) {
      const id = this.groups.includes(g) ? this.slotOf(g, v) : undefined;
      if (id === undefined || this.ir!.slots[id].kind !== 'state') throw new BuildError(where, 'keep', `'${String(v)}' of group '${g?.name}' is not a state variable of this network`, 'name [group, variable] pairs of the network');
      keep.add(id);
    }
    const checkpoint = o.checkpoint;
    checkCheckpoint(checkpoint, o.steps, o.carry === true);
    const layout = JSON.stringify([checkpoint ?? null, [...keep].sort((a, b) => a - b)]);
    if (!this.tape || this.tape.T !== o.steps || this.tape.maxBatch < batch || this.tapeLayout !== layout) {
      this.tapeLayout = layout;
      const init = this.initValues!;
      if (this.tape instanceof EngineTapeRuntime) this.tape.close();
      const threads = this.options.threads ?? 1;
      const tb = this.options.trainBackend;
      if (tb !== undefined && tb !== 'js' && tb !== 'engine') throw new BuildError(where, 'trainBackend', `must be 'js' or 'engine', got ${JSON.stringify(tb)}`, "give trainBackend: 'engine' or 'js'");
      const onEngine = (this.options.trainBackend ?? (threads > 1 ? 'engine' : 'js')) === 'engine';
      if (!onEngine && threads > 1) throw new BuildError(where, 'trainBackend', `the JavaScript lowering trains on one thread, the network has threads: ${threads}`, "use trainBackend: 'engine' (or leave it unset) to train on several threads");
      this.tape = new (onEngine ? EngineTapeRuntime : TapeRuntime)(this.ir!, {
        threads,
        checkpoint,
        keep,
        steps: o.steps,
        batch: maxBatch,
        F: this.options.dtype === 'float64' ? Float64Array : Float32Array,
        arrayOf: (id) => this.slotArray(id),
        initOf: (id) => init.get(id)!,
        gradOf: this.grads!.slots,
        gradInitOf: this.grads!.init,
        gradWeightOf: this.grads!.weights,
        training: (gi) => this.trainingOf(gi),
      });
    }
    const inputs = new Map<number, TapeEvents>();
    for (const [pop, ev] of o.inputs ?? []) {
      const g = asView(pop).group;
      const gi = this.groups.indexOf(g);
      if (gi < 0) throw new BuildError(where, 'inputs', `group '${g.name}' is not part of this network`, 'add it with net.add');
      inputs.set(gi, ev);
    }
    this.tape.forward(inputs, batch, o.carry === true);
  }

  /** Adds dL/d(parameter) of the losses computed since the last forward pass to every `grad`. */
  backward(): void {
    if (!this.tape) throw new Error(`network '${this.name}': backward() needs a forward pass (net.forward(...))`);
    this.tape.backward();
  }

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad.fill(0);
  }

  /**
   * The time course of a state variable in the last forward pass, for losses: `data[offset + n·stride + b·N + i]`
   * is the value after step n; losses add dL/d(value) at the same place of `grad`.
   *
   * @example
   * const tr = net.trace(out, 'v'); // { data, grad, steps, batch, size, offset, stride }
   */
  trace(group: NeuronGroup, variable: string): Recorded {
    if (!this.tape) throw new Error(`network '${this.name}': trace() needs a forward pass (net.forward(...))`);
    const id = this.slotOf(group, variable);
    if (id === undefined || this.ir!.slots[id].kind !== 'state') {
      throw new BuildError(`${group.model.name} group '${group.name}'`, 'trace', `'${variable}' is not a state variable`, `trace one of: ${group.model.stateNames().join(', ')}`);
    }
    const t = this.tape.trace(id);
    const dim = group.model.dimOf(variable);
    return { ...t, steps: this.tape.T, batch: this.tape.batch, size: group.size, unit: dim && dimEq(dim, UNITS.get('mV')!.dim) ? 1e-3 : 1 };
  }

  /**
   * Spike counts of a group in the last forward pass with their gradient, for losses on counts
   * and rates (`spikeCountLoss`, `rateRegularizer`): dL/d(count) written to `grad` reaches every
   * step's spike through the surrogate.
   *
   * @example
   * rateRegularizer(net.counts(hidden), { target: 0.05, weight: 1e-2, mode: 'upper' });
   */
  counts(group: NeuronGroup): SpikeCounts {
    if (!this.tape) throw new Error(`network '${this.name}': counts() needs a forward pass (net.forward(...))`);
    const gi = this.groups.indexOf(group);
    return { counts: this.tape.spikeCounts(gi), grad: this.tape.countGrad(gi), steps: this.tape.T, batch: this.tape.batch, size: group.size };
  }

  /**
   * The spikes of a group in the last forward pass as events (step t: idx[ptr[t] .. ptr[t+1]),
   * flat indices b·size + i; `val` for soft spikes and analog inputs). Views: valid until the next pass.
   */
  spikeEvents(group: NeuronGroup): TapeEvents {
    if (!this.tape) throw new Error(`network '${this.name}': spikeEvents() needs a forward pass (net.forward(...))`);
    return this.tape.spikes(this.groups.indexOf(group));
  }

  /** Spike counts of a group in the last forward pass, [batch × size]. */
  spikeCounts(group: NeuronGroup): Float64Array {
    if (!this.tape) throw new Error(`network '${this.name}': spikeCounts() needs a forward pass (net.forward(...))`);
    return this.tape.spikeCounts(this.groups.indexOf(group));
  }

  /**
   * The trained parameters as plain JSON (name → values), e.g. to write to a file.
   *
   * @example
   * writeFileSync('params.json', JSON.stringify(net.saveParams()));
   */
  saveParams(): SavedNetworkParams {
    const params: Record<string, number[]> = {};
    for (const p of this.parameters()) params[p.name] = Array.from(p.value);
    return { format: 'braints-network-params', version: 1, params };
  }

  /**
   * Loads parameters written by {@link Network.saveParams}. Everything is checked first (format,
   * names, lengths, finite numbers, positive time constants); on any refusal nothing changes.
   *
   * @example
   * net.loadParams(JSON.parse(readFileSync('params.json', 'utf8')));
   */
  loadParams(saved: unknown): void {
    const where = `network '${this.name}'`;
    const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
    const notAFile = () => new BuildError(where, 'loadParams', "not a BrainTS parameter file (format 'braints-network-params', version 1)", 'pass the object net.saveParams() returned');
    if (!isRecord(saved)) throw notAFile();
    // every field is read once, as a plain value (no getters, no inherited or prototype keys)
    const top = new Map(plainEntries(saved, where, 'loadParams'));
    const paramsGiven = top.get('params');
    if (top.get('format') !== 'braints-network-params' || top.get('version') !== 1 || !isRecord(paramsGiven)) throw notAFile();
    const given = new Map(plainEntries(paramsGiven, where, 'loadParams.params'));
    const params = this.parameters();
    const known = new Set(params.map((p) => p.name));
    for (const k of given.keys()) if (!known.has(k)) throw new BuildError(where, `loadParams.${JSON.stringify(k.slice(0, 60))}`, 'is not a parameter of this network', `known parameters: ${[...known].join(', ')}`);
    const checked = params.map((p) => {
      const field = `loadParams.${p.name}`;
      const raw = given.get(p.name);
      if (!Array.isArray(raw)) throw new BuildError(where, field, 'is missing or not an array of numbers', 'save and load the same network');
      const v = checkArray(raw, where, field);
      if (v.length !== p.value.length) throw new BuildError(where, field, `has ${v.length} values, the network has ${p.value.length}`, 'save and load the same network');
      const timeLike = this.positiveParams.has(p.name);
      // a float32 parameter cannot hold values beyond ±3.4e38 (they would become infinite)
      const max = p.value instanceof Float32Array ? 3.4028234663852886e38 : Number.MAX_VALUE;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new BuildError(where, `${field}[${i}]`, `must be a finite number, got ${describe(x)}`);
        if (Math.abs(x) > max) throw new BuildError(where, `${field}[${i}]`, `${x} is out of the range of float32 storage`, "save and load with the same dtype, or use dtype: 'float64'");
        if (timeLike && !(x > 0)) throw new BuildError(where, `${field}[${i}]`, `a time constant must be positive, got ${x}`);
      }
      return v as number[];
    });
    params.forEach((p, k) => p.value.set(checked[k]));
  }

  /**
   * Builds the network and starts its worker threads, resolving when every one is ready. Needed
   * before running with threads > 1 in a browser (Web Workers registered with
   * `useWebWorkerThreads` from braints/web start only once this thread returns to its event
   * loop); in Node.js the threads start at build and this resolves at once.
   *
   * @example
   * const net = new Network({ threads: 2 });
   * await net.startThreads();
   * net.run('1 s');
   */
  async startThreads(): Promise<void> {
    this.build();
    await this.engine?.startThreads();
  }

  /** Stops the worker threads of a multi-threaded network (they are also stopped at exit). */
  close(): void {
    this.engine?.close();
  }

  /**
   * B copies of this network that run together (src/core/batch.ts): shared connectivity, each copy
   * its own state, per-copy values of inputs, per-neuron parameters or starting states, and
   * per-copy seeds; the `threads` split the copies. Builds the network first; it must not have run.
   *
   * @example
   * const batch = net.batch({ copies: 2, params: { 'P.I': ['10 pA', '20 pA'] } });
   * batch.run('100 ms');
   * batch.spikes(spikes, 1); // copy 1's spikes
   * batch.close();
   */
  batch(options: BatchOptions): NetworkBatch {
    this.build();
    const checked = this.checked!;
    return new NetworkBatch(
      { name: this.name, dt: this.dtValue, step: this.step, seed: checked.seed >>> 0, threads: this.options.threads ?? 1, checkDivergence: this.options.checkDivergence !== false, groups: this.groups, monitors: this.monitors, source: this.batchSrc, loopReason: checked.rank ? 'it is one rank of a network split over processes' : this.loopReason },
      options,
    );
  }

  /**
   * Runs B copies of this network for `duration` (see {@link Network.batch}) and returns the batch,
   * its threads stopped, for its results.
   *
   * @example
   * const res = net.runBatch('200 ms', { copies: 8, params: { 'P.I': currents } });
   * res.spikes(spikes, 3).times;
   */
  runBatch(duration: QuantityLike, options: BatchOptions): NetworkBatch {
    const batch = this.batch(options);
    try {
      batch.run(duration);
    } finally {
      batch.close();
    }
    return batch;
  }

  /**
   * Stores the network's whole state — state variables, synaptic and delay state, plastic weights,
   * last-spike times, the step (which is the position of every random stream) — in memory under
   * a name, or in a file; with `monitors: true` also what the monitors recorded.
   *
   * @example
   * net.store('before'); net.run('1 s'); net.restore('before'); // runs the same second again
   * net.store({ file: 'state.bts', monitors: true });
   */
  store(options?: string | StoreOptions): void {
    this.build();
    this.faults.assertUsable(`network '${this.name}'`, 'store');
    if (this.engine) this.syncPlastic('write');
    storeState(this.stateHost(), this.snapshots, options);
  }

  /**
   * Restores a state stored by {@link Network.store} (in memory, or from a file). Everything is
   * checked first; a refused restore changes nothing. Also makes a network usable again after a
   * worker thread failed. Monitors are put back when they were stored (`monitors: false` keeps
   * the current recordings).
   *
   * @example
   * net.restore('before');
   * net.restore({ file: 'state.bts' });
   */
  restore(options?: string | StoreOptions): void {
    this.build();
    restoreState(this.stateHost(), this.snapshots, options);
    if (this.engine) this.syncPlastic('read');
    this.faults.clear();
  }

  private stateHost(): StateHost {
    return {
      where: `network '${this.name}'`,
      regions: () => this.stateRegions(),
      fingerprint: () => this.fingerprint(),
      step: this.step,
      setStep: (n) => (this.step = n),
      monitors: this.monitors,
    };
  }

  /** The live state ranges: the engine's, or every mutable array of the JavaScript step loop. */
  private stateRegions(): StateRegion[] {
    if (this.engine) {
      const bytes = this.engine.bytes;
      return this.engine.stateRegions().map((r) => ({ name: r.name, bytes: bytes.subarray(r.offset, r.offset + r.bytes) }));
    }
    // Connectivity, delays, timed-input tables and scratch buffers do not change while running.
    const constant = /_(indptr|indices|tptr|tpre|perm|gensteps|genidx|tab\d+|delays|rowbuf)$/;
    const out: StateRegion[] = [];
    for (const [label, a] of this.named!) {
      if (!ArrayBuffer.isView(a) || constant.test(label)) continue;
      out.push({ name: label, bytes: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) });
    }
    return out;
  }

  /** Identifies this built network: kernel source, seed, dt, backend, threads, state layout, connectivity. */
  private fingerprint(): string {
    if (this.fingerprintCache) return this.fingerprintCache;
    let h = hashText(this.source);
    h = hashText(JSON.stringify([this.checked!.seed, this.dtValue, this.engine ? `engine×${this.engine.threads}` : 'loop', this.options.dtype ?? 'float32']), h);
    for (const r of this.stateRegions()) h = hashText(`${r.name}:${r.bytes.length};`, h);
    for (const p of this.projections) {
      const csr = p.runtime?.csr;
      if (!csr) continue;
      h = hashBytes(new Uint8Array(csr.indptr.buffer, csr.indptr.byteOffset, csr.indptr.byteLength), h);
      h = hashBytes(new Uint8Array(csr.indices.buffer, csr.indices.byteOffset, csr.indices.byteLength), h);
    }
    this.fingerprintCache = `v1-${h.toString(16).padStart(8, '0')}`;
    return this.fingerprintCache;
  }

  /** Populations after build (flattened from the tree). */
  get populations(): readonly NeuronGroup[] {
    return this.groups;
  }
  /** Projections after build. */
  get allProjections(): readonly Projection[] {
    return this.projections;
  }
  /** Total number of synapses after build. */
  get numSynapses(): number {
    return this.projections.reduce((s, p) => s + p.numSynapses, 0);
  }
}

/** The JSON form of a network's trained parameters. */
export interface SavedNetworkParams {
  readonly format: 'braints-network-params';
  readonly version: 1;
  readonly params: Record<string, number[]>;
}

/** Spike counts of a group over a batched forward pass [batch × size], and where losses put dL/d(count). */
export interface SpikeCounts {
  readonly counts: Float64Array;
  readonly grad: Float32Array | Float64Array;
  readonly steps: number;
  readonly batch: number;
  readonly size: number;
}

/** A state variable's time course over a batched forward pass, as losses read and write it. */
export interface Recorded {
  readonly data: Float32Array | Float64Array;
  readonly grad: Float32Array | Float64Array;
  readonly steps: number;
  readonly batch: number;
  readonly size: number;
  /** Index of (step 0, row 0, neuron 0) in data and grad. */
  readonly offset: number;
  /** Distance between two steps. */
  readonly stride: number;
  /** The variable's natural unit in SI (1e-3 for a voltage, read in mV): losses read values in it by default. */
  readonly unit?: number;
}

/** The dimension of an initializer. */
function initDim(x: WeightInit, where: string, field: string): Dim {
  try {
    if (isScalarInit(x)) return parseQuantity(x).dim;
    if (x.dist === 'normal') return parseQuantity(x.mean).dim;
    if (x.dist === 'uniform') return parseQuantity(x.low).dim;
    return parseQuantity(`1 ${x.unit}`.replace(/^1 1$/, '1')).dim;
  } catch (err) {
    throw new BuildError(where, field, `cannot read ${JSON.stringify(x)}: ${(err as Error).message}`, "write a quantity such as '6 nS'");
  }
}


/** The value (s) of a time expression over scalar parameters, units and dt, or undefined if it is not one. */
function timeExpression(text: string, model: NeuronModel, scalars: Map<string, number>, dt: number): number | undefined {
  try {
    const e = parseExpr(text);
    if (!dimEq(inferDim(e, modelDimOf(model)), SECOND)) return undefined;
    const folded = simplify(makeExpander({ model, scalars, dt, where: model.name })(e));
    if (folded.k !== 'num' || !Number.isFinite(folded.v)) return undefined;
    return folded.v;
  } catch {
    return undefined;
  }
}

/** Replaces every rand()/randn() call by a symbol named by `name(fn)` (a fresh draw per place of use). */
function replaceRandom(e: Expr, name: (fn: string) => string): Expr {
  switch (e.k) {
    case 'num':
    case 'sym':
      return e;
    case 'call':
      if (RANDOM_FUNCTIONS.has(e.fn)) return sym(name(e.fn));
      return { k: 'call', fn: e.fn, args: e.args.map((a) => replaceRandom(a, name)) };
    case 'neg':
    case 'not':
      return { ...e, a: replaceRandom(e.a, name) };
    default:
      return { ...e, a: replaceRandom(e.a, name), b: replaceRandom(e.b, name) };
  }
}

/** What the build knows about one projection. */
interface ProjPlan {
  readonly proj: Projection;
  readonly kind: 'event' | 'continuous';
  readonly csr: CSR;
  readonly weights: Float32Array | Float64Array | null;
  readonly weight: number;
  readonly delaySteps: number;
  readonly delays: Int32Array | null;
  readonly where: string;
  /** The post array that receives: a synaptic state, a variable, or a continuous accumulator. */
  readonly targetArray: string;
  /** Continuous: the pre array transmitted. */
  readonly sourceArray: string | undefined;
  /** Gap junction: the post variable subtracted. */
  readonly gapPost: string | undefined;
  /** Short-term plasticity: the pre array holding each neuron's release fraction. */
  readonly stpRelease: string | undefined;
  /** The target is held by (unless refractory): increments to a refractory post neuron are discarded. */
  readonly gated: boolean;
  /** Long-term plasticity, when the projection learns. */
  readonly plastic: PlasticityPlan | undefined;
  /** Just-in-time connectivity: regenerates one row (nothing stored). */
  readonly jitRow: ((i: number, out: { push(j: number): void }) => void) | undefined;
  /** The same row written into an array (row i → out[n..returned length)), when the connector offers it. */
  readonly jitFill?: ((i: number, out: Int32Array, n: number) => number) | undefined;
  /** The same rows as data, for the step engine to draw (connectors that offer it: FixedProb). */
  readonly jitEngine?: EngineJitRows | undefined;
}

/** Resolves a parameter table to SI values, checking positivity. */
function resolveQuantities(params: Readonly<Record<string, QuantityLike>>, positive: readonly string[], where: string, field: string): Map<string, { value: number; dim: Dim }> {
  const out = new Map<string, { value: number; dim: Dim }>();
  for (const [pn, pv] of Object.entries(params)) {
    let q;
    try {
      q = parseQuantity(pv);
    } catch (err) {
      throw new BuildError(where, `${field}.${pn}`, `cannot read ${JSON.stringify(pv)}: ${(err as Error).message}`);
    }
    if (!Number.isFinite(q.value)) throw new BuildError(where, `${field}.${pn}`, `must be finite, got ${JSON.stringify(pv)}`);
    if (positive.includes(pn) && !(q.value > 0)) {
      throw new BuildError(where, `${field}.${pn}`, `must be positive, got ${JSON.stringify(pv)}`, `give a positive value such as '5 ${exampleUnit(q.dim)}'`);
    }
    out.set(pn, q);
  }
  return out;
}

/** Parses an expression and prefixes its symbols (for generated per-projection states). */
/**
 * Checks that every equation of a synapse model gives (state dimension)/second, with its states in
 * `stateDim` (the weight's, or dimensionless for pre-aligned kinetics), `t` and `lastspike` in seconds.
 */
function checkSynapseDimensions(syn: SynapseDynamics, vals: Map<string, { value: number; dim: Dim }>, stateDim: Dim, where: string): void {
  const states = new Set(syn.equations.map(([n]) => n));
  for (const [sn, rhs] of syn.equations) {
    try {
      const d = inferDim(rhs, (n) => (states.has(n) ? stateDim : n === 't' || n === 'lastspike' ? SECOND : vals.get(n)?.dim));
      if (!dimEq(d, dimDiv(stateDim, SECOND))) throw new DimensionError(`d${sn}/dt has dimension ${formatDim(d)} but needs ${formatDim(dimDiv(stateDim, SECOND))}`);
    } catch (err) {
      throw new BuildError(where, 'syn', `${syn.kind}: ${(err as Error).message}`, `check the units of ${[...vals.keys()].join(', ')} (time constants in ms)`);
    }
  }
}

/** The model-file writer (src/modelfile/write.ts registers toModelFile), used by Network.toJSON. */
let modelFileWriter: ((net: Network) => object) | undefined;

/**
 * Registers the function that writes a network as a model file (called once by src/modelfile).
 *
 * @example
 * registerModelFileWriter(toModelFile);
 */
/**
 * The steps a rank of a split network may run before it needs the other ranks' spikes: the
 * shortest delay. A spike of step m is delivered at step m + delay, so with every delay ≥ D the
 * spikes of a window of D steps are needed only after the window ends.
 */
/**
 * Why the step engine cannot run a continuous projection ('' when it can). The engine sums the
 * source as it stands after the step's updates (each owner copies its part before the barrier),
 * so a spike projection earlier in the step that changes the source would be seen by the
 * JavaScript loop and not by the engine. (Delayed rate coupling runs: the engine keeps the
 * source's history, see src/engine/coupling.ts.)
 */
function continuousWhy(pp: ProjPlan, projPlans: readonly ProjPlan[]): string {
  if (pp.plastic) return 'continuous coupling with plasticity';
  const pre = pp.proj.pre.group;
  for (const other of projPlans) {
    if (other === pp) break;
    if (other.kind === 'event' && other.proj.post.group === pre && other.targetArray === pp.sourceArray) return `continuous coupling whose source '${pp.sourceArray}' an earlier projection (${other.where}) changes within the step`;
  }
  return '';
}

function rankWindow(projPlans: readonly ProjPlan[], where: string): number {
  let window = Infinity;
  for (const pp of projPlans) {
    if (pp.kind === 'continuous') throw new BuildError(where, 'rank', `${pp.where} is continuous coupling, which reads every rank's state at every step`, 'remove rank, or couple through spikes with a delay');
    if (pp.delays) throw new BuildError(where, 'rank', `${pp.where} has per-synapse delays, which a network split over processes does not exchange yet`, 'give the projection one delay, or remove rank');
    if (pp.stpRelease) throw new BuildError(where, 'rank', `${pp.where} has short-term plasticity, which a network split over processes does not exchange yet (the releases of the other ranks' spikes)`, 'remove stp, or remove rank');
    if (pp.plastic) throw new BuildError(where, 'rank', `${pp.where} is plastic, which a network split over processes does not run yet (pre-synaptic traces would need the other ranks' spikes at once)`, 'remove the plasticity, or remove rank');
    if (pp.delaySteps < 1) throw new BuildError(where, 'rank', `${pp.where} has no delay: ranks exchange spikes once per minimum delay, so every projection needs a delay of at least one time step`, "give the projection a delay, e.g. delay: '1 ms'");
    window = Math.min(window, pp.delaySteps);
  }
  // without projections the ranks are independent: exchange rarely (nothing to send but counts)
  return Number.isFinite(window) ? window : 1000;
}

export function registerModelFileWriter(write: (net: Network) => object): void {
  modelFileWriter = write;
}

/** Parameters of Tsodyks–Markram short-term plasticity that `connect({ train })` accepts. */
const STP_PARAMS: readonly string[] = ['U', 'tau_f', 'tau_d'];
/** The arrays short-term plasticity adds to a pre group (`stp<k>$u`, `$x`, `$r`: names the build mints). */
const STP_KEY = /^stp\d+\$/;

/** The rows of a just-in-time projection as CSR (for training, which reads every row at every step). */
function jitRows(row: (i: number, out: { push(j: number): void }) => void, nPre: number): { indptr: Int32Array; indices: Int32Array } {
  const indptr = new Int32Array(nPre + 1);
  const out: number[] = [];
  for (let i = 0; i < nPre; i++) {
    row(i, out);
    indptr[i + 1] = out.length;
  }
  return { indptr, indices: Int32Array.from(out) };
}
