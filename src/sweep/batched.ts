/**
 * A sweep runner that runs jobs as batches (src/core/batch.ts): jobs that differ only in the
 * experiment's `batch` parameters (same seed, same other parameters) share one build, and their
 * values become the copies of one batched run in this process. Each copy's spikes are loaded into
 * the network's spike monitors before the metrics measure it, so the metrics are the experiment's
 * own and the table is the one the in-process runner gives (test/batch.test.ts).
 */
import { BuildError } from '../lang/errors.js';
import { failure, getExperiment, measure, netOf, spikeMonitorsOf, type AnyExperiment } from './experiment.js';
import type { SweepPoint } from './space.js';
import type { SweepRunner } from './sweep.js';
import type { Network } from '../core/network.js';

/**
 * Runs a sweep's jobs in this process as batches of at most `maxCopies` copies.
 *
 * @example
 * const table = await sweep(experiment, grid({ I: [100, 200, 300] }, { seeds: 2 }), { runner: batchedInProcess() });
 */
export function batchedInProcess(options: { readonly maxCopies?: number } = {}): SweepRunner {
  const max = options.maxCopies ?? 64;
  if (!Number.isInteger(max) || max < 1) throw new BuildError('batchedInProcess', 'maxCopies', `must be a positive integer, got ${String(max)}`, 'give e.g. maxCopies: 16');
  return {
    label: 'in-process, batched',
    async run(request, deliver) {
      const e = request.local ?? getExperiment(request.experiment);
      const batch = e.batch;
      if (!batch || Object.keys(batch).length === 0) throw new BuildError(`experiment '${e.name}'`, 'batch', 'declares no parameter a batch can vary', "declare e.g. batch: { I: { target: 'P.I', unit: 'pA' } }, or use the in-process runner");
      // jobs with the same seed and the same values of the other parameters share a build
      const groups = new Map<string, SweepPoint[]>();
      for (const p of request.points) {
        const rest = Object.entries(p.params).filter(([k]) => !(k in batch));
        const key = JSON.stringify([p.seed, rest]);
        const list = groups.get(key) ?? [];
        list.push(p);
        groups.set(key, list);
      }
      for (const list of groups.values()) {
        for (let k = 0; k < list.length; k += max) {
          runChunk(e, list.slice(k, k + max), deliver);
          await new Promise<void>((r) => setTimeout(r, 0));
        }
      }
    },
  };
}

function runChunk(e: AnyExperiment, chunk: readonly SweepPoint[], deliver: (job: number, outcome: ReturnType<typeof failure>) => void): void {
  let net: Network | undefined;
  try {
    const first = chunk[0];
    const model = e.build(first.params, first.seed);
    net = netOf(model, `experiment '${e.name}'`);
    const params: Record<string, string[]> = {};
    for (const [name, { target, unit }] of Object.entries(e.batch!)) if (name in first.params) params[target] = chunk.map((p) => `${p.params[name]} ${unit}`);
    const batch = net.runBatch(e.duration, { copies: chunk.length, params });
    const monitors = spikeMonitorsOf(net);
    chunk.forEach((p, c) => {
      let outcome;
      try {
        for (const m of monitors) m.loadState(batch.monitor(m, c).saveState());
        outcome = { ok: true as const, metrics: measure(e, { net: net!, model, params: p.params, seed: p.seed, duration: batch.stepOf(c) * net!.dt }) };
      } catch (err) {
        outcome = failure(err);
      }
      deliver(p.job, outcome);
    });
  } catch (err) {
    const out = failure(err);
    for (const p of chunk) deliver(p.job, out);
  } finally {
    net?.close();
  }
}
