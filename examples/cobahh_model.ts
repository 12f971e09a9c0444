/**
 * The COBAHH benchmark network (Brette et al. 2007, benchmark 3; the HH network of the BrainPy
 * paper), built exactly as `../shared/peers/brian2_cobahh.py`:
 *
 * - 4000 Traub–Miles Hodgkin–Huxley neurons at `scale` 1 (3200 excitatory, 800 inhibitory;
 *   `int(3200 scale)` and `int(800 scale)` in general), area 20 000 µm², parameters of
 *   {@link TRAUB_MILES_PARAMS};
 * - random connectivity with probability 2 % from the excitatory and the inhibitory neurons onto
 *   every neuron (self-connections allowed, as in Brian2's `connect(p=0.02)`);
 * - exponentially decaying conductances ge (tau 5 ms, reversal 0 mV) and gi (tau 10 ms, reversal
 *   -80 mV); each spike adds we = 6 nS / scale or wi = 67 nS / scale, with no delay;
 * - exponential Euler, dt = 0.1 ms; a spike when v > -20 mV, refractory 3 ms, no reset;
 * - initial v ~ N(-65 mV, 5 mV) (Brian2's El + (randn·5 - 5) mV), ge ~ N(40 nS, 15 nS),
 *   gi ~ N(200 nS, 120 nS), gates m = n = h = 0.
 *
 * How the synapses are written: ge and gi are state variables of the neuron model, and the two
 * projections have no `syn`: each spike adds its weight to `ge` or `gi` directly (Brian2's
 * `on_pre='ge += we'`). The alternative, `syn: Expon(...)` with `out: COBA(...)`, gives the same
 * equations (align-post keeps one conductance per neuron either way), but the benchmark starts
 * ge and gi at random values, and a synaptic state created by a projection cannot be given an
 * initial value. With ge and gi in the model, the whole system (v, m, n, h, ge, gi) is advanced
 * by one exponential-Euler step exactly as in Brian2.
 */
import {
  Network,
  NeuronGroup,
  FixedProb,
  SpikeMonitor,
  normal,
  defineNeuron,
  TRAUB_MILES_GATES,
  TRAUB_MILES_PARAMS,
  type NetworkOptions,
} from '../src/index.js';
import { type BenchmarkNet } from './models.js';

/**
 * The COBAHH neuron: Traub–Miles HH with its two synaptic conductances.
 *
 * ```
 * dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v) - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) + I) / C : volt
 * dge/dt = -ge/taue : siemens
 * dgi/dt = -gi/taui : siemens
 * (gates m, n, h as in HHTraubMiles)
 * ```
 */
export const COBAHHNeuron = defineNeuron({
  name: 'COBAHH',
  equations: `
    dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v) - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) + I) / C : volt
    dge/dt = -ge/taue : siemens
    dgi/dt = -gi/taui : siemens
    ${TRAUB_MILES_GATES}
    I : amp (input)
  `,
  params: { ...TRAUB_MILES_PARAMS, Ee: '0 mV', Ei: '-80 mV', taue: '5 ms', taui: '10 ms' },
  threshold: 'v > Vspike',
  refractory: 'tref',
  init: { v: '-60 mV', m: 0, n: 0, h: 0, ge: '0 nS', gi: '0 nS' },
  method: 'exp_euler',
});

/**
 * Builds the COBAHH network.
 *
 * @example
 * const { net, spikes } = cobahhNetwork({ scale: 1, seed: 1 });
 * net.run('1 s');
 */
export function cobahhNetwork(opts: { scale?: number; seed?: number; dtype?: NetworkOptions['dtype'] } & NetworkOptions = {}): BenchmarkNet {
  const scale = opts.scale ?? 1;
  const ne = Math.trunc(3200 * scale);
  const ni = Math.trunc(800 * scale);
  const net = new Network({ dt: '0.1 ms', ...networkOptions(opts), name: 'COBAHH' });
  const P = net.add(
    new NeuronGroup(ne + ni, COBAHHNeuron, {
      name: 'P',
      init: { v: normal('-65 mV', '5 mV'), ge: normal('40 nS', '15 nS'), gi: normal('200 nS', '120 nS') },
    }),
  );
  const E = P.slice(0, ne);
  const I = P.slice(ne, ne + ni);
  net.connect(E, P, { name: 'E→P', comm: new FixedProb(0.02), weight: `${6 / scale} nS`, target: 'ge' });
  net.connect(I, P, { name: 'I→P', comm: new FixedProb(0.02), weight: `${67 / scale} nS`, target: 'gi' });
  const spikes = net.add(new SpikeMonitor(P));
  return { net, P, spikes, ne, ni };
}

/** The network's own options out of a model builder's options (a Network refuses unknown keys). */
function networkOptions<T extends { scale?: number }>(opts: T): Omit<T, 'scale'> {
  const { scale: _scale, ...rest } = opts;
  return rest;
}
