/**
 * Writing a network back as a model file (`net.toJSON()`, {@link toModelFile}): the declaration
 * as the program gave it (parameters in their units, distributions as distributions), not the
 * arrays the build drew from them.
 */
import type { Network, NetworkNode, NetworkOptions } from '../core/network.js';
import { NeuronGroup, type GroupView } from '../model/group.js';
import { type Init } from '../model/init.js';
import { type WeightInit } from '../model/ring_weights.js';
import { type NeuronModel } from '../model/model.js';
import { Projection } from '../projections/projection.js';
import { PoissonInput, SpikeGeneratorGroup } from '../inputs/index.js';
import { InputGroup } from '../inputs/input_group.js';
import { SpikeMonitor, StateMonitor, RateMonitor, type Monitor } from '../runner/monitors.js';
import { type QuantityLike } from '../equations/quantity.js';
import { formatDim } from '../math/units.js';
import { MODEL_FILE_VERSION, type ModelFile, type ModelFileGroup, type ModelFileConnection, type ModelFileMonitor, type ModelFileInit, type ModelDecl } from './schema.js';
import { builtinName, connectorToFile, outputToFile, synapseToFile, NotWritableError, NEURON_MODELS, quantityToFile, SI_UNITS } from './library.js';

/** Options of {@link toModelFile}. */
export interface ToModelFileOptions {
  /** A run duration to store in `run.duration` (e.g. '1 s'). */
  readonly duration?: QuantityLike;
  readonly description?: string;
}

function initToFile(v: Init | WeightInit, where: string): ModelFileInit {
  if (typeof v !== 'object' || !('dist' in v)) return quantityToFile(v, where);
  switch (v.dist) {
    case 'ring':
      throw new NotWritableError(where, 'weights from a ring profile (ring(...))', 'give the weights per synapse with values(...)');
    case 'normal':
      return { dist: 'normal', mean: quantityToFile(v.mean, where), std: quantityToFile(v.std, where), ...(v.min === undefined ? {} : { min: quantityToFile(v.min, where) }), ...(v.max === undefined ? {} : { max: quantityToFile(v.max, where) }) };
    case 'uniform':
      return { dist: 'uniform', low: quantityToFile(v.low, where), high: quantityToFile(v.high, where) };
    case 'values':
      return { dist: 'values', values: Array.from(v.values), unit: v.unit };
  }
}

function recordToFile(r: Readonly<Record<string, Init>> | undefined, where: string): Record<string, ModelFileInit> | undefined {
  if (!r) return undefined;
  const out: Record<string, ModelFileInit> = {};
  for (const [k, v] of Object.entries(r)) out[k] = initToFile(v, `${where}.${k}`);
  return out;
}

function modelToFile(m: NeuronModel): ModelDecl {
  const s = m.spec;
  const d: ModelDecl = { equations: s.equations };
  if (s.params) d.params = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, quantityToFile(v, `model '${m.name}'.params.${k}`)]));
  if (s.threshold !== undefined) d.threshold = s.threshold;
  if (s.reset !== undefined) d.reset = s.reset;
  if (s.refractory !== undefined) d.refractory = quantityToFile(s.refractory, `model '${m.name}'.refractory`);
  if (s.init) d.init = recordToFile(s.init, `model '${m.name}'.init`);
  if (s.method !== undefined) d.method = s.method;
  if (s.positive) d.positive = [...s.positive];
  return d;
}

/** Removes undefined fields (a file has no 'undefined'). */
function clean<T>(x: T): T {
  if (Array.isArray(x)) return x.map(clean) as T;
  if (typeof x !== 'object' || x === null) return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = clean(v);
  return out as T;
}

function isNetwork(n: NetworkNode): n is Network {
  return !(n instanceof NeuronGroup) && !(n instanceof Projection) && !(n instanceof PoissonInput) && Array.isArray((n as { children?: unknown }).children);
}

/**
 * The model file of a network, ready for `JSON.stringify` or a YAML writer; building it again
 * (`buildModelFile`) gives the same network and, for the same seed, the same spikes. Networks with
 * parts the format cannot express (plasticity, timed inputs, functions as delays, connectivity from
 * arrays other than pairs) are refused with what to change.
 *
 * Call it before the network is built to keep external inputs as given ('200 pA'); after the
 * build they are written as the values the network holds, in SI units.
 *
 * @example
 * const text = JSON.stringify(toModelFile(net, { duration: '1 s' }), null, 2);
 */
