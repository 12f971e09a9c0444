/**
 * `npm run bench -- gradcheck`: gradient checks of the one-network acceptance model (400 recurrent
 * conductance-based LIF neurons, Expon/COBA, FixedProb CSR, per-synapse delays, STP) against
 * central finite differences, one row per backend and thread count: the JavaScript lowering
 * (src/backends/js/tape.ts) and the step engine's WebAssembly lowering (src/backends/engine/tape.ts)
 * on 1 and 2 threads. `identical_across_threads` compares the engine's gradients bit for bit.
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
  const rows: GradcheckRow[] = [];
  const engineGrads: Float64Array[][] = [];
  for (const [backend, threads] of [['js', 1], ['engine', 1], ['engine', 2]] as const) {
    const t0 = performance.now();
    const { net, run, loss } = conductanceNet({ engine: false, trainBackend: backend, threads });
    const checks = gradCheck(net, loss, run, { per: 3 });
    const seconds = (performance.now() - t0) / 1000;
    if (backend === 'engine') {
      net.zeroGrad();
      run();
      loss();
      net.backward();
      engineGrads.push(net.parameters().map((p) => Float64Array.from(p.grad)));
    }
    const worst = checks.reduce((m, c) => Math.max(m, c.rel), 0);
    rows.push({ model: 'gradcheck', backend, threads, params: net.parameters().length, checks: checks.length, max_rel_err: +worst.toExponential(3), identical_across_threads: null, seconds: +seconds.toFixed(2) });
  }
  const [a, b] = engineGrads;
  const identical = a.every((g, k) => g.every((x, i) => Object.is(x, b[k][i])));
  for (const r of rows) if (r.backend === 'engine') r.identical_across_threads = identical;
  return rows;
}
