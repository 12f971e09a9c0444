/**
 * Monitors record what happens during a run into typed arrays: spikes, state variables of chosen
 * neurons, population rates. Their results are plain typed arrays in SI units (seconds, volts...).
 * Buffers are sized before a run starts, so recording allocates nothing per step.
 */
import { type NeuronGroup, type Population, asView, type GroupView } from '../model/group.js';
import { BuildError } from '../lang/errors.js';

/** Something the runner calls once per step, after every population and projection has updated. */
export interface Monitor {
  name: string;
  readonly source: GroupView;
  /** Called before a run of `steps` steps starting at step `first`, with the time step. */
  reserve(first: number, steps: number, dt: number): void;
  /** Records step `n`. */
  record(n: number): void;
  /** Forgets everything recorded so far. */
  clear(): void;
  /** What it has recorded, as plain arrays and numbers (for store and restore). */
  saveState?(): MonitorState;
  /** Why `s` cannot be loaded into this monitor, or undefined when it can (changes nothing). */
  checkState?(s: MonitorState): string | undefined;
  /** Replaces what it has recorded by `s` (checked with checkState first). */
  loadState?(s: MonitorState): void;
}

/**
 * A monitor that samples per-neuron arrays of its group at chosen neurons every `every` steps
 * (StateMonitor, StateStreamMonitor). The step engine records the values for it and hands them
 * over with recordSample instead of calling record.
 */
export interface SampleMonitor extends Monitor {
  /** Names of the group's arrays (as `group.get` takes them). */
  readonly variables: readonly string[];
  /** Recorded neurons, as indices into the group. */
  readonly indices: Int32Array;
  readonly every: number;
  /**
   * Records step `n` as `record(n)` would, from values[offset + v·m + j]: variable v of recorded
   * neuron j (m = indices.length), instead of reading the group's arrays.
   */
  recordSample(n: number, values: Float64Array, offset: number): void;
}

/** Whether a monitor samples arrays at chosen neurons (see {@link SampleMonitor}). @example isSampleMonitor(new StateMonitor(P, ['v'])) // true */
export function isSampleMonitor(m: Monitor): m is SampleMonitor {
  return typeof (m as Partial<SampleMonitor>).recordSample === 'function';
}

/** A monitor's recorded data, for store and restore. */
export interface MonitorState {
  readonly kind: string;
  readonly scalars: Record<string, number>;
  readonly arrays: Record<string, Int32Array | Float64Array>;
}

/** Checks that `s` is a monitor state of `kind` with the given arrays of the given types and lengths. */
function stateProblem(s: MonitorState, kind: string, scalars: readonly string[], arrays: Record<string, ['i32' | 'f64', number]>): string | undefined {
  if (s.kind !== kind) return `holds a ${s.kind}, not a ${kind}`;
  for (const k of scalars) if (!Number.isSafeInteger(s.scalars[k]) || s.scalars[k] < 0) return `${k} must be a non-negative integer`;
  for (const [k, [type, len]] of Object.entries(arrays)) {
    const a = Object.hasOwn(s.arrays, k) ? s.arrays[k] : undefined;
    if (a === undefined || !(type === 'i32' ? a instanceof Int32Array : a instanceof Float64Array)) return `array ${k} is missing or not ${type}`;
    if (a.length !== len) return `array ${k} has ${a.length} values, expected ${len}`;
  }
  return undefined;
}

/** Spikes as parallel arrays: times (s) and neuron indices, ordered by time. */
export interface SpikeTrains {
  readonly times: Float64Array;
  readonly indices: Int32Array;
}

/**
 * Records every spike of a population (or a slice of one); indices are relative to the slice.
 *
 * @example
 * const sm = net.add(new SpikeMonitor(P));
 * net.run('1 s');
 * const { times, indices } = sm.spikes();
 */
export class SpikeMonitor implements Monitor {
  name = '';
  readonly source: GroupView;
  private steps = new Int32Array(1024);
  private idx = new Int32Array(1024);
  private count = 0;
  private dt = 0;

  constructor(source: Population) {
    this.source = asView(source);
  }

  reserve(_first: number, _steps: number, dt: number): void {
    this.dt = dt;
  }

  record(n: number): void {
    const rt = this.source.group.runtime!;
    const slot = n % rt.ring;
    const c = rt.counts[slot];
    if (c === 0) return;
    const base = slot * this.source.group.size;
    if (this.count + c > this.idx.length) this.grow(this.count + c);
    const { start, stop } = this.source;
    const whole = start === 0 && stop === this.source.group.size;
    let k = this.count;
    for (let s = 0; s < c; s++) {
      const i = rt.spikes[base + s];
      if (whole || (i >= start && i < stop)) {
        this.idx[k] = i - start;
        this.steps[k++] = n;
      }
    }
    this.count = k;
  }