export function toModelFile(net: Network, options: ToModelFileOptions = {}): ModelFile {
  const groups: NeuronGroup[] = [];
  const projections: Projection[] = [];
  const poissons: PoissonInput[] = [];
  const monitors: Monitor[] = [];
  const seen = new Set<unknown>();
  const addGroup = (g: NeuronGroup) => {
    if (!seen.has(g)) (seen.add(g), groups.push(g));
  };
  const visit = (n: NetworkNode) => {
    if (seen.has(n)) return;
    if (isNetwork(n)) return void (seen.add(n), n.children.forEach(visit));
    if (n instanceof NeuronGroup) return addGroup(n);
    seen.add(n);
    if (n instanceof Projection) projections.push(n);
    else if (n instanceof PoissonInput) poissons.push(n);
    else monitors.push(n);
  };
  net.children.forEach(visit);
  for (const p of projections) (addGroup(p.pre.group), addGroup(p.post.group));
  for (const q of poissons) addGroup(q.post.group);
  for (const m of monitors) addGroup(m.source.group);

  // Names: as given, made unique.
  const used = new Set<string>();
  const unique = (want: string) => {
    let n = want;
    for (let k = 1; used.has(n); k++) n = `${want}_${k}`;
    used.add(n);
    return n;
  };
  const groupName = new Map<NeuronGroup, string>();
  groups.forEach((g, i) => groupName.set(g, unique(g.name || `G${i}`)));
  const ref = (v: GroupView) => {
    const n = groupName.get(v.group)!;
    return v.start === 0 && v.stop === v.group.size ? n : `${n}[${v.start}:${v.stop}]`;
  };

  const file: ModelFile = { braints: MODEL_FILE_VERSION, name: net.name, groups: {} };
  if (options.description) file.description = options.description;
  delete (file as { groups?: unknown }).groups; // keeps the key order: run and models before groups
  const o: NetworkOptions = net.options;
  const run: NonNullable<ModelFile['run']> = {};
  if (o.dt !== undefined) run.dt = quantityToFile(o.dt, 'run.dt');
  if (options.duration !== undefined) run.duration = quantityToFile(options.duration, 'run.duration');
  if (o.seed !== undefined) run.seed = o.seed;
  if (o.dtype !== undefined) run.dtype = o.dtype;
  if (o.backend !== undefined) run.backend = o.backend;
  if (o.threads !== undefined) run.threads = o.threads;
  file.run = run;

  // Models written as equations: every model that is not the library's own object.
  const models: Record<string, ModelDecl> = {};
  const modelName = new Map<NeuronModel, string>();
  const modelNames = new Set<string>();
  for (const g of groups) {
    if (g instanceof SpikeGeneratorGroup || modelName.has(g.model)) continue;
    const b = builtinName(g.model);
    if (b) {
      modelName.set(g.model, b);
      continue;
    }
    let n = g.model.name;
    for (let k = 1; modelNames.has(n) || NEURON_MODELS.has(n); k++) n = `${g.model.name}_${k}`;
    modelNames.add(n);
    modelName.set(g.model, n);
    models[n] = modelToFile(g.model);
  }
  if (Object.keys(models).length > 0) file.models = models;
  file.groups = {};

  for (const g of groups) {
    const name = groupName.get(g)!;
    const where = `group '${name}'`;
    if (g instanceof InputGroup && g.schedule.indices.length === 0) {
      file.groups[name] = { size: g.size, data: true };
      continue;
    }
    if (g instanceof SpikeGeneratorGroup) {
      file.groups[name] = { size: g.size, spikes: { indices: Array.from(g.schedule.indices), times: Array.from(g.schedule.times), unit: 's' } };
      continue;
    }
    const e: ModelFileGroup = { size: g.size, model: modelName.get(g.model)! };
    const go = g.options;
    if (go.trainInit || go.surrogate || go.surrogateScale !== undefined || go.spikeMode) throw new NotWritableError(where, 'training options (trainInit, surrogate, spikeMode)', 'write the network without them and set them in code');
    if (go.train && go.train.length > 0) e.train = [...go.train];
    e.params = recordToFile(go.params, `${where}.params`);
    e.init = recordToFile(go.init, `${where}.init`);
    if (go.method !== undefined) e.method = go.method;
    const input: Record<string, ModelFileInit> = {};
    for (const [k, v] of g.pendingInputs) {
      if (typeof v === 'object' && v !== null && 'kind' in v) throw new NotWritableError(`${where}.input.${k}`, 'a time-varying input', 'give a constant or per-neuron input');
      input[k] = initToFile(v as Init, `${where}.input.${k}`);
    }
    if (g.runtime) {
      // After the build the given inputs live in the arrays: write them in SI units.
      for (const line of g.model.lines) {
        if (!line.flags.includes('input')) continue;
        const a = g.runtime.arrays.get(`ext$${line.name}`);
        if (!a || a.every((x) => x === 0)) continue;
        const unit = SI_UNITS[formatDim(line.dim)];
        if (unit === undefined) throw new NotWritableError(`${where}.input.${line.name}`, `an input of dimension ${formatDim(line.dim)}`, 'write the model file before building the network');
        input[line.name] = a.every((x) => x === a[0]) ? (unit ? `${a[0]} ${unit}` : a[0]) : { dist: 'values', values: Array.from(a), unit: unit || '1' };
      }
    }
    if (Object.keys(input).length > 0) e.input = input;
    file.groups[name] = e;
  }

  const connections: Record<string, ModelFileConnection> = {};
  const connUsed = new Set<string>();
  projections.forEach((p, i) => {
    let name = p.name || `${ref(p.pre).replace(/\[.*$/, '')}_${ref(p.post).replace(/\[.*$/, '')}_${i}`;
    for (let k = 1; connUsed.has(name); k++) name = `${p.name}_${k}`;
    connUsed.add(name);
    const where = `projection '${name}'`;
    const po = p.options;
    for (const k of ['source', 'gap', 'plasticity', 'jit'] as const) {
      if (po[k] !== undefined) throw new NotWritableError(where, `option '${k}'`, 'model files hold event-driven projections with comm, weight, delay, syn, out, target, stp');
    }
    if (typeof po.delay === 'function') throw new NotWritableError(`${where}.delay`, 'a delay given as a function', 'give a delay as a quantity or a distribution');
    const c: ModelFileConnection = { pre: ref(p.pre), post: ref(p.post), comm: connectorToFile(po.comm, `${where}.comm`), weight: initToFile(po.weight, `${where}.weight`) };
    if (po.delay !== undefined) c.delay = initToFile(po.delay as Init, `${where}.delay`);
    if (po.syn) c.syn = synapseToFile(po.syn, `${where}.syn`);
    if (po.out) c.out = outputToFile(po.out, `${where}.out`);
    if (po.target !== undefined) c.target = po.target;
    if (po.stp) c.stp = { U: quantityToFile(po.stp.params.U, where), tau_f: quantityToFile(po.stp.params.tau_f, where), tau_d: quantityToFile(po.stp.params.tau_d, where) };
    if (po.train && po.train.length > 0) c.train = [...po.train];
    connections[name] = c;
  });
  if (projections.length > 0) file.connections = connections;

  if (poissons.length > 0) {
    const inputs: NonNullable<ModelFile['inputs']> = {};
    poissons.forEach((q, i) => {
      const name = unique(q.name || `poisson${i}`);
      const po = q.options;
      const e: NonNullable<ModelFile['inputs']>[string] = { type: 'Poisson', post: ref(q.post), num: po.num, rate: quantityToFile(po.rate, name), weight: quantityToFile(po.weight, name) };
      if (po.syn) e.syn = synapseToFile(po.syn, `input '${name}'.syn`);
      if (po.out) e.out = outputToFile(po.out, `input '${name}'.out`);
      if (po.target !== undefined) e.target = po.target;
      inputs[name] = e;
    });
    file.inputs = inputs;
  }

  if (monitors.length > 0) {
    const mons: Record<string, ModelFileMonitor> = {};
    monitors.forEach((m, i) => {
      const group = ref(m.source);
      if (m instanceof SpikeMonitor) mons[unique(m.name || `spikes_${group.replace(/\[.*$/, '')}`)] = { type: 'spikes', group };
      else if (m instanceof RateMonitor) mons[unique(m.name || `rate_${group.replace(/\[.*$/, '')}`)] = { type: 'rate', group };
      else if (m instanceof StateMonitor) {
        const e: ModelFileMonitor = { type: 'state', group, variables: [...m.variables], indices: Array.from(m.indices) };
        if (m.every !== 1) e.every = m.every;
        mons[unique(m.name || `state_${group.replace(/\[.*$/, '')}`)] = e;
      } else throw new NotWritableError(`monitor ${i}`, 'a monitor that is not a SpikeMonitor, StateMonitor or RateMonitor', 'record with those three');
    });
    file.monitors = mons;
  }
  return clean(file);
}
