/**
 * The network `npm run bench -- ranks` splits over processes: the COBA benchmark network
 * (examples/models.ts, `scale` × 4 000 LIF neurons) with transmission delays of 1 ms on both
 * projections, so that ranks exchange spikes every 10 steps. Built the same way by every rank.
 */
import { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, SpikeMonitor, normal } from '../src/index.js';
import type { RankOption } from '../src/runtime/limits.js';

export function build(rank: RankOption | undefined, args?: unknown) {
  const { scale = 1, threads = 1, delay = '1 ms' } = (args ?? {}) as { scale?: number; threads?: number; delay?: string };
  const R = 100e6;
  const gL = 1 / R;
  const ne = Math.trunc(3200 * scale);
  const ni = Math.trunc(800 * scale);
  const net = new Network({ dt: '0.1 ms', seed: 1, threads, name: 'COBA-delayed', ...(rank ? { rank } : {}) });
  const P = net.add(
    new NeuronGroup(ne + ni, LIF, {
      name: 'P',
      params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '5 ms', R: '100 Mohm' },
      init: { v: normal('-55 mV', '5 mV') },
      method: 'euler',
    }),
  );
  P.setInput('I', '200 pA');
  net.connect(P.slice(0, ne), P, { name: 'E', comm: new FixedProb(0.02), weight: `${(0.6 / scale) * gL * 1e9} nS`, delay, syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
  net.connect(P.slice(ne, ne + ni), P, { name: 'I', comm: new FixedProb(0.02), weight: `${(6.7 / scale) * gL * 1e9} nS`, delay, syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }) });
  const all = net.add(new SpikeMonitor(P));
  return { net, spikes: { all } };
}