  private grow(min: number): void {
    let cap = this.idx.length * 2;
    while (cap < min) cap *= 2;
    const idx = new Int32Array(cap);
    idx.set(this.idx.subarray(0, this.count));
    const steps = new Int32Array(cap);
    steps.set(this.steps.subarray(0, this.count));
    this.idx = idx;
    this.steps = steps;
  }

  clear(): void {
    this.count = 0;
  }

  saveState(): MonitorState {
    return { kind: 'SpikeMonitor', scalars: { count: this.count, dt: this.dt }, arrays: { steps: this.steps.slice(0, this.count), idx: this.idx.slice(0, this.count) } };
  }

  checkState(s: MonitorState): string | undefined {
    const n = s.scalars.count;
    const p = stateProblem(s, 'SpikeMonitor', ['count'], { steps: ['i32', n], idx: ['i32', n] });
    if (p) return p;
    const { idx } = s.arrays;
    for (let k = 0; k < n; k++) if (!(idx[k] >= 0 && idx[k] < this.source.size)) return `spike ${k} has neuron index ${idx[k]}, outside [0, ${this.source.size})`;
    return undefined;
  }

  loadState(s: MonitorState): void {
    const n = s.scalars.count;
    if (this.idx.length < n) this.grow(n);
    this.steps.set(s.arrays.steps);
    this.idx.set(s.arrays.idx);
    this.count = n;
    if (s.scalars.dt > 0) this.dt = s.scalars.dt;
  }

  /** Number of spikes recorded. */
  get numSpikes(): number {
    return this.count;
  }

  /** The recorded spikes (copies). */
  spikes(): SpikeTrains {
    const times = new Float64Array(this.count);
    for (let k = 0; k < this.count; k++) times[k] = this.steps[k] * this.dt;
    return { times, indices: this.idx.slice(0, this.count) };
  }

  /** The steps at which spikes were recorded (parallel to `spikes().indices`). */
  spikeSteps(): Int32Array {
    return this.steps.slice(0, this.count);
  }
}

/** Options of a {@link StateMonitor}. */
export interface StateMonitorOptions {
  /** Neurons to record (relative to the source); default: the first one. */
  readonly indices?: ArrayLike<number>;
  /** Record every this many steps (default 1). */
  readonly every?: number;
}

/**
 * Records variables of chosen neurons, every step or every k steps. Values are taken after the
 * step's update and reset, at the end of the step.
 *
 * @example
 * const vm = net.add(new StateMonitor(P, ['v'], { indices: [0, 1, 2] }));
 * net.run('100 ms');
 * const { t, values } = vm.result(); // values.v[k * 3 + j]: neuron j at sample k
 */
export class StateMonitor implements SampleMonitor {
  name = '';
  readonly source: GroupView;
  readonly variables: readonly string[];
  readonly indices: Int32Array;
  readonly every: number;
  private samples = 0;
  private times = new Float64Array(0);
  private data: Float64Array[] = [];
  private arrays: (Float32Array | Float64Array)[] = [];
  private dt = 0;

