/**
 * The model-file format: a whole network as data (JSON or YAML), checked by a zod schema.
 *
 * The schema checks shapes (which keys, which kinds of value); `check.ts` then checks what needs
 * the models (parameter names, units, populations), and `build.ts` builds the network through the
 * same public API a program uses. Nothing in a model file is ever run as code: equations are
 * parsed by the equation parser, names are checked, and every other value is a number, a string
 * with a unit, or a list of numbers.
 */
import * as z from 'zod';
import { nearestName } from '../equations/validate.js';

/** The current format version, written by {@link toModelFile}. */
export const MODEL_FILE_VERSION = 1;

const quote = (s: string) => `'${s}'`;

/**
 * A strict object: unknown keys are refused with the nearest valid name.
 */
function obj<T extends z.ZodRawShape>(shape: T) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== 'unrecognized_keys') return iss.code === 'invalid_type' ? `expected an object with keys ${keys.join(', ')}` : undefined;
      return iss.keys
        .map((k) => {
          const near = nearestName(String(k).slice(0, 100), keys);
          return `unknown key ${quote(String(k))}${near ? `: did you mean ${quote(near)}?` : ''} (valid: ${keys.join(', ')})`;
        })
        .join('; ');
    },
  });
}

/**
 * A union of objects told apart by `type`; an unknown type is refused with the valid ones.
 */
function typed<const T extends readonly [z.ZodObject, ...z.ZodObject[]]>(what: string, options: T, names: readonly string[]) {
  return z.discriminatedUnion('type', options as unknown as [z.ZodObject, ...z.ZodObject[]], {
    error: (iss) => {
      const input = iss.input as { type?: unknown } | undefined;
      const t = typeof input === 'object' && input !== null ? input.type : undefined;
      if (typeof t !== 'string') return `expected ${what} {type: ${names.join(' | ')}, ...}`;
      const near = nearestName(t.slice(0, 100), names);
      return `unknown ${what} type ${quote(t)}${near ? `: did you mean ${quote(near)}?` : ''} (valid: ${names.join(', ')})`;
    },
  }) as unknown as z.ZodType<z.infer<T[number]>>;
}

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
const name = z
  .string({ error: 'expected a name (a string)' })
  .min(1, 'expected a non-empty name')
  .max(200, 'names have at most 200 characters')
  .refine((n) => !RESERVED.has(n), { error: (iss) => `'${String(iss.input)}' cannot be a name here; choose another` });
/** A number, or a number with a unit ('20 ms'); its dimension is checked against the model. */
export const quantity = z.union([z.number(), z.string()], { error: "expected a number or a quantity with a unit, such as '20 ms'" });
const int = (what: string) => z.number({ error: `expected ${what}` }).int(`expected ${what}`);
const nonNegInt = (what: string) => int(what).min(0, `expected ${what} ≥ 0`);
const numbers = z.array(z.number({ error: 'expected a number' }), { error: 'expected a list of numbers' });

const normal = obj({ dist: z.literal('normal'), mean: quantity, std: quantity, min: quantity.optional(), max: quantity.optional() });
const uniform = obj({ dist: z.literal('uniform'), low: quantity, high: quantity });
const valuesInit = obj({ dist: z.literal('values'), values: numbers, unit: z.string() });
/** A constant (quantity) or a distribution `{dist: normal, mean, std}`, `{dist: uniform, low, high}`, `{dist: values, values, unit}`. */
export const init = z.union([z.number(), z.string(), z.discriminatedUnion('dist', [normal, uniform, valuesInit])], {
  error: "expected a quantity such as '20 ms', or {dist: normal, mean, std}, {dist: uniform, low, high}, {dist: values, values, unit}",
});

/** A neuron model declared by its equations (the fields of `defineNeuron`). */
export const modelDecl = obj({
  equations: z.string({ error: 'expected the equations as text' }),
  params: z.record(name, quantity).optional(),
  threshold: z.string().optional(),
  reset: z.string().optional(),
  refractory: quantity.optional(),
  init: z.record(name, init).optional(),
  method: z.string().optional(),
  positive: z.array(name).optional(),
});

export const CONNECTORS = ['FixedProb', 'All2All', 'One2One', 'FromPairs', 'FixedPreNum', 'FixedPostNum', 'FixedTotalNum'] as const;
const degree = { num: nonNegInt('a whole number of synapses'), allowSelf: z.boolean().optional(), allowMulti: z.boolean().optional(), seed: int('an integer seed').optional() };
export const connector = typed(
  'connectivity',
  [
    obj({ type: z.literal('FixedProb'), prob: z.number({ error: 'expected a probability' }).min(0, 'expected a probability in [0, 1]').max(1, 'expected a probability in [0, 1]'), allowSelf: z.boolean().optional(), seed: int('an integer seed').optional() }),
    obj({ type: z.literal('All2All'), allowSelf: z.boolean().optional() }),
    obj({ type: z.literal('One2One') }),
    obj({ type: z.literal('FromPairs'), pre: numbers, post: numbers }),
    obj({ type: z.literal('FixedPreNum'), ...degree }),
    obj({ type: z.literal('FixedPostNum'), ...degree }),
    obj({ type: z.literal('FixedTotalNum'), num: nonNegInt('a whole number of synapses'), seed: int('an integer seed').optional() }),
  ],
  CONNECTORS,
);

