/**
 * Issue 12: the same Vogels et al. (2011) network in BrainTS and in Brian2, draw for draw.
 * BrainTS builds the network (float64), runs it and writes its random draws (initial v, the rows
 * of every projection) and its result to a file; bench/peers/brian2_vogels_replay.py builds the
 * same network in Brian2 from that file and compares spikes and the mean I→E weight. Identical
 * spikes mean the two implement the same semantics; a statistic that still differs between the
 * two benchmark runs is then a property of the seeds, not of the simulator.
 *
 *   node dist/bench/vogels_replay.js [SEED] [DURATION_MS] [LEARN_FROM_MS]   (defaults 7 10000 1000)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vogelsNetwork, meanOf } from '../examples/vogels_model.js';

const [seed, durationMs, learnFromMs] = [7, 10000, 1000].map((d, k) => (process.argv[2 + k] === undefined ? d : Number(process.argv[2 + k])));
const { net, P, iToE, eToAll, iToI, spikes, ne, ni } = vogelsNetwork({ scale: 0.2, seed, learnFromMs, dtype: 'float64' });
net.build();
const v0 = Array.from(P.get('v'));
const proj = Object.fromEntries([eToAll, iToI, iToE].map((p) => [p.name, { indptr: Array.from(p.csr.indptr), indices: Array.from(p.csr.indices) }]));
net.run(`${durationMs} ms`);
const { times, indices } = spikes.spikes();
const dir = mkdtempSync(join(tmpdir(), 'vogels-replay-'));
try {
  const file = join(dir, 'net.json');
  writeFileSync(file, JSON.stringify({ ne, ni, v0, proj, learn_from_ms: learnFromMs, duration_ms: durationMs, t: Array.from(times), i: Array.from(indices), w_mean_ns: meanOf(iToE.weights) * 1e9 }));
  const here = dirname(fileURLToPath(import.meta.url));
  const script = join(here, '..', '..', 'bench', 'peers', 'brian2_vogels_replay.py');
  const r = spawnSync(process.env.BRAINTS_PYTHON ?? '/usr/bin/python3', [script, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`brian2_vogels_replay.py failed (${r.status}): ${r.stderr.slice(-2000)}`);
  console.log(JSON.stringify({ seed, duration_ms: durationMs, learn_from_ms: learnFromMs, ...JSON.parse(r.stdout.trim().split('\n').pop()!) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
