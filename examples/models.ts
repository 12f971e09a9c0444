/**
 * The benchmark networks of the BrainPy paper and of Brette et al. (2007), built with BrainTS.
 * Shared by the examples, the benchmark command and the tests so that all three run the same model.
 *
 * Both follow `../shared/peers/brian2_coba.py` and `brian2_cuba.py` (Vogels & Abbott 2005):
 * 4000 LIF neurons (80 % excitatory) at `scale` 1, connection probability 2 %, dt 0.1 ms,
 * neurons × scale and weights ÷ scale.
 *
 * Brian2 writes these models with dimensionless conductances (in units of the leak conductance)
 * or with synaptic "currents" in volts. BrainTS writes them with physical units and the projection
 * chain; the two are the same equations once a membrane resistance R is chosen, here 100 MΩ
 * (leak conductance 10 nS):
 *   COBA: ge (dimensionless) = g / gL, so we = 0.6 → 6 nS, wi = 6.7 → 67 nS, I = 20 mV → 200 pA;
 *   CUBA: ge (volts) = R·I_syn, so we = 1.62 mV → 16.2 pA, wi = -9 mV → -90 pA.
 */
import {
  Network,
  NeuronGroup,
  LIF,
  FixedProb,
  Expon,
  COBA,
  CUBA,
  SpikeMonitor,
  normal,
  uniform,
  type NetworkOptions,
} from '../src/index.js';

export interface BenchmarkNet {
  readonly net: Network;
  readonly P: NeuronGroup;
  readonly spikes: SpikeMonitor;
  readonly ne: number;
  readonly ni: number;
}

const R = 100e6; // ohm: the membrane resistance that maps Brian2's normalized units to physical ones

/**
 * Vogels–Abbott COBA network.
 *
 * @example
 * const { net, spikes } = cobaNetwork({ scale: 1, seed: 1 });
 * net.run('1 s');
 */
export function cobaNetwork(opts: { scale?: number; seed?: number } & NetworkOptions = {}): BenchmarkNet {
  const scale = opts.scale ?? 1;
  const ne = Math.trunc(3200 * scale);
  const ni = Math.trunc(800 * scale);
  const net = new Network({ dt: '0.1 ms', ...networkOptions(opts), name: 'COBA' });
  const P = net.add(
    new NeuronGroup(ne + ni, LIF, {
      name: 'P',
      params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '5 ms', R: `${R / 1e6} Mohm` },
      init: { v: normal('-55 mV', '5 mV') },
      method: 'euler', // as the Brian2 reference
    }),
  );
  P.setInput('I', `${(20e-3 / R) * 1e12} pA`);
  const E = P.slice(0, ne);
  const I = P.slice(ne, ne + ni);
  const gL = 1 / R;
  net.connect(E, P, { name: 'E→P', comm: new FixedProb(0.02), weight: `${((0.6 / scale) * gL) * 1e9} nS`, syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
  net.connect(I, P, { name: 'I→P', comm: new FixedProb(0.02), weight: `${((6.7 / scale) * gL) * 1e9} nS`, syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }) });
  const spikes = net.add(new SpikeMonitor(P));
  return { net, P, spikes, ne, ni };
}

/**
 * CUBA network (Brette et al. 2007, benchmark 2).
 *
 * @example
 * const { net, spikes } = cubaNetwork({ scale: 1, seed: 1 });
 * net.run('1 s');
 */
export function cubaNetwork(opts: { scale?: number; seed?: number } & NetworkOptions = {}): BenchmarkNet {
  const scale = opts.scale ?? 1;
  const ne = Math.trunc(3200 * scale);
  const ni = Math.trunc(800 * scale);
  const net = new Network({ dt: '0.1 ms', ...networkOptions(opts), name: 'CUBA' });
  const P = net.add(
    new NeuronGroup(ne + ni, LIF, {
      name: 'P',
      params: { El: '-49 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '5 ms', R: `${R / 1e6} Mohm` },
      init: { v: uniform('-60 mV', '-50 mV') },
      method: 'exp_euler', // linear equations: exact for the synaptic decay (Brian2 uses 'exact')
    }),
  );
  const E = P.slice(0, ne);
  const I = P.slice(ne, ne + ni);
  const we = ((60 * 0.27) / 10) * 1e-3 / scale / R; // amp
  const wi = ((-20 * 4.5) / 10) * 1e-3 / scale / R;
  net.connect(E, P, { name: 'E→P', comm: new FixedProb(0.02), weight: `${we * 1e12} pA`, syn: Expon({ tau: '5 ms' }), out: CUBA() });
  net.connect(I, P, { name: 'I→P', comm: new FixedProb(0.02), weight: `${wi * 1e12} pA`, syn: Expon({ tau: '10 ms' }), out: CUBA() });
  const spikes = net.add(new SpikeMonitor(P));
  return { net, P, spikes, ne, ni };
}

/** The network's own options out of a model builder's options (a Network refuses unknown keys). */
function networkOptions<T extends { scale?: number }>(opts: T): Omit<T, 'scale'> {
  const { scale: _scale, ...rest } = opts;
  return rest;
}
