/**
 * Reading a model file: text (JSON or YAML) → checked data → a `Network` built through the public
 * API (`new Network`, `new NeuronGroup`, `net.connect`, monitors), exactly as a program builds it.
 *
 * Every problem is reported with its path in the file (`groups.E.params.tau: expected a time,
 * got '20'`), all of them at once.
 */
import { parseDocument } from 'yaml';
import { modelFileSchema, type ModelFile, type ModelFileInit, type ModelDecl } from './schema.js';
import { NEURON_MODELS, makeConnector, makeOutput, makeStp, makeSynapse } from './library.js';
import { Network, type NetworkOptions } from '../core/network.js';
import { NeuronGroup, type Population } from '../model/group.js';
import { defineNeuron, type NeuronModel, type NeuronModelSpec } from '../model/model.js';
import { type Init } from '../model/init.js';
import { SpikeGeneratorGroup, PoissonInput } from '../inputs/index.js';
import { InputGroup } from '../inputs/input_group.js';
import { checkTraining, type TrainingTask } from './training.js';
import { SpikeMonitor, StateMonitor, RateMonitor } from '../runner/monitors.js';
import { parseQuantity, quantityIn, SECOND, type QuantityLike } from '../equations/quantity.js';
import { type Dim, dimEq, formatDim, DIMENSIONLESS } from '../math/units.js';
import { type ProjectionOptions } from '../projections/projection.js';
import { type ModelFileIssue, unknownName } from './issue.js';

export type { ModelFileIssue };


/** A model file that cannot be used; `issues` lists every problem found, each with its path. */
export class ModelFileError extends Error {
  readonly issues: readonly ModelFileIssue[];
  constructor(issues: readonly ModelFileIssue[], source?: string) {
    super(`${source ? `${source}: ` : ''}${issues.length} problem${issues.length === 1 ? '' : 's'} in the model file:\n` + issues.map((i) => `  ${i.path || '(file)'}: ${i.message}`).join('\n'));
    this.name = 'ModelFileError';
    this.issues = issues;
  }
}

/**
 * Parses model-file text as YAML (a superset of JSON) or strictly as JSON. YAML is read with the
 * core schema only: no custom tags, no merge keys, a bounded number of aliases.
 *
 * @example
 * parseModelText('braints: 1\ngroups: { P: { size: 10, model: LIF } }')
 */
export function parseModelText(text: string, format: 'yaml' | 'json' = 'yaml', source?: string): unknown {
  try {
    if (format === 'json') return JSON.parse(text);
    const doc = parseDocument(text, { schema: 'core', merge: false, uniqueKeys: true });
    // an unknown tag (`!!js/function`, `!custom`) is only a warning to the parser: here it is an error
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw problem;
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ModelFileError([{ path: '', message: `cannot read the ${format === 'json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}` }], source);
  }
}

const pathOf = (p: readonly PropertyKey[]) => p.map(String).join('.');