export const SYNAPSES = ['Expon', 'DualExpon', 'Alpha', 'AMPA', 'GABAa', 'NMDA'] as const;
const kinetic = { alpha: quantity.optional(), beta: quantity.optional(), T: quantity.optional(), T_dur: quantity.optional() };
export const synapse = typed(
  'synapse',
  [
    obj({ type: z.literal('Expon'), tau: quantity }),
    obj({ type: z.literal('DualExpon'), tauRise: quantity, tauDecay: quantity }),
    obj({ type: z.literal('Alpha'), tau: quantity }),
    obj({ type: z.literal('AMPA'), ...kinetic }),
    obj({ type: z.literal('GABAa'), ...kinetic }),
    obj({ type: z.literal('NMDA'), a: quantity.optional(), tau_decay: quantity.optional(), tau_rise: quantity.optional() }),
  ],
  SYNAPSES,
);

export const OUTPUTS = ['CUBA', 'COBA', 'MgBlock'] as const;
export const output = typed(
  'synaptic output',
  [
    obj({ type: z.literal('CUBA') }),
    obj({ type: z.literal('COBA'), E: quantity, V: name.optional() }),
    obj({ type: z.literal('MgBlock'), E: quantity, Mg: quantity.optional(), alpha: quantity.optional(), beta: quantity.optional(), V: name.optional() }),
  ],
  OUTPUTS,
);

export const stp = obj({ U: quantity, tau_f: quantity, tau_d: quantity });

/** A population: `'P'`, or a slice `'P[0:3200]'`, `'P[3200:]'`. */
export const population = z.string({ error: "expected a group name, or a slice such as 'P[0:3200]'" });

export const group = obj({
  size: nonNegInt('a whole number of neurons'),
  model: name.optional(),
  params: z.record(name, init).optional(),
  init: z.record(name, init).optional(),
  method: z.string().optional(),
  input: z.record(name, init).optional(),
  spikes: obj({ indices: numbers, times: numbers, unit: z.string().optional() }).optional(),
  /** Parameters trained by `braints train` (like `train` of NeuronGroup's options). */
  train: z.array(name, { error: 'expected a list of parameter names, such as [tau]' }).optional(),
  /** An input population fed with the training data set's spikes (an InputGroup): takes only size. */
  data: z.literal(true, { error: 'expected data: true (a group fed from the training data set)' }).optional(),
});

export const connection = obj({
  pre: population,
  post: population,
  comm: connector,
  weight: init,
  delay: init.optional(),
  syn: synapse.optional(),
  out: output.optional(),
  target: name.optional(),
  stp: stp.optional(),
  /** What `braints train` trains: 'weight' and parameters of the synapse or STP. */
  train: z.array(name, { error: 'expected a list such as [weight]' }).optional(),
});

export const poisson = obj({
  type: z.literal('Poisson', { error: "expected type: Poisson (the only kind of input so far)" }),
  post: population,
  num: nonNegInt('a whole number of sources'),
  rate: quantity,
  weight: quantity,
  syn: synapse.optional(),
  out: output.optional(),
  target: name.optional(),
});

export const MONITORS = ['spikes', 'state', 'rate'] as const;
export const monitor = typed(
  'monitor',
  [
    obj({ type: z.literal('spikes'), group: population }),
    obj({ type: z.literal('state'), group: population, variables: z.array(name).min(1, 'expected at least one variable'), indices: z.array(nonNegInt('a neuron index')).optional(), every: int('a whole number of steps').min(1, 'expected ≥ 1').optional() }),
    obj({ type: z.literal('rate'), group: population }),
  ],
  MONITORS,
);

export const runSettings = obj({
  dt: quantity.optional(),
  duration: quantity.optional(),
  seed: int('an integer seed').optional(),
  dtype: z.enum(['float32', 'float64'], { error: 'expected float32 or float64' }).optional(),
  backend: z.enum(['auto', 'wasm', 'js'], { error: 'expected auto, wasm or js' }).optional(),
  threads: int('a whole number of threads').min(1, 'expected ≥ 1').optional(),
});

