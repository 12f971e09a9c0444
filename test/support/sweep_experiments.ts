/**
 * Experiments for the sweep tests and the sweep benchmark, registered at import: pool children and
 * queue workers import this module (their `modules` / `--module`), the way a user's own module of
 * experiments would be.
 */
import { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, SpikeMonitor, normal, registerExperiment, meanRateMetric, spikeCountMetric } from '../../src/index.js';

/** A small conductance-based E/I network: `n` LIF neurons, input current I (pA), excitatory weight we (nS). */
export function smallCoba(p: { I?: number; we?: number; n?: number }, seed: number, backend: 'auto' | 'js' = 'auto') {
  const n = p.n ?? 200;
  const ne = Math.round(n * 0.8);
  const net = new Network({ dt: '0.1 ms', seed, name: 'small COBA', backend });
  const P = net.add(
    new NeuronGroup(n, LIF, {
      name: 'P',
      params: { El: '-60 mV', Vth: '-50 mV', Vreset: '-60 mV', tau: '20 ms', tref: '5 ms', R: '100 Mohm' },
      init: { v: normal('-55 mV', '5 mV') },
    }),
  );
  P.setInput('I', `${p.I ?? 200} pA`);
  const prob = Math.min(1, 20 / n);
  net.connect(P.slice(0, ne), P, { comm: new FixedProb(prob), weight: `${p.we ?? 6} nS`, syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
  net.connect(P.slice(ne, n), P, { comm: new FixedProb(prob), weight: '67 nS', syn: Expon({ tau: '10 ms' }), out: COBA({ E: '-80 mV' }) });
  const spikes = net.add(new SpikeMonitor(P));
  const spikesE = net.add(new SpikeMonitor(P.slice(0, ne)));
  return { net, spikes, spikesE };
}

/** 'tiny-coba': 100 neurons for 30 ms (a job takes tens of ms, mostly building); metrics: mean rate, spike count, excitatory rate, a user metric (first spike time). */
type SmallCoba = ReturnType<typeof smallCoba>;

export const tinyCoba = registerExperiment<SmallCoba>({
  name: 'tiny-coba',
  params: ['I', 'we', 'slow'],
  build: (p, seed) => smallCoba({ I: p.I, we: p.we, n: 100 }, seed, 'js'), // JavaScript kernels: the quickest to build
  duration: '30 ms',
  metrics: {
    rate: meanRateMetric((m) => m.spikes),
    spikes: spikeCountMetric((m) => m.spikes),
    rateE: meanRateMetric((m) => m.spikesE),
    // a user metric over the run's monitors: time of the first spike (ms), NaN without spikes
    first_ms: (run) => {
      const s = run.model.spikes.spikeSteps();
      return s.length ? s[0] * run.net.dt * 1000 : NaN;
    },
    // `slow` > 0 makes the job take about that many seconds of wall time (for the kill test)
    waited: (run) => {
      const ms = (run.params.slow ?? 0) * 1000;
      const t0 = Date.now();
      while (Date.now() - t0 < ms) {
        /* busy: the job is running */
      }
      return ms > 0 ? 1 : 0;
    },
  },
});

/** 'coba-bench': the sweep benchmark's job, 400 neurons for 200 ms. */
export const cobaBench = registerExperiment({
  name: 'coba-bench',
  params: ['I', 'we'],
  build: (p, seed) => smallCoba({ I: p.I, we: p.we, n: 400 }, seed),
  duration: '200 ms',
  metrics: { rate: meanRateMetric(), spikes: spikeCountMetric() },
});

/** 'fails': refuses parameter x < 0 with a BuildError (a deterministic failure). */
export const fails = registerExperiment({
  name: 'fails',
  build: (p, seed) => {
    if (p.x < 0) throw new Error('x must be ≥ 0');
    return smallCoba({ n: 20 }, seed);
  },
  duration: '5 ms',
  metrics: { spikes: spikeCountMetric() },
});