/** Checks the shape of a model file against the schema; throws {@link ModelFileError} with every issue. */
export function checkModelFileShape(data: unknown, source?: string): ModelFile {
  const reserved: ModelFileIssue[] = [];
  findReservedKeys(data, [], reserved, 0);
  if (reserved.length > 0) throw new ModelFileError(reserved, source);
  const r = modelFileSchema.safeParse(data);
  if (r.success) return r.data;
  throw new ModelFileError(
    r.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })),
    source,
  );
}

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Keys that would reach Object.prototype if used as names (a schema library drops them silently). */
function findReservedKeys(x: unknown, path: string[], out: ModelFileIssue[], depth: number): void {
  if (typeof x !== 'object' || x === null || depth > 64) return;
  for (const k of Object.keys(x)) {
    if (RESERVED_KEYS.has(k)) out.push({ path: pathOf([...path, k]), message: `'${k}' cannot be a key or a name in a model file; choose another name` });
    else findReservedKeys((x as Record<string, unknown>)[k], [...path, k], out, depth + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Units

const DIM_WORDS: [string, string][] = [
  ['1', 'a number'],
  ['1 s', 'a time'],
  ['1 V', 'a voltage'],
  ['1 A', 'a current'],
  ['1 S', 'a conductance'],
  ['1 ohm', 'a resistance'],
  ['1 F', 'a capacitance'],
  ['1 Hz', 'a rate'],
  ['1 S/metre**2', 'a conductance per area'],
  ['1 F/metre**2', 'a capacitance per area'],
  ['1 A/metre**2', 'a current per area'],
  ['1 metre**2', 'an area'],
  ['1 mM', 'a concentration'],
];
const EXAMPLES: Record<string, string> = { 'a time': '20 ms', 'a voltage': '-65 mV', 'a current': '200 pA', 'a conductance': '6 nS', 'a resistance': '100 Mohm', 'a capacitance': '200 pF', 'a rate': '5 Hz', 'a number': '0.5' };
let dimWords: [Dim, string][] | undefined;

/** 'a time', 'a voltage'... or 'a quantity in <dimension>'. */
export function dimWord(d: Dim): string {
  dimWords ??= DIM_WORDS.map(([u, w]) => [u === '1' ? DIMENSIONLESS : parseQuantity(u).dim, w]);
  for (const [nd, w] of dimWords) if (dimEq(d, nd)) return w;
  return `a quantity in ${formatDim(d)}`;
}

const show = (v: unknown) => (typeof v === 'string' ? `'${v.slice(0, 80)}'` : JSON.stringify(v));

/** The problem with a quantity for a value of dimension `dim`, or undefined. */
function quantityProblem(v: QuantityLike, dim: Dim): string | undefined {
  let q;
  try {
    q = parseQuantity(v);
  } catch (err) {
    return `cannot read ${show(v)} as a quantity (${(err as Error).message.split('\n')[0]})`;
  }
  if (dimEq(q.dim, dim)) return undefined;
  const want = dimWord(dim);
  const ex = EXAMPLES[want];
  return `expected ${want}, got ${show(v)}${ex ? ` (e.g. '${ex}')` : ''}`;
}

/** The problems with an initializer (a quantity or a distribution) of dimension `dim`. */
function initProblems(v: ModelFileInit, dim: Dim, path: string, out: ModelFileIssue[]): void {
  const add = (p: string, q: QuantityLike) => {
    const m = quantityProblem(q, dim);
    if (m) out.push({ path: p, message: m });
  };
  if (typeof v !== 'object') return add(path, v);
  if (v.dist === 'normal') {
    add(`${path}.mean`, v.mean);
    add(`${path}.std`, v.std);
    for (const bound of ['min', 'max'] as const) if (v[bound] !== undefined) add(`${path}.${bound}`, v[bound]);
  }
  else if (v.dist === 'uniform') (add(`${path}.low`, v.low), add(`${path}.high`, v.high));
  else {
    const m = quantityProblem(`1 ${v.unit}`.replace(/^1 1$/, '1'), dim);
    if (m) out.push({ path: `${path}.unit`, message: `the unit: ${m}` });
  }
}


// ---------------------------------------------------------------------------------------------
// Populations: 'P', 'P[0:3200]', 'P[3200:]'

const POPULATION = /^([^[\]]+?)\s*(?:\[\s*(\d*)\s*:\s*(\d*)\s*\])?$/;

function populationRef(text: string, sizes: ReadonlyMap<string, number>, path: string, out: ModelFileIssue[]): { group: string; start: number; stop: number } | undefined {
  const m = POPULATION.exec(text);
  if (!m) {
    out.push({ path, message: `expected a group name or a slice such as 'P[0:3200]', got ${show(text)}` });
    return undefined;
  }
  const size = sizes.get(m[1]);
  if (size === undefined) {
    out.push({ path, message: unknownName('group', m[1], [...sizes.keys()]) });
    return undefined;
  }
  const start = m[2] ? Number(m[2]) : 0;
  const stop = m[3] ? Number(m[3]) : size;
  if (!(start <= stop && stop <= size)) {
    out.push({ path, message: `slice [${start}:${stop}] is not inside group '${m[1]}' of ${size} neurons (use 0 ≤ start ≤ stop ≤ ${size})` });
    return undefined;
  }
  return { group: m[1], start, stop };
}

// ---------------------------------------------------------------------------------------------
// Checking and building

/** Settings that override the file's `run` section (the command line's --seed, --dtype...). */
export interface ModelFileOverrides {
  readonly seed?: number;
  readonly dtype?: 'float32' | 'float64';
  readonly backend?: 'auto' | 'wasm' | 'js';
  readonly threads?: number;
  readonly dt?: QuantityLike;
}

/** A network built from a model file, with its parts by the names the file gives them. */
export interface LoadedModel {
  readonly net: Network;
  readonly file: ModelFile;
  readonly groups: ReadonlyMap<string, NeuronGroup>;
  readonly monitors: ReadonlyMap<string, SpikeMonitor | StateMonitor | RateMonitor>;
  /** The file's run duration in seconds, if it gives one. */
  readonly duration: number | undefined;
  /** The file's training task, checked against the network (`braints train`). */
  readonly training?: TrainingTask;
}

const MODEL_WHERE = /^model '[^']*': /;

/** The message of an error thrown while declaring a part, without the part's own prefix (the path replaces it). */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message.replace(MODEL_WHERE, '') : String(err);
}

/**
 * Builds the network a model file declares, through the same public API a program uses. Throws
 * {@link ModelFileError} listing every problem with its path.
 *
 * @example
 * const { net, monitors } = buildModelFile(parseModelText(text));
 * net.run('1 s');
 */
export function buildModelFile(data: unknown, overrides: ModelFileOverrides = {}, source?: string): LoadedModel {
  const file = checkModelFileShape(data, source);
  const issues: ModelFileIssue[] = [];
  const attempt = <T>(path: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      issues.push({ path, message: messageOf(err) });
      return undefined;
    }
  };

  // Run settings.
  const run = file.run ?? {};
  const dt = overrides.dt ?? run.dt;
  if (dt !== undefined && typeof dt !== 'object') {
    const m = quantityProblem(dt, parseQuantity('1 s').dim);
    if (m) issues.push({ path: overrides.dt !== undefined ? '--dt' : 'run.dt', message: m });
  }
  let duration: number | undefined;
  if (run.duration !== undefined) {
    const m = quantityProblem(run.duration, parseQuantity('1 s').dim);
    if (m) issues.push({ path: 'run.duration', message: m });
    else duration = quantityIn(run.duration, SECOND);
  }

  // Models declared by their equations.
  const models = new Map<string, NeuronModel>(NEURON_MODELS);
  for (const [name, decl] of Object.entries(file.models ?? {})) {
    if (NEURON_MODELS.has(name)) {
      issues.push({ path: `models.${name}`, message: `'${name}' is a built-in model; give yours another name` });
      continue;
    }
    const m = attempt(`models.${name}`, () => defineNeuron(specOf(name, decl)));
    if (m) models.set(name, m);
  }

  const opts: { -readonly [K in keyof NetworkOptions]: NetworkOptions[K] } = { name: file.name ?? 'model' };
  if (dt !== undefined) opts.dt = dt;
  const seed = overrides.seed ?? run.seed;
  if (seed !== undefined) opts.seed = seed;
  const dtype = overrides.dtype ?? run.dtype;
  if (dtype !== undefined) opts.dtype = dtype;
  const backend = overrides.backend ?? run.backend;
  if (backend !== undefined) opts.backend = backend;
  const threads = overrides.threads ?? run.threads;
  if (threads !== undefined) opts.threads = threads;
  const net = new Network(opts);

  // Groups.
  const groups = new Map<string, NeuronGroup>();
  const sizes = new Map<string, number>();
  for (const [name, g] of Object.entries(file.groups)) {
    const path = `groups.${name}`;
    sizes.set(name, g.size);
    if (g.data) {
      if (g.model !== undefined || g.params || g.init || g.input || g.method || g.spikes || g.train) {
        issues.push({ path, message: 'a data group (data: true) takes only size: its spikes come from the training data set' });
        continue;
      }
      groups.set(name, net.add(new InputGroup(g.size, name)));
      continue;
    }
    if (g.spikes) {
      if (g.model !== undefined || g.params || g.init || g.input || g.method || g.train) {
        issues.push({ path, message: 'a spike generator (spikes: ...) takes only size and spikes' });
        continue;
      }
      const s = g.spikes;
      const G = attempt(`${path}.spikes`, () => new SpikeGeneratorGroup(g.size, { name, indices: s.indices, times: s.times, ...(s.unit ? { unit: s.unit } : {}) }));
      if (G) groups.set(name, net.add(G));
      continue;
    }
    if (g.model === undefined) {
      issues.push({ path: `${path}.model`, message: `expected a model: one of ${[...models.keys()].join(', ')} (or spikes: ... for a spike generator)` });
      continue;
    }
    const model = models.get(g.model);
    if (!model) {
      if (!issues.some((i) => i.path === `models.${g.model}`)) issues.push({ path: `${path}.model`, message: unknownName('model', g.model, [...models.keys()]) });
      continue;
    }
    const before = issues.length;
    const paramNames = [...model.params.keys()];
    for (const [k, v] of Object.entries(g.params ?? {})) {
      const def = model.params.get(k);
      if (!def) issues.push({ path: `${path}.params.${k}`, message: unknownName(`parameter of ${model.name}`, k, paramNames) });
      else initProblems(v, def.dim, `${path}.params.${k}`, issues);
    }
    const settable = model.lines.filter((l) => l.kind !== 'sub' && !l.flags.includes('input'));
    for (const [k, v] of Object.entries(g.init ?? {})) {
      const line = settable.find((l) => l.name === k);
      if (!line) issues.push({ path: `${path}.init.${k}`, message: unknownName(`state variable of ${model.name}`, k, settable.map((l) => l.name)) });
      else initProblems(v, line.dim, `${path}.init.${k}`, issues);
    }
    const inputs = model.lines.filter((l) => l.flags.includes('input'));
    for (const [k, v] of Object.entries(g.input ?? {})) {
      const line = inputs.find((l) => l.name === k);
      if (!line) issues.push({ path: `${path}.input.${k}`, message: unknownName(`input of ${model.name}`, k, inputs.map((l) => l.name)) });
      else initProblems(v, line.dim, `${path}.input.${k}`, issues);
    }
    (g.train ?? []).forEach((k, j) => {
      if (!model.params.has(k)) issues.push({ path: `${path}.train.${j}`, message: unknownName(`parameter of ${model.name} to train`, k, paramNames) });
    });
    if (issues.length > before) continue;
    const G = attempt(path, () => {
      const o: { name: string; params?: Record<string, Init>; init?: Record<string, Init>; method?: never; train?: string[] } = { name };
      if (g.train) o.train = g.train;
      if (g.params) o.params = g.params as Record<string, Init>;
      if (g.init) o.init = g.init as Record<string, Init>;
      if (g.method !== undefined) o.method = g.method as never;
      const group = new NeuronGroup(g.size, model, o);
      for (const [k, v] of Object.entries(g.input ?? {})) group.setInput(k, v as Init);
      return group;
    });
    if (G) groups.set(name, net.add(G));
  }

  const pop = (text: string, path: string): Population | undefined => {
    const r = populationRef(text, sizes, path, issues);
    if (!r) return undefined;
    const g = groups.get(r.group);
    if (!g) return undefined; // its own problem is reported already
    return r.start === 0 && r.stop === g.size ? g : g.slice(r.start, r.stop);
  };

  // Connections.
  for (const [name, c] of Object.entries(file.connections ?? {})) {
    const path = `connections.${name}`;
    const pre = pop(c.pre, `${path}.pre`);
    const post = pop(c.post, `${path}.post`);
    if (!pre || !post) continue;
    const o: { -readonly [K in keyof ProjectionOptions]?: ProjectionOptions[K] } = { name };
    o.comm = attempt(`${path}.comm`, () => makeConnector(c.comm));
    o.weight = c.weight as Init;
    if (c.delay !== undefined) o.delay = c.delay as Init;
    if (c.syn) o.syn = attempt(`${path}.syn`, () => makeSynapse(c.syn!));
    if (c.out) o.out = attempt(`${path}.out`, () => makeOutput(c.out!));
    if (c.stp) o.stp = attempt(`${path}.stp`, () => makeStp(c.stp!));
    if (c.target !== undefined) o.target = c.target;
    if (!o.comm || (c.syn && !o.syn) || (c.out && !o.out) || (c.stp && !o.stp)) continue;
    if (c.train) {
      const trainable = ['weight', ...Object.keys(o.syn?.params ?? {}), ...(o.stp ? ['U', 'tau_f', 'tau_d'] : [])];
      const bad = c.train.findIndex((k) => !trainable.includes(k));
      if (bad >= 0) {
        issues.push({ path: `${path}.train.${bad}`, message: unknownName('trainable part of the connection', c.train[bad], trainable) });
        continue;
      }
      o.train = c.train;
    }
    attempt(path, () => net.connect(pre, post, o as ProjectionOptions));
  }

  // Inputs.
  for (const [name, p] of Object.entries(file.inputs ?? {})) {
    const path = `inputs.${name}`;
    const post = pop(p.post, `${path}.post`);
    if (!post) continue;
    const o: { -readonly [K in keyof ConstructorParameters<typeof PoissonInput>[1]]?: unknown } = { name, num: p.num, rate: p.rate, weight: p.weight };
    if (p.target !== undefined) o.target = p.target;
    if (p.syn) o.syn = attempt(`${path}.syn`, () => makeSynapse(p.syn!));
    if (p.out) o.out = attempt(`${path}.out`, () => makeOutput(p.out!));
    if ((p.syn && !o.syn) || (p.out && !o.out)) continue;
    const rateProblem = quantityProblem(p.rate, parseQuantity('1 Hz').dim);
    if (rateProblem) {
      issues.push({ path: `${path}.rate`, message: rateProblem });
      continue;
    }
    attempt(path, () => net.add(new PoissonInput(post, o as ConstructorParameters<typeof PoissonInput>[1])));
  }

  // Monitors.
  const monitors = new Map<string, SpikeMonitor | StateMonitor | RateMonitor>();
  for (const [name, m] of Object.entries(file.monitors ?? {})) {
    const path = `monitors.${name}`;
    const source = pop(m.group, `${path}.group`);
    if (!source) continue;
    const mon = attempt(path, () => {
      if (m.type === 'spikes') return new SpikeMonitor(source);
      if (m.type === 'rate') return new RateMonitor(source);
      const so: { indices?: number[]; every?: number } = {};
      if (m.indices) so.indices = m.indices;
      if (m.every !== undefined) so.every = m.every;
      return new StateMonitor(source, m.variables, so);
    });
    if (mon) {
      mon.name = name;
      monitors.set(name, net.add(mon));
    }
  }

  const training = file.training ? checkTraining(file, groups, issues) : undefined;

  if (issues.length > 0) throw new ModelFileError(issues, source);
  return { net, file, groups, monitors, duration, training };
}

