/**
 * Memory estimates made before anything is allocated. A build that would not fit is refused with
 * the estimate, the limit it exceeds (the machine's free memory, or the network's `memoryLimit`)
 * and the largest scaled-down network that would fit, instead of failing with a bare RangeError
 * or allocating gigabytes without a word.
 */
import { BuildError } from '../lang/errors.js';
import { type NeuronGroup } from '../model/group.js';
import { isScalarInit, type Init } from '../model/init.js';
import { type Projection } from '../projections/projection.js';
import { type Monitor, StateMonitor, RateMonitor } from '../runner/monitors.js';
import { quantityIn, SECOND, type QuantityLike } from '../equations/quantity.js';

/** The largest WebAssembly memory (65536 pages of 64 KiB). */
export const WASM_MAX_BYTES = 65536 * 65536;

/** Neurons one group may hold: spike lists index neurons with 32-bit integers. */
export const MAX_GROUP_SIZE = 2 ** 31 - 1;

/** What the estimate reads of a network (flattened), before build. */
export interface MemoryPlan {
  readonly groups: readonly NeuronGroup[];
  readonly projections: readonly Projection[];
  readonly double: boolean;
  readonly dt: number;
  /**
   * Whether WebAssembly may run the network ('auto' or 'wasm' backend): then each group, and each
   * projection the step engine takes, is copied into a WebAssembly memory during the build, so at
   * the peak it is held twice (parts larger than one WebAssembly memory stay in JavaScript).
   */
  readonly wasm?: boolean;
}

/** An estimate in bytes, by part. */
export interface MemoryEstimate {
  readonly groups: number;
  readonly synapses: number;
  readonly total: number;
}

/**
 * The free memory of the machine in bytes (Node.js: os.freemem()); undefined where it cannot be
 * known (browsers).
 */
export function freeMemory(): number | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { freemem(): number } | undefined;
  return os ? os.freemem() : undefined;
}

/**
 * Bytes as people read them.
 *
 * @example
 * formatBytes(8.8e9) // '8.8 GB'
 */
export function formatBytes(b: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let k = 0;
  while (b >= 1000 && k < units.length - 1) (b /= 1000), k++;
  return `${b >= 100 || k === 0 ? Math.round(b) : b.toPrecision(2)} ${units[k]}`;
}

/** Expected stored synapses of a connector between nPre and nPost neurons (0 when unknown). */
function expectedSynapses(comm: unknown, nPre: number, nPost: number): number {
  if (typeof comm !== 'object' || comm === null) return 0;
  const c = comm as { name?: unknown; prob?: unknown; num?: unknown };
  const num = typeof c.num === 'number' && Number.isFinite(c.num) ? Math.max(0, c.num) : 0;
  switch (c.name) {
    case 'FixedProb':
      return typeof c.prob === 'number' && c.prob >= 0 && c.prob <= 1 ? c.prob * nPre * nPost : 0;
    case 'All2All':
      return nPre * nPost;
    case 'One2One':
      return Math.min(nPre, nPost);
    case 'FixedPreNum':
      return num * nPost;
    case 'FixedPostNum':
      return num * nPre;
    default:
      return 0;
  }
}

function delaySteps(delay: unknown, dt: number): number {
  if (delay === undefined || typeof delay === 'function' || !isScalarInit(delay as Init)) return 0;
  try {
    const d = quantityIn(delay as QuantityLike, SECOND);
    return Number.isFinite(d) && d > 0 ? Math.round(d / dt) : 0;
  } catch {
    return 0; // the build reports an unreadable delay with its own message
  }
}

/**
 * The bytes a network's build allocates, with every population scaled by `scale` (1: as declared).
 * Counted: per neuron, one value per variable, input, per-neuron parameter and synaptic state
 * (two per incoming projection, an upper bound since align-post states merge), the last-spike
 * time and the spike lists of the delay ring; per stored synapse, its post index, weight, delay,
 * and for plastic projections two synaptic variables and the transposed index. With WebAssembly
 * (`plan.wasm`), parts that fit in a WebAssembly memory count twice (the copy made at build).
 */
