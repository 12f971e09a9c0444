/**
 * The conductance-based network of the one-network gradient checks: 400 recurrent LIF neurons
 * (320 excitatory, 80 inhibitory) with Expon synapses and COBA outputs over FixedProb CSR,
 * per-synapse delays on the excitatory projection, Tsodyks–Markram STP on it, driven by an input
 * group, and a non-spiking readout population the loss reads. Shared by the test and the bench.
 */
import { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, STP, InputGroup, normal, uniform, mse, sigmoid, Rng, type Recorded } from '../../src/index.js';
import { type TapeEvents } from '../../src/backends/js/tape.js';

export interface ConductanceNet {
  readonly net: Network;
  /** Runs the forward pass on the fixed batch of inputs. */
  readonly run: () => void;
  /** The loss of the last forward pass (writes its gradient into the trace). */
  readonly loss: () => number;
}

/** Poisson events for `size` inputs, `batch` rows and `steps` steps (flat indices b·size + i). */
export function poissonEvents(size: number, batch: number, steps: number, p: number, seed: number): TapeEvents {
  const rng = new Rng(seed, 7);
  const ptr = new Int32Array(steps + 1);
  const idx: number[] = [];
  for (let n = 0; n < steps; n++) {
    for (let k = 0; k < batch * size; k++) if (rng.uniform() < p) idx.push(k);
    ptr[n + 1] = idx.length;
  }
  return { ptr, idx: Int32Array.from(idx) };
}

export function conductanceNet(o: { threads?: number; engine?: boolean; trainBackend?: 'js' | 'engine'; steps?: number; batch?: number } = {}): ConductanceNet {
  const steps = o.steps ?? 150;
  const batch = o.batch ?? 2;
  const net = new Network({ dt: '0.1 ms', seed: 3, dtype: 'float64', threads: o.threads, engine: o.engine, trainBackend: o.trainBackend, batch });
  const x = net.add(new InputGroup(40, 'x'));
  const P = net.add(
    new NeuronGroup(400, LIF, {
      name: 'P',
      params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '2 ms' },
      init: { v: normal('-57 mV', '3 mV') },
      train: ['tau'],
      trainInit: ['v'],
      spikeMode: 'soft',
      // a gentle smooth spike (width of a few mV): finite differences stay in the linear regime
      surrogate: sigmoid(1),
    }),
  );
  P.setInput('I', '80 pA');
  const readout = net.add(new NeuronGroup(5, LIF, { name: 'readout', params: { El: '-60 mV', Vth: '1 V', Vreset: '-60 mV', tau: '10 ms' } }));
  net.connect(x, P, { name: 'in', comm: new FixedProb(0.2), weight: '3 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), train: ['weight'] });
  net.connect(P.slice(0, 320), P, {
    name: 'EE',
    comm: new FixedProb(0.05),
    weight: '1.5 nS',
    delay: uniform('0.5 ms', '2 ms'),
    syn: Expon({ tau: '5 ms' }),
    out: COBA({ E: '0 mV' }),
    stp: STP({ U: '0.2', tau_f: '200 ms', tau_d: '50 ms' }),
    train: ['weight', 'tau'],
  });
  net.connect(P.slice(320), P, { name: 'IE', comm: new FixedProb(0.05), weight: '6 nS', delay: '1 ms', syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }), train: ['weight'] });
  net.connect(P.slice(0, 320), readout, { name: 'out', comm: new FixedProb(0.2), weight: '1 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), train: ['weight'] });
  const events = poissonEvents(40, batch, steps, 0.05, 11);
  const targets = Float64Array.from({ length: batch * 5 }, (_, k) => -0.059 + 0.0005 * (k % 5));
  let rec: Recorded | undefined;
  return {
    net,
    run: () => {
      net.forward({ steps, batch, inputs: [[x, events]] });
      rec = net.trace(readout, 'v');
    },
    loss: () => mse(rec!, targets, { reduce: 'mean' }),
  };
}
