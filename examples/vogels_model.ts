/**
 * Inhibitory plasticity that balances excitation and inhibition (Vogels, Sprekeler, Zenke,
 * Clopath & Gerstner 2011, Science 334:1569), built with BrainTS. Shared by the example, the
 * benchmark and the tests so that all three run the same model.
 *
 * The network of the paper: 10 000 conductance-based LIF neurons (8 000 E, 2 000 I), random
 * connectivity with probability 2 %, gL 10 nS, C 200 pF (τm 20 ms), rest and reset −60 mV,
 * threshold −50 mV, refractory 5 ms, reversal 0 mV (AMPA, τ 5 ms) and −80 mV (GABA, τ 10 ms), a
 * constant background current of 200 pA, excitatory spikes add 0.3 nS, I→I spikes 3 nS. Only
 * the I→E synapses learn, with the symmetric rule of the paper:
 *   pre (inhibitory) spike:  w ← w + η (x_post − α),   post (excitatory) spike:  w ← w + η x_pre,
 * traces x with τ_STDP 20 ms incremented by 1 at each spike, α = 2 ρ0 τ_STDP (ρ0 = 3 Hz), η 0.01 nS,
 * w ∈ [0, 100 nS], starting at 0; learning is switched on at `learnFrom` (1 s), as in the paper's
 * simulations where the network first runs without inhibitory plasticity.
 *
 * `scale` shrinks the network (neurons × scale) and keeps each neuron's in-degree (160 E and 40 I
 * inputs) by raising the connection probability to 0.02 / scale, so the input each neuron sees,
 * and the rule's fixed point, do not depend on the scale.
 */
import {
  Network,
  NeuronGroup,
  defineNeuron,
  defineRule,
  FixedProb,
  SpikeMonitor,
  uniform,
  type NetworkOptions,
  type Projection,
} from '../src/index.js';

/** Conductance-based LIF with explicit AMPA and GABA conductances (siemens). */
export const VogelsLIF = defineNeuron({
  name: 'VogelsLIF',
  equations: `
    dv/dt  = (gL*(El - v) + ge*(Ee - v) + gi*(Ei - v) + Ib) / C : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens`,
  params: { gL: '10 nS', C: '200 pF', El: '-60 mV', Ee: '0 mV', Ei: '-80 mV', Ib: '200 pA', tau_e: '5 ms', tau_i: '10 ms', Vt: '-50 mV', Vr: '-60 mV' },
  threshold: 'v > Vt',
  reset: 'v = Vr',
  refractory: '5 ms',
  method: 'euler',
});

/** The symmetric inhibitory STDP rule of Vogels et al. (2011), target rate `rho0`. */
export function inhibitorySTDP(opts: { rho0Hz?: number; eta?: string; wmax?: string; learnFromMs?: number } = {}) {
  const rho0 = opts.rho0Hz ?? 3;
  const tau = 0.02; // s
  return defineRule({
    name: 'iSTDP (Vogels 2011)',
    params: { eta: opts.eta ?? '0.01 nS', alpha: 2 * rho0 * tau, wmax: opts.wmax ?? '100 nS', tau_stdp: `${tau * 1000} ms`, t_on: `${opts.learnFromMs ?? 1000} ms` },
    pre: { equations: 'dxpre/dt = -xpre/tau_stdp : 1', onSpike: 'xpre += 1' },
    post: { equations: 'dxpost/dt = -xpost/tau_stdp : 1', onSpike: 'xpost += 1' },
    onPre: 'w = clip(w + eta*(t >= t_on)*(xpost - alpha), 0, wmax)',
    onPost: 'w = clip(w + eta*(t >= t_on)*xpre, 0, wmax)',
  });
}

export interface VogelsNet {
  readonly net: Network;
  readonly P: NeuronGroup;
  /** The plastic inhibitory-to-excitatory projection. */
  readonly iToE: Projection;
  /** The static projections (E onto all, I onto I). */
  readonly eToAll: Projection;
  readonly iToI: Projection;
  readonly spikes: SpikeMonitor;
  readonly ne: number;
  readonly ni: number;
}

/**
 * The Vogels et al. (2011) network at `scale` (1 = 10 000 neurons).
 *
 * @example
 * const { net, iToE } = vogelsNetwork({ scale: 0.2, seed: 1 });
 * net.run('5 s'); // E rates fall toward 3 Hz while the I→E weights grow
 */
export function vogelsNetwork(opts: { scale?: number; seed?: number; rho0Hz?: number; learnFromMs?: number } & NetworkOptions = {}): VogelsNet {
  const { scale = 1, rho0Hz, learnFromMs, ...netOpts } = opts;
  const ne = Math.round(8000 * scale);
  const ni = Math.round(2000 * scale);
  const p = Math.min(1, 0.02 / scale);
  const net = new Network({ dt: '0.1 ms', ...netOpts, name: 'Vogels2011' });
  const P = net.add(new NeuronGroup(ne + ni, VogelsLIF, { name: 'P', init: { v: uniform('-60 mV', '-50 mV') } }));
  const E = P.slice(0, ne);
  const I = P.slice(ne, ne + ni);
  const eToAll = net.connect(E, P, { name: 'E→all', comm: new FixedProb(p), weight: '0.3 nS', target: 'ge' });
  const iToI = net.connect(I, I, { name: 'I→I', comm: new FixedProb(p), weight: '3 nS', target: 'gi' });
  const iToE = net.connect(I, E, { name: 'I→E', comm: new FixedProb(p), weight: '0 nS', target: 'gi', plasticity: inhibitorySTDP({ rho0Hz, learnFromMs }) });
  const spikes = net.add(new SpikeMonitor(P));
  return { net, P, iToE, eToAll, iToI, spikes, ne, ni };
}

/** Mean rate (Hz) of neurons [from, to) of a spike record between two times (s). */
export function windowRate(spikes: SpikeMonitor, from: number, to: number, t0: number, t1: number): number {
  const { times, indices } = spikes.spikes();
  let n = 0;
  for (let k = 0; k < times.length; k++) if (times[k] >= t0 && times[k] < t1 && indices[k] >= from && indices[k] < to) n++;
  return n / (to - from) / (t1 - t0);
}

/** Mean of a weight array (in the array's unit, siemens here). */
export function meanOf(xs: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < xs.length; k++) s += xs[k];
  return xs.length ? s / xs.length : 0;
}
