/**
 * The experiment of examples/sweep.ts: a 1000-neuron conductance-based E/I network (the COBA model
 * of examples/models.ts, with 50 synapses per neuron from each side scaled to match) whose
 * excitatory weight `we` (nS) and input current `I` (pA) are swept. Registered at import, so pool
 * processes and queue workers that import this module can run it by name.
 *
 * Worker on a cluster: node dist/src/node/sweep_worker.js --redis redis://HOST:6379 --module dist/examples/sweep_experiments.js
 */
import { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, SpikeMonitor, normal, registerExperiment, meanRateMetric, spikeCountMetric } from '../src/index.js';

export function cobaEI(p: { we: number; I: number }, seed: number) {
  const n = 1000;
  const ne = 800;
  const net = new Network({ dt: '0.1 ms', seed, name: 'COBA E/I' });
  const P = net.add(
    new NeuronGroup(n, LIF, {
      name: 'P',
      params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '5 ms', R: '100 Mohm' },
      init: { v: normal('-55 mV', '5 mV') },
    }),
  );
  P.setInput('I', `${p.I} pA`);
  net.connect(P.slice(0, ne), P, { comm: new FixedProb(0.0625), weight: `${p.we} nS`, syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
  net.connect(P.slice(ne, n), P, { comm: new FixedProb(0.0625), weight: '67 nS', syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }) });
  const spikesE = net.add(new SpikeMonitor(P.slice(0, ne)));
  const spikesI = net.add(new SpikeMonitor(P.slice(ne, n)));
  return { net, spikesE, spikesI };
}

export const cobaSweep = registerExperiment<ReturnType<typeof cobaEI>>({
  name: 'coba-ei',
  params: ['we', 'I'],
  build: (p, seed) => cobaEI({ we: p.we, I: p.I }, seed),
  duration: '300 ms',
  metrics: {
    rate: meanRateMetric(),
    rateE: meanRateMetric((m) => m.spikesE),
    rateI: meanRateMetric((m) => m.spikesI),
    spikes: spikeCountMetric(),
  },
});
