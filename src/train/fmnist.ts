/**
 * The Fashion-MNIST benchmark network (the PyTorch reference, bench/peers/torch_fmnist_snn.py):
 * latency-coded 28×28 images, 784 → 100 LIF (current synapse) → 10 leaky readout, 100 steps,
 * logits = the maximum over time of the readout membrane, arctan surrogate, no biases.
 *
 * The reference takes the spike from the membrane before the update and resets the next one; with
 * the simulator's schedule that is the same network as a 1-step refractory clamp (refractorySteps
 * 2) with spikes reaching the readout on the next step, which is what we build (the equivalence is
 * a test in test/train.test.ts).
 */
import { SNN } from './network.js';
import { type Layer } from './layer.js';
import { type Input } from './projection.js';
import { synapticLIF, leakyReadout } from './models.js';
import { atan, type Surrogate } from './surrogate.js';
import { latencyBatch } from '../data/encode.js';
import { type Dataset } from '../data/synthetic.js';
import { type Classifier } from './trainer.js';

/** Hyper-parameters (defaults: the reference's). */
export interface FmnistOptions {
  readonly batch?: number;
  readonly steps?: number;
  readonly hidden?: number;
  readonly alpha?: number;
  readonly beta?: number;
  readonly threshold?: number;
  /** Initial weights N(0, 1)·gain/√fan-in (default 1.05). */
  readonly gain?: number;
  readonly surrogate?: Surrogate;
  readonly seed?: number;
  readonly dtype?: 'float32' | 'float64';
  /** Latency code: time constant (steps) and threshold (default 20, 0.2). */
  readonly encTau?: number;
  readonly encThreshold?: number;
}

/**
 * The network, as a classifier of latency-coded images.
 *
 * @example
 * const model = fmnistClassifier({ batch: 128, seed: 1 });
 * const r = trainEpoch(model, train, new Adam(model.net.parameters(), { lr: 1e-3 }), { batch: 128, epoch: 0 });
 */
export function fmnistClassifier(o: FmnistOptions = {}): Classifier<Dataset> & { input: Input; hiddenLayer: Layer } {
  const steps = o.steps ?? 100;
  const batch = o.batch ?? 256;
  const hidden = o.hidden ?? 100;
  const gain = o.gain ?? 1.05;
  const net = new SNN({ steps, batch, dt: '1 ms', dtype: o.dtype ?? 'float32', seed: o.seed ?? 0 });
  const input = net.input(784, 'pixels');
  const h = net.layer(hidden, synapticLIF({ alpha: o.alpha ?? 0.9, beta: o.beta ?? 0.85, threshold: o.threshold ?? 1, refractorySteps: 2 }), {
    name: 'hidden',
    surrogate: o.surrogate ?? atan(2),
    detachReset: true,
  });
  const out = net.layer(10, leakyReadout({ alpha: o.alpha ?? 0.9, beta: o.beta ?? 0.85 }), { name: 'readout' }).record('v');
  net.dense(input, h, { name: 'W1', target: 'I', weight: { dist: 'normal', mean: 0, std: gain / Math.sqrt(784) } });
  net.dense(h, out, { name: 'W2', target: 'I', weight: { dist: 'normal', mean: 0, std: gain / Math.sqrt(hidden) } });
  net.build();
  const enc = { steps, tau: o.encTau ?? 20, threshold: o.encThreshold ?? 0.2 };
  return {
    net,
    input,
    hiddenLayer: h,
    output: out,
    variable: 'v',
    reduce: 'max',
    encode: (rows, d) => latencyBatch(d.x, d.d, rows, enc),
  };
}
