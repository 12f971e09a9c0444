/**
 * `npm run bench -- gradcheck`: gradient checks of the one-network acceptance model (400 recurrent
 * conductance-based LIF neurons, Expon/COBA, FixedProb CSR, per-synapse delays, STP) against
 * central finite differences, one row per backend and thread count.
 *
 * Training lowers the step IR to JavaScript (src/backends/js/tape.ts). Its lowering to the step
 * engine (WebAssembly, 1..N threads) is not written yet: those rows say so with null figures
 * instead of pretending.
 */
import { conductanceNet } from '../test/support/conductance_net.js';
import { gradCheck } from '../test/support/gradcheck.js';

export interface GradcheckRow {
  model: 'gradcheck';
  backend: 'js' | 'engine';
  threads: number;
  params: number;
  checks: number;
  max_rel_err: number | null;
  identical_across_threads: boolean | null;
  seconds: number | null;
  note?: string;
}

export function benchGradcheck(): GradcheckRow[] {
  const t0 = performance.now();
  const { net, run, loss } = conductanceNet({ engine: false });
  const checks = gradCheck(net, loss, run, { per: 3 });
  const seconds = (performance.now() - t0) / 1000;
  const worst = checks.reduce((m, c) => Math.max(m, c.rel), 0);
  const rows: GradcheckRow[] = [
    { model: 'gradcheck', backend: 'js', threads: 1, params: net.parameters().length, checks: checks.length, max_rel_err: +worst.toExponential(3), identical_across_threads: null, seconds: +seconds.toFixed(2) },
  ];
  for (const threads of [1, 2]) {
    rows.push({ model: 'gradcheck', backend: 'engine', threads, params: net.parameters().length, checks: 0, max_rel_err: null, identical_across_threads: null, seconds: null, note: 'training on the step engine is not implemented yet (issue 11)' });
  }
  return rows;
}
