/**
 * A parameter sweep: the excitatory weight and the input current of a COBA E/I network, 3 seeds
 * each, run in this process or on a pool of processes; prints the mean rate per setting and writes
 * the table to out/sweep.csv and out/sweep.arrow.
 *
 * Run: node dist/examples/sweep.js [--processes N]     (on a cluster: see docs/scaling.md)
 */
import { fileURLToPath } from 'node:url';
import { grid } from '../src/index.js';
import { sweep, processPool, writeSweepTable } from '../src/node/index.js';
import { cobaSweep } from './sweep_experiments.js';

const k = process.argv.indexOf('--processes');
const processes = k > 0 ? Number(process.argv[k + 1]) : 1;
const space = grid({ we: [3, 6, 9], I: [180, 220] }, { seeds: 3 }); // 18 jobs
const runner = processes > 1 ? processPool({ processes, modules: [fileURLToPath(new URL('./sweep_experiments.js', import.meta.url))] }) : undefined;
const t0 = performance.now();
const table = await sweep(cobaSweep, space, { runner });
console.log(`${table.rows} jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s (${processes} process${processes > 1 ? 'es' : ''}), ${table.failed} failed`);
const we = table.column('we');
const I = table.column('I');
const rate = table.column('rate');
for (let r = 0; r < table.rows; r += 3) {
  const mean = (rate[r] + rate[r + 1] + rate[r + 2]) / 3;
  console.log(`we ${we[r]} nS, I ${I[r]} pA: ${mean.toFixed(2)} Hz (seeds: ${[rate[r], rate[r + 1], rate[r + 2]].map((x) => x.toFixed(1)).join(', ')})`);
}
await writeSweepTable('out/sweep.csv', table);
await writeSweepTable('out/sweep.arrow', table);
console.log('wrote out/sweep.csv and out/sweep.arrow');