/** A `defineNeuron` spec from a file's model declaration (only the fields it gives). */
function specOf(name: string, d: ModelDecl): NeuronModelSpec {
  const s: { -readonly [K in keyof NeuronModelSpec]: NeuronModelSpec[K] } = { name, equations: d.equations };
  if (d.params) s.params = d.params;
  if (d.threshold !== undefined) s.threshold = d.threshold;
  if (d.reset !== undefined) s.reset = d.reset;
  if (d.refractory !== undefined) s.refractory = d.refractory;
  if (d.init) s.init = d.init as Record<string, Init>;
  if (d.method !== undefined) s.method = d.method as NeuronModelSpec['method'];
  if (d.positive) s.positive = d.positive;
  return s;
}

/**
 * Reads, checks and builds a model file's text (YAML or JSON).
 *
 * @example
 * const { net, monitors, duration } = loadModelText(readFileSync('examples/models/coba.yaml', 'utf8'));
 * net.run(duration ?? 1);
 */
export function loadModelText(text: string, overrides: ModelFileOverrides = {}, options: { format?: 'yaml' | 'json'; source?: string } = {}): LoadedModel {
  return buildModelFile(parseModelText(text, options.format ?? 'yaml', options.source), overrides, options.source);
}

/**
 * Everything wrong with a model file, without running it: the schema, the names and units, and
 * the network's build (connectivity, dimensions of every equation). An empty list means it runs.
 *
 * @example
 * for (const i of validateModelText(text)) console.log(`${i.path}: ${i.message}`);
 */
export function validateModelText(text: string, options: { format?: 'yaml' | 'json' } = {}): ModelFileIssue[] {
  let loaded: LoadedModel;
  try {
    loaded = loadModelText(text, {}, options);
  } catch (err) {
    if (err instanceof ModelFileError) return [...err.issues];
    return [{ path: '', message: messageOf(err) }];
  }
  try {
    loaded.net.build();
  } catch (err) {
    return [buildIssue(err)];
  } finally {
    loaded.net.close();
  }
  return [];
}

const BUILT_PART = /^(?:projection '([^']*)'|[A-Za-z0-9_]* ?group '([^']*)'|PoissonInput '([^']*)'): /;

/** An error of the network's build, placed at the part of the file it names. */
function buildIssue(err: unknown): ModelFileIssue {
  const message = err instanceof Error ? err.message : String(err);
  const m = BUILT_PART.exec(message);
  if (!m) return { path: '(build)', message };
  const path = m[1] !== undefined ? `connections.${m[1]}` : m[2] !== undefined ? `groups.${m[2]}` : `inputs.${m[3]}`;
  return { path, message: message.slice(m[0].length) };
}