const posInt = (what: string) => int(what).min(1, `expected ${what} ≥ 1`);
const positive = (what: string) => z.number({ error: `expected ${what}` }).positive(`expected ${what} > 0`);

export const DATASETS = ['synthetic', 'fashion-mnist'] as const;
export const dataset = typed(
  'data set',
  [
    obj({
      type: z.literal('synthetic'),
      train: posInt('a number of training samples'),
      test: posInt('a number of test samples'),
      features: posInt('a number of features').optional(),
      classes: int('a number of classes').min(2, 'expected at least 2 classes').optional(),
      noise: z.number({ error: 'expected a noise level' }).min(0, 'expected a noise level ≥ 0').optional(),
      seed: int('an integer seed').optional(),
    }),
    obj({
      type: z.literal('fashion-mnist'),
      train: posInt('a number of training samples').max(60000, 'Fashion-MNIST has 60000 training samples').optional(),
      test: posInt('a number of test samples').max(10000, 'Fashion-MNIST has 10000 test samples').optional(),
      dir: z.string({ error: 'expected a directory' }).optional(),
    }),
  ],
  DATASETS,
);

export const ENCODINGS = ['latency', 'rate'] as const;
export const encoding = typed(
  'spike encoding',
  [
    obj({ type: z.literal('latency'), tau: positive('a time constant in steps').optional(), threshold: z.number({ error: 'expected a threshold' }).min(0, 'expected a threshold in [0, 1)').max(0.999, 'expected a threshold in [0, 1)').optional() }),
    obj({ type: z.literal('rate'), maxProb: positive('a probability').max(1, 'expected a probability in (0, 1]').optional(), seed: int('an integer seed').optional() }),
  ],
  ENCODINGS,
);

export const OPTIMIZERS = ['Adam', 'AdamW', 'SGD'] as const;
export const optimizer = typed(
  'optimizer',
  [
    obj({ type: z.literal('Adam'), lr: positive('a learning rate').optional(), weightDecay: z.number().min(0, 'expected a weight decay ≥ 0').optional() }),
    obj({ type: z.literal('AdamW'), lr: positive('a learning rate').optional(), weightDecay: z.number().min(0, 'expected a weight decay ≥ 0').optional() }),
    obj({ type: z.literal('SGD'), lr: positive('a learning rate'), momentum: z.number().min(0, 'expected a momentum in [0, 1)').max(0.999, 'expected a momentum in [0, 1)').optional(), weightDecay: z.number().min(0, 'expected a weight decay ≥ 0').optional() }),
  ],
  OPTIMIZERS,
);

/** A classification task for `braints train`. */
export const training = obj({
  data: dataset,
  /** The group (declared with data: true) that receives the encoded samples. */
  input: name,
  encoding: encoding.optional(),
  /** Simulation steps per sample. */
  steps: posInt('a number of steps per sample').max(65534, 'expected at most 65534 steps'),
  /** Logits: a variable of the readout group reduced over the steps. */
  readout: obj({ group: name, variable: name.optional(), reduce: z.enum(['mean', 'max', 'last'], { error: 'expected mean, max or last' }).optional() }),
  loss: z.enum(['cross_entropy'], { error: 'expected cross_entropy (the only loss so far)' }).optional(),
  optimizer: optimizer.optional(),
  epochs: posInt('a number of epochs'),
  batch: posInt('a batch size'),
  /** Clip the global gradient norm to this. */
  clip: positive('a gradient norm').optional(),
  /** Seed of the shuffling. */
  seed: int('an integer seed').optional(),
});

/** The whole file. */
export const modelFileSchema = obj({
  braints: z.literal(MODEL_FILE_VERSION, { error: `expected braints: ${MODEL_FILE_VERSION} (the format version)` }),
  name: name.optional(),
  description: z.string().optional(),
  run: runSettings.optional(),
  models: z.record(name, modelDecl).optional(),
  groups: z.record(name, group, { error: 'expected groups: a map from group names to groups' }),
  connections: z.record(name, connection).optional(),
  inputs: z.record(name, poisson).optional(),
  monitors: z.record(name, monitor).optional(),
  training: training.optional(),
});

/** A model file, as its schema accepts it. */
export type ModelFile = z.infer<typeof modelFileSchema>;
export type ModelFileGroup = z.infer<typeof group>;
export type ModelFileConnection = z.infer<typeof connection>;
export type ModelFileMonitor = z.infer<typeof monitor>;
export type ModelFileInit = z.infer<typeof init>;
export type ModelFileSynapse = z.infer<typeof synapse>;
export type ModelFileOutput = z.infer<typeof output>;
export type ModelFileConnector = z.infer<typeof connector>;
export type ModelDecl = z.infer<typeof modelDecl>;
export type ModelFileTraining = z.infer<typeof training>;
