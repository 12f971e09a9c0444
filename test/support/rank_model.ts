/**
 * The network the split-over-processes tests run (test/ranks.test.ts): 1 000 LIF neurons (80 %
 * excitatory), conductance synapses with homogeneous delays of 1.5 ms (E) and 1 ms (I), driven by
 * Poisson input, spikes monitored. Built the same way by every rank; `rank` undefined builds the
 * single-process reference.
 */
import { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, PoissonInput, SpikeMonitor, normal } from '../../src/index.js';
import type { RankOption } from '../../src/runtime/limits.js';

export function build(rank: RankOption | undefined, opts: { delayE?: string; threads?: number } = {}) {
  const net = new Network({ dt: '0.1 ms', seed: 11, name: 'split', threads: opts.threads ?? 1, ...(rank ? { rank } : {}) });
  const N = 1000;
  const ne = 800;
  const P = net.add(
    new NeuronGroup(N, LIF, {
      name: 'P',
      params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '5 ms', R: '100 Mohm' },
      init: { v: normal('-55 mV', '5 mV') },
      method: 'euler',
    }),
  );
  P.setInput('I', '150 pA');
  net.add(new PoissonInput(P, { num: 20, rate: '10 Hz', weight: '0.6 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) }));
  net.connect(P.slice(0, ne), P, { name: 'E', comm: new FixedProb(0.05), weight: '2 nS', delay: opts.delayE ?? '1.5 ms', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
  net.connect(P.slice(ne, N), P, { name: 'I', comm: new FixedProb(0.05), weight: '20 nS', delay: '1 ms', syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }) });
  const all = net.add(new SpikeMonitor(P));
  const inhibitory = net.add(new SpikeMonitor(P.slice(ne, N)));
  return { net, spikes: { all, inhibitory } };
}
