/**
 * The FitzHugh–Nagumo phase plane: nullclines (marching squares), the vector field, fixed points
 * with their stability (Newton with the symbolic Jacobian) and a trajectory from the adaptive
 * Dormand–Prince solver, drawn to out/phase_plane_fhn.svg. Also locates the Hopf current with a
 * bifurcation scan.
 *
 * Run: npm run build && node dist/examples/phase_plane_fhn.js [I]
 */
import { FitzHughNagumo } from '../src/neurons/fitzhugh_nagumo.js';
import { solveModel } from '../src/analysis/adaptive.js';
import { nullclines, vectorField, fixedPoints, bifurcationScan, joinPolylines } from '../src/analysis/dynamics.js';
import { phasePlaneSvg } from '../src/plot/phase.js';
import { writeText } from '../src/node/files.js';

const I = Number(process.argv[2] ?? 0.5);
const xRange = [-2.5, 2.5] as const;
const yRange = [-1, 2] as const;
const inputs = { I };

const nc = nullclines(FitzHughNagumo, 'v', 'w', { xRange, yRange, inputs, grid: 201 });
const field = vectorField(FitzHughNagumo, 'v', 'w', { xRange, yRange, inputs, grid: 21 });
const fps = fixedPoints(FitzHughNagumo, 'v', 'w', { xRange, yRange, inputs });
const traj = solveModel(FitzHughNagumo, { inputs, init: { v: -2, w: -0.5 }, tStop: '150 ms', rtol: 1e-8, sampleDt: '0.05 ms', events: false });

console.log(`FitzHugh–Nagumo at I = ${I}`);
for (const p of fps) {
  const ev = p.eigenvalues.map((e) => (e.im === 0 ? e.re.toFixed(2) : `${e.re.toFixed(2)} ${e.im < 0 ? '-' : '+'} ${Math.abs(e.im).toFixed(2)}i`)).join(', ');
  console.log(`  fixed point v = ${p.x.toFixed(6)}, w = ${p.y.toFixed(6)}: ${p.label} (eigenvalues ${ev} 1/s)`);
}
const scan = bifurcationScan(FitzHughNagumo, 'I', Array.from({ length: 31 }, (_, k) => k * 0.05), { xVar: 'v', yVar: 'w', xRange: [-3, 3], yRange: [-2, 3] });
for (const t of scan.transitions) console.log(`  ${t.kind} at I = ${t.value.toFixed(5)}`);
const spikes = solveModel(FitzHughNagumo, { inputs, tStop: '500 ms' }).spikes;
if (spikes.length > 2) console.log(`  period ${((spikes[spikes.length - 1] - spikes[1]) / (spikes.length - 2) * 1e3).toFixed(2)} ms (${spikes.length} spikes in 500 ms)`);

const svg = phasePlaneSvg(
  {
    field,
    nullclines: [
      { ...joinPolylines(nc.x), label: 'dv/dt = 0' },
      { ...joinPolylines(nc.y), label: 'dw/dt = 0' },
    ],
    trajectories: [{ x: traj.y.v, y: traj.y.w, label: 'trajectory from (-2, -0.5)' }],
    points: fps.map((p) => ({ x: p.x, y: p.y, stable: p.stable, label: p.label })),
  },
  { title: `FitzHugh–Nagumo phase plane, I = ${I}`, xLabel: 'v', yLabel: 'w', xDomain: xRange, yDomain: yRange },
);
await writeText('out/phase_plane_fhn.svg', svg);
console.log('wrote out/phase_plane_fhn.svg');
