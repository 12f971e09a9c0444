/**
 * Rate models and oscillators: Wilson–Cowan E/I populations (a fixed point and a limit cycle),
 * the Montbrió–Pazó–Roxin mean field in its bistable regime (two initial conditions, two states),
 * the threshold-linear unit's transfer function and Stuart–Landau oscillators around the Hopf
 * bifurcation.
 *
 * Writes out/wilson_cowan.svg, out/wilson_cowan_phase.svg, out/mpr.svg, out/threshold_linear.svg
 * and out/stuart_landau.svg.
 *
 * Run: npx tsc -p tsconfig.json && node dist/examples/neurons_rate.js
 */
import { Network, NeuronGroup, StateMonitor, values, lineSvg, phasePlaneSvg, WilsonCowan, MPR, ThresholdLinear, StuartLandau, type NeuronModel, type Init } from '../src/index.js';
import { writeText } from '../src/node/index.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c'];

/** Runs n units and returns time (ms) and the traces of the recorded variables. */
function run(model: NeuronModel, n: number, o: { T: string; dt?: string; params?: Record<string, Init>; init?: Record<string, Init>; inputs?: Record<string, Init>; record: string[] }) {
  const net = new Network({ dt: o.dt ?? '0.05 ms', dtype: 'float64' });
  const G = net.add(new NeuronGroup(n, model, { params: o.params, init: o.init }));
  for (const [k, v] of Object.entries(o.inputs ?? {})) G.setInput(k, v);
  const m = net.add(new StateMonitor(G, o.record, { indices: [...Array(n).keys()], every: 10 }));
  net.run(o.T);
  const t = Array.from(m.result().t, (x) => x * 1000);
  const tr = (v: string, j: number) => Array.from(m.trace(v, j));
  return { t, tr, G };
}

// Wilson–Cowan: P = 3 settles on a fixed point, P = 1.25 oscillates
{
  const Ps = [3, 1.25];
  const r = run(WilsonCowan, 2, { T: '300 ms', inputs: { P: values(Ps) }, record: ['E', 'I'] });
  await writeText(
    'out/wilson_cowan.svg',
    lineSvg(
      Ps.flatMap((P, j) => [
        { x: r.t, y: r.tr('E', j), label: `E, P = ${P}`, color: j ? '#1f77b4' : '#9ecae1' },
        { x: r.t, y: r.tr('I', j), label: `I, P = ${P}`, color: j ? '#d62728' : '#fc9272' },
      ]),
      { title: 'Wilson–Cowan: fixed point (P = 3) and limit cycle (P = 1.25)', xLabel: 'time (ms)', yLabel: 'activity', idPrefix: 'wc' },
    ),
  );
  await writeText(
    'out/wilson_cowan_phase.svg',
    phasePlaneSvg(
      { trajectories: Ps.map((P, j) => ({ x: r.tr('E', j), y: r.tr('I', j), label: `P = ${P}`, color: COLORS[j] })) },
      { title: 'Wilson–Cowan phase plane (from E = I = 0)', xLabel: 'E', yLabel: 'I', idPrefix: 'wcp' },
    ),
  );
  const e = r.tr('E', 1).slice(-200);
  console.log(`Wilson–Cowan: P = 3 settles at E = ${r.tr('E', 0).at(-1)!.toFixed(4)}, I = ${r.tr('I', 0).at(-1)!.toFixed(4)}; P = 1.25 oscillates between E = ${Math.min(...e).toFixed(3)} and ${Math.max(...e).toFixed(3)}`);
}

// MPR: bistable at eta = -5 (J = 15, Delta = 1): low and high states from two initial conditions
{
  const r = run(MPR, 2, { T: '300 ms', dt: '0.01 ms', init: { r: values([0, 100], 'Hz'), v: values([-2, 0]) }, record: ['r', 'v'] });
  await writeText(
    'out/mpr.svg',
    lineSvg(
      [
        { x: r.t, y: r.tr('r', 0), label: 'r from 0 Hz (low state)' },
        { x: r.t, y: r.tr('r', 1), label: 'r from 100 Hz (high state)' },
      ],
      { title: 'Montbrió–Pazó–Roxin mean field, eta = -5, J = 15, Delta = 1 (bistable)', xLabel: 'time (ms)', yLabel: 'rate r (Hz)', idPrefix: 'mpr' },
    ),
  );
  console.log(`MPR (bistable): low state r = ${r.tr('r', 0).at(-1)!.toFixed(3)} Hz, high state r = ${r.tr('r', 1).at(-1)!.toFixed(3)} Hz`);
}

// Threshold-linear unit: steady rate versus input
{
  const inputs = Array.from({ length: 41 }, (_, k) => -1 + k * 0.1);
  const r = run(ThresholdLinear, inputs.length, { T: '200 ms', params: { gain: 2, theta: 0.5 }, inputs: { I: values(inputs) }, record: ['r'] });
  const steady = inputs.map((_, j) => r.tr('r', j).at(-1)!);
  await writeText('out/threshold_linear.svg', lineSvg([{ x: inputs, y: steady, label: 'gain 2, theta 0.5', points: true }], { title: 'Threshold-linear unit: steady rate', xLabel: 'input I', yLabel: 'r', idPrefix: 'tl' }));
}

// Stuart–Landau: below (a < 0) and above (a > 0) the Hopf bifurcation
{
  const as = [-0.5, 0.25, 1];
  const r = run(StuartLandau, as.length, { T: '300 ms', params: { a: values(as), f: '10 Hz', tau: '20 ms' }, init: { x: 1.5, y: 0 }, record: ['x', 'y'] });
  await writeText(
    'out/stuart_landau.svg',
    phasePlaneSvg({ trajectories: as.map((a, j) => ({ x: r.tr('x', j), y: r.tr('y', j), label: `a = ${a}`, color: COLORS[j] })) }, { title: 'Stuart–Landau: limit cycles of radius √a, a focus for a < 0', xLabel: 'x', yLabel: 'y', idPrefix: 'sl' }),
  );
  console.log(`Stuart–Landau radius after 300 ms: ${as.map((a, j) => `a = ${a}: ${Math.hypot(r.tr('x', j).at(-1)!, r.tr('y', j).at(-1)!).toFixed(4)}`).join(', ')}`);
}
console.log('plots written to out/wilson_cowan*.svg, out/mpr.svg, out/threshold_linear.svg, out/stuart_landau.svg');
