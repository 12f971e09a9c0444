/**
 * The data of a model file's training task: the training and test sets (disjoint by
 * construction) and the spike code that turns a batch of samples into input events.
 */
import { syntheticDataset, type Dataset } from '../data/synthetic.js';
import { hasFashionMnist, loadFashionMnist, head, FASHION_MNIST_DIR } from '../data/fashion_mnist.js';
import { latencySteps, latencyEvents, rateEvents } from '../data/encode.js';
import { type Events } from '../data/events.js';
import { type TrainingTask } from '../modelfile/training.js';
import { CliError } from './errors.js';

/** Training and test sets of a task. */
export interface TaskData {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Where the data came from, for the log. */
  readonly description: string;
}

/**
 * The task's data sets. Synthetic: one task (the class prototypes, from `seed`) and two noise
 * streams, so no test sample is a training sample. Fashion-MNIST: the first samples of its
 * separate training and test files.
 */
export function taskData(task: TrainingTask): TaskData {
  const d = task.spec.data;
  if (d.type === 'synthetic') {
    const seed = d.seed ?? 0;
    const common = { d: task.features, classes: task.classes, seed, ...(d.noise !== undefined ? { noise: d.noise } : {}) };
    // noise streams 2·seed+1 and 2·seed+2 differ for every seed
    const train = syntheticDataset({ ...common, n: d.train, noiseSeed: 2 * seed + 1 });
    const test = syntheticDataset({ ...common, n: d.test, noiseSeed: 2 * seed + 2 });
    return { train, test, description: `synthetic: ${task.classes} classes, ${task.features} features, ${d.train} training and ${d.test} test samples` };
  }
  const dir = d.dir ?? FASHION_MNIST_DIR;
  if (!hasFashionMnist(dir)) throw new CliError(`training.data: Fashion-MNIST is not in ${dir}. Fix: apt-get install dataset-fashion-mnist, or give training.data.dir, or use data: { type: synthetic, ... }`);
  const all = loadFashionMnist(dir);
  const train = head(all.train, d.train ?? all.train.n);
  const test = head(all.test, d.test ?? all.test.n);
  return { train, test, description: `Fashion-MNIST from ${dir}: ${train.n} training and ${test.n} test samples` };
}

/** Events of a batch of rows of a data set. */
export type Encoder = (rows: Int32Array, data: Dataset, epoch: number) => Events;

/**
 * The task's spike code: latency (each feature fires once, earlier when stronger; the firing
 * steps are computed once per data set) or rate (Bernoulli spikes, fresh every epoch).
 */
export function taskEncoder(task: TrainingTask): Encoder {
  const steps = task.spec.steps;
  const e = task.spec.encoding ?? { type: 'latency' as const };
  if (e.type === 'rate') {
    const seed = e.seed ?? 0;
    return (rows, data, epoch) => rateEvents(data.x, data.d, rows, { steps, maxProb: e.maxProb ?? 0.2, seed, offset: epoch * data.n });
  }
  const cache = new WeakMap<Dataset, Uint16Array>();
  return (rows, data) => {
    let when = cache.get(data);
    if (!when) cache.set(data, (when = latencySteps(data.x, { steps, ...(e.tau !== undefined ? { tau: e.tau } : {}), ...(e.threshold !== undefined ? { threshold: e.threshold } : {}) })));
    return latencyEvents(when, data.d, rows, steps);
  };
}