export function estimateBuild(plan: MemoryPlan, scale = 1): MemoryEstimate {
  const elem = plan.double ? 8 : 4;
  const incoming = new Map<NeuronGroup, number>();
  const ring = new Map<NeuronGroup, number>();
  for (const p of plan.projections) {
    incoming.set(p.post.group, (incoming.get(p.post.group) ?? 0) + 1);
    ring.set(p.pre.group, Math.max(ring.get(p.pre.group) ?? 1, 1 + delaySteps(p.options.delay, plan.dt)));
  }
  let groups = 0;
  for (const g of plan.groups) {
    const N = Math.ceil(g.size * scale);
    const train = new Set(g.options.train ?? []);
    let perNeuron = 0;
    for (const pn of g.model.params.keys()) {
      const given = g.options.params?.[pn];
      if (train.has(pn) || (given !== undefined && !isScalarInit(given))) perNeuron++;
    }
    const values = g.model.lines.filter((l) => l.kind !== 'sub').length + perNeuron + 2 * (incoming.get(g) ?? 0);
    const bytes = N * (values * elem + 4 + 4 * (ring.get(g) ?? 1));
    groups += plan.wasm && bytes <= WASM_MAX_BYTES ? 2 * bytes : bytes;
  }
  let synapses = 0;
  for (const p of plan.projections) {
    const o = p.options;
    if (o.jit) continue;
    const n = expectedSynapses(o.comm, Math.ceil(p.pre.size * scale), Math.ceil(p.post.size * scale));
    let per = 4; // post index
    if (!isScalarInit(o.weight) || (o.train ?? []).includes('weight') || o.plasticity) per += elem;
    if (o.delay !== undefined && (typeof o.delay === 'function' || !isScalarInit(o.delay as Init))) per += 4;
    if (o.plasticity) per += 2 * elem + 8;
    // the step engine copies event-driven projections without plasticity into its memory
    const engineCopy = plan.wasm && !o.plasticity && !o.stp && o.source === undefined && o.gap === undefined && n * per <= WASM_MAX_BYTES;
    synapses += engineCopy ? 2 * n * per : n * per;
  }
  return { groups, synapses, total: groups + synapses };
}

/**
 * Refuses a build that would not fit: a group larger than {@link MAX_GROUP_SIZE}, or an estimate
 * above `limit` (the network's memoryLimit, else the machine's free memory). The message gives the
 * estimate and the largest uniform scaling of the populations that fits.
 */
export function checkBuildMemory(plan: MemoryPlan, limit: number | undefined, where: string): MemoryEstimate {
  for (const g of plan.groups) {
    if (g.size > MAX_GROUP_SIZE) {
      throw new BuildError(`${g.model.name} group '${g.name || '?'}'`, 'size', `${g.size} neurons are more than one group can index (${MAX_GROUP_SIZE})`, 'split the population into several groups, or use fewer neurons');
    }
  }
  const est = estimateBuild(plan);
  const source = limit === undefined ? 'free memory' : 'memoryLimit';
  const cap = limit ?? freeMemory();
  if (cap === undefined || est.total <= cap) return est;
  // The largest scale of every population that fits (synapses may grow with its square).
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (estimateBuild(plan, mid).total <= cap) lo = mid;
    else hi = mid;
  }
  const neurons = plan.groups.reduce((s, g) => s + g.size, 0);
  const fits = Math.floor(neurons * lo);
  throw new BuildError(
    where,
    'memory',
    `the network needs about ${formatBytes(est.total)} (neurons ${formatBytes(est.groups)}, synapses ${formatBytes(est.synapses)}), more than the ${source} of ${formatBytes(cap)}`,
    `about ${fits.toPrecision(3)} neurons (${(lo * 100).toPrecision(3)} % of every population) would fit; shrink the network${limit === undefined ? ', or set memoryLimit to allow more than the free memory' : ', or raise memoryLimit'}`,
  );
}

/**
 * Bytes the monitors reserve for a run of `steps` steps (state monitors: one value per recorded
 * neuron and variable per sample; rate monitors: one count per step; spike monitors grow with
 * the spikes and are not counted).
 */
export function estimateMonitors(monitors: readonly Monitor[], steps: number): number {
  let b = 0;
  for (const m of monitors) {
    if (m instanceof StateMonitor) b += Math.ceil(steps / m.every + 1) * (m.indices.length * m.variables.length + 1) * 8;
    else if (m instanceof RateMonitor) b += steps * 4;
  }
  return b;
}

/** Refuses a run whose monitors would reserve more than the limit (memoryLimit, else free memory). */
export function checkRunMemory(monitors: readonly Monitor[], steps: number, limit: number | undefined, where: string): void {
  const need = estimateMonitors(monitors, steps);
  const cap = limit ?? freeMemory();
  if (cap === undefined || need <= cap) return;
  const fit = Math.floor(steps * (cap / need));
  throw new BuildError(
    where,
    'duration',
    `the monitors would reserve about ${formatBytes(need)} for ${steps} steps, more than the ${limit === undefined ? 'free memory' : 'memoryLimit'} of ${formatBytes(cap)}`,
    `run at most about ${fit} steps at a time, record fewer neurons or variables, or record every k steps (StateMonitor option every)`,
  );
}