  constructor(source: Population, variables: readonly string[], options: StateMonitorOptions = {}) {
    this.source = asView(source);
    this.variables = variables;
    const idx = options.indices ?? [0];
    this.indices = Int32Array.from(idx, (i) => {
      if (!Number.isInteger(i) || i < 0 || i >= this.source.size) {
        throw new BuildError(`StateMonitor of '${this.source.group.name || this.source.group.model.name}'`, 'indices', `index ${i} is outside [0, ${this.source.size})`);
      }
      return i + this.source.start;
    });
    this.every = options.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1) throw new BuildError('StateMonitor', 'every', `must be a positive integer, got ${options.every}`);
    this.data = variables.map(() => new Float64Array(0));
  }

  reserve(_first: number, steps: number, dt: number): void {
    this.dt = dt;
    const g: NeuronGroup = this.source.group;
    this.arrays = this.variables.map((v) => g.get(v));
    const need = this.samples + Math.ceil(steps / this.every) + 1;
    if (this.times.length < need) {
      const t = new Float64Array(need);
      t.set(this.times.subarray(0, this.samples));
      this.times = t;
      this.data = this.data.map((d) => {
        const x = new Float64Array(need * this.indices.length);
        x.set(d.subarray(0, this.samples * this.indices.length));
        return x;
      });
    }
  }

  record(n: number): void {
    if (n % this.every !== 0) return;
    const k = this.samples++;
    this.times[k] = (n + 1) * this.dt;
    const m = this.indices.length;
    for (let v = 0; v < this.arrays.length; v++) {
      const src = this.arrays[v];
      const dst = this.data[v];
      for (let j = 0; j < m; j++) dst[k * m + j] = src[this.indices[j]];
    }
  }

  recordSample(n: number, values: Float64Array, offset: number): void {
    if (n % this.every !== 0) return;
    const k = this.samples++;
    this.times[k] = (n + 1) * this.dt;
    const m = this.indices.length;
    for (let v = 0; v < this.data.length; v++) {
      const dst = this.data[v];
      for (let j = 0; j < m; j++) dst[k * m + j] = values[offset + v * m + j];
    }
  }

  clear(): void {
    this.samples = 0;
  }

  saveState(): MonitorState {
    const m = this.indices.length;
    const arrays: Record<string, Float64Array> = { times: this.times.slice(0, this.samples) };
    this.data.forEach((d, v) => (arrays[`v${v}`] = d.slice(0, this.samples * m)));
    return { kind: 'StateMonitor', scalars: { samples: this.samples, dt: this.dt }, arrays };
  }

  checkState(s: MonitorState): string | undefined {
    const n = s.scalars.samples;
    const shape: Record<string, ['f64', number]> = { times: ['f64', n] };
    this.variables.forEach((_, v) => (shape[`v${v}`] = ['f64', n * this.indices.length]));
    return stateProblem(s, 'StateMonitor', ['samples'], shape);
  }

  loadState(s: MonitorState): void {
    const n = s.scalars.samples;
    const m = this.indices.length;
    if (this.times.length < n) {
      this.times = new Float64Array(n);
      this.data = this.data.map(() => new Float64Array(n * m));
    }
    this.times.set(s.arrays.times);
    this.data.forEach((d, v) => d.set(s.arrays[`v${v}`]));
    this.samples = n;
    if (s.scalars.dt > 0) this.dt = s.scalars.dt;
  }

  /**
   * The recorded samples: `t` (s, the end of each recorded step) and, per variable, a row-major
   * array of `t.length × indices.length` values in SI units.
   */
  result(): { t: Float64Array; values: Record<string, Float64Array>; indices: Int32Array } {
    const m = this.indices.length;
    const values: Record<string, Float64Array> = {};
    this.variables.forEach((v, i) => (values[v] = this.data[i].slice(0, this.samples * m)));
    return { t: this.times.slice(0, this.samples), values, indices: this.indices.map((i) => i - this.source.start) };
  }

  /** The trace of one variable of the j-th recorded neuron. */
  trace(variable: string, j = 0): Float64Array {
    const vi = this.variables.indexOf(variable);
    if (vi < 0) throw new Error(`StateMonitor records ${this.variables.join(', ')}, not '${variable}'`);
    const m = this.indices.length;
    const out = new Float64Array(this.samples);
    for (let k = 0; k < this.samples; k++) out[k] = this.data[vi][k * m + j];
    return out;
  }
}

/**
 * Records the population rate (spikes per neuron per second) at every step.
 *
 * @example
 * const rm = net.add(new RateMonitor(P));
 * net.run('1 s');
 * const { t, rate } = rm.result();
 */
export class RateMonitor implements Monitor {
  name = '';
  readonly source: GroupView;
  private counts = new Int32Array(0);
  private first = 0;
  private n = 0;
  private dt = 0;

  constructor(source: Population) {
    this.source = asView(source);
  }

  reserve(first: number, steps: number, dt: number): void {
    this.dt = dt;
    if (this.n === 0) this.first = first;
    const need = this.n + steps;
    if (this.counts.length < need) {
      const c = new Int32Array(need);
      c.set(this.counts.subarray(0, this.n));
      this.counts = c;
    }
  }

  record(n: number): void {
    const rt = this.source.group.runtime!;
    const slot = n % rt.ring;
    const c = rt.counts[slot];
    let k = c;
    const { start, stop } = this.source;
    if (start !== 0 || stop !== this.source.group.size) {
      k = 0;
      const base = slot * this.source.group.size;
      for (let s = 0; s < c; s++) {
        const i = rt.spikes[base + s];
        if (i >= start && i < stop) k++;
      }
    }
    this.counts[this.n++] = k;
  }

  clear(): void {
    this.n = 0;
  }

  saveState(): MonitorState {
    return { kind: 'RateMonitor', scalars: { n: this.n, first: this.first, dt: this.dt }, arrays: { counts: this.counts.slice(0, this.n) } };
  }

  checkState(s: MonitorState): string | undefined {
    return stateProblem(s, 'RateMonitor', ['n', 'first'], { counts: ['i32', s.scalars.n] });
  }

  loadState(s: MonitorState): void {
    const n = s.scalars.n;
    if (this.counts.length < n) this.counts = new Int32Array(n);
    this.counts.set(s.arrays.counts);
    this.n = n;
    this.first = s.scalars.first;
    if (s.scalars.dt > 0) this.dt = s.scalars.dt;
  }

  /** Time of each step (s) and the instantaneous population rate (Hz). */
  result(): { t: Float64Array; rate: Float64Array } {
    const t = new Float64Array(this.n);
    const rate = new Float64Array(this.n);
    const norm = 1 / (Math.max(1, this.source.size) * this.dt);
    for (let k = 0; k < this.n; k++) {
      t[k] = (this.first + k) * this.dt;
      rate[k] = this.counts[k] * norm;
    }
    return { t, rate };
  }
}
