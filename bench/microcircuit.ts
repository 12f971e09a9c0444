/**
 * The Potjans & Diesmann (2014) microcircuit as a benchmark: BrainTS on 1 and 2 threads against
 * Brian2 C++ standalone on the same model (bench/peers/brian2_microcircuit.py), with the 8
 * population rates next to the full model's published ones.
 *
 * Brian2 holds the synapses as NumPy arrays in Python (with the copies its standalone device makes)
 * and again in its binary, about 160 bytes per synapse together at scale 0.1, so at scales whose estimate does not fit in half the free memory it runs at
 * the largest scale that does, and BrainTS runs once more at that scale for the ratio: the row
 * says so (`peer_scale`, `braints_s_at_peer_scale`).
 */
import { freemem } from 'node:os';
import { microcircuitNetwork, POPULATIONS, REFERENCE_RATES, synapseCount } from '../examples/microcircuit_model.js';
import { populationStats } from '../examples/microcircuit_stats.js';

/** How the benchmark reaches the Brian2 peer (bench.ts passes its own runner: no import cycle). */
export interface Peer {
  readonly available: boolean;
  run(script: string, args: string[]): Record<string, unknown>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Brian2's memory per synapse (bytes): at scale 0.1 (3·10⁷ synapses) Python held 2.8 GB and the binary 2 GB. */
const PEER_BYTES_PER_SYNAPSE = 160;

function totalSynapses(scale: number): number {
  let n = 0;
  for (let t = 0; t < 8; t++) for (let s = 0; s < 8; s++) n += synapseCount(t, s, scale);
  return n;
}

/**
 * The largest scale ≤ `scale` whose Brian2 estimate fits in half the free memory (two significant
 * digits), or BRAINTS_MICRO_PEER_SCALE when set (a smaller peer run on a busy machine).
 */
export function peerScale(scale: number, freeBytes = freemem()): number {
  const given = Number(process.env.BRAINTS_MICRO_PEER_SCALE);
  if (given > 0) return Math.min(scale, given);
  const fits = (s: number) => totalSynapses(s) * PEER_BYTES_PER_SYNAPSE < freeBytes / 2;
  if (fits(scale)) return scale;
  let s = Math.min(scale, 1);
  while (s > 0.01 && !fits(s)) s = Math.round(s * 0.8 * 100) / 100;
  return s;
}

function runOurs(scale: number, durationMs: number, seed: number, threads: number) {
  const t0 = performance.now();
  const m = microcircuitNetwork({ scale, seed, threads });
  m.net.build();
  const build_s = (performance.now() - t0) / 1000;
  if (m.net.loopReason !== undefined) throw new Error(`microcircuit: not on the step engine: ${m.net.loopReason}`);
  const res = m.net.run(`${durationMs} ms`);
  const rss_mb = Math.round(process.memoryUsage().rss / 2 ** 20);
  m.net.close();
  const tStop = durationMs / 1000;
  const tStart = Math.min(0.1, tStop / 5);
  const rates = m.monitors.map((mon, p) => populationStats(mon.spikes(), m.sizes[p], tStart, tStop).rate_hz);
  const spikes = m.monitors.reduce((n, mon) => n + mon.numSpikes, 0);
  const neurons = m.sizes.reduce((a, b) => a + b, 0);
  return { seconds: res.seconds, steps: res.steps, build_s, rss_mb, rates, spikes, neurons, synapses: m.net.numSynapses };
}

const byPopulation = (xs: readonly number[]) => Object.fromEntries(POPULATIONS.map((p, k) => [p, +xs[k].toFixed(3)]));

/**
 * One row per thread count.
 *
 * @example
 * for (const row of benchMicrocircuit({ scale: 0.1, durationMs: 1000, threads: [1, 2], runs: 1 }, { available: false, run: () => ({}) })) console.log(JSON.stringify(row));
 */
export function* benchMicrocircuit(o: { scale: number; durationMs: number; threads: readonly number[]; runs: number }, peerSide: Peer): Generator<Record<string, unknown>> {
  const withPeer = peerSide.available;
  const pScale = peerScale(o.scale);
  for (const threads of o.threads) {
    const ours: ReturnType<typeof runOurs>[] = [];
    const oursAtPeer: number[] = [];
    const peer: Record<string, unknown>[] = [];
    for (let r = 0; r < o.runs; r++) {
      ours.push(runOurs(o.scale, o.durationMs, r + 1, threads));
      if (!withPeer) continue;
      if (pScale !== o.scale) oursAtPeer.push(runOurs(pScale, o.durationMs, r + 1, threads).seconds);
      peer.push(peerSide.run('brian2_microcircuit.py', ['--scale', String(pScale), '--duration', String(o.durationMs), '--threads', String(threads), '--seed', String(r + 1)]));
    }
    const braints_s = median(ours.map((x) => x.seconds));
    const brian2_s = withPeer ? median(peer.map((p) => p.sim_s as number)) : null;
    const comparable = pScale === o.scale ? braints_s : withPeer ? median(oursAtPeer) : null;
    const { neurons, synapses, steps } = ours[0];
    const spikes = median(ours.map((x) => x.spikes));
    const rates = POPULATIONS.map((_, p) => median(ours.map((x) => x.rates[p])));
    yield {
      model: 'microcircuit',
      scale: o.scale,
      duration_ms: o.durationMs,
      threads,
      neurons,
      synapses,
      rate_hz: +(spikes / neurons / (o.durationMs / 1000)).toFixed(3),
      braints_s: +braints_s.toFixed(4),
      brian2_s: brian2_s === null ? null : +brian2_s.toFixed(4),
      ratio: brian2_s === null || comparable === null ? null : +(comparable / brian2_s).toFixed(3),
      brian2_rate_hz: withPeer ? median(peer.map((p) => p.rate_hz as number)) : null,
      brian2_synapses: withPeer ? median(peer.map((p) => p.synapses as number)) : null,
      runs: o.runs,
      syn_events_per_s: Math.round((spikes * (synapses / neurons)) / braints_s),
      neuron_updates_per_s: Math.round((neurons * steps) / braints_s),
      build_s: +median(ours.map((x) => x.build_s)).toFixed(2),
      rss_mb: Math.max(...ours.map((x) => x.rss_mb)),
      // rates after the first min(100 ms, duration / 5), against the full model's
      rates_hz: byPopulation(rates),
      reference_rates_hz: byPopulation(REFERENCE_RATES),
      brian2_rates_hz: withPeer ? peer[0].rates_hz : null,
      peer_scale: withPeer ? pScale : null,
      braints_s_at_peer_scale: comparable === null ? null : +comparable.toFixed(4),
    };
  }
}
