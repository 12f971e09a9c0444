/**
 * Spatial working memory as a bump attractor (Compte, Brunel, Goldman-Rakic & Wang 2000): a brief
 * cue at one angle starts a bump of activity among the pyramidal cells that prefer that angle,
 * and recurrent NMDA excitation, structured by preferred angle, keeps it alive through the delay
 * while it slowly drifts. Prints the bump's centre against time (population vector of the E
 * spikes, 100 ms windows), whether the bump survives the delay (rate inside vs outside it), the
 * drift of its centre over the delay and the E and I rates; writes `<out>/compte_raster` (E cells
 * sorted by preferred angle) and `<out>/compte_centre` (decoded centre against time), .svg and .png.
 *
 * Run: npm run build && node dist/examples/compte_bump.js [--scale 0.25] [--delay 3000] [--pre 500] [--cue 180] [--seed 1] [--jplus 1.62] [--out out]
 */
import { lineSvg, rasterSvg } from '../src/index.js';
import { writeText, writePng } from '../src/node/index.js';
import { exampleOptions } from './args.js';
import { compteTrial, COMPTE_DEFAULTS } from './compte_model.js';

const o = exampleOptions('Compte et al. (2000) bump attractor: spatial working memory', {
  scale: { kind: 'positive', default: COMPTE_DEFAULTS.scale, help: 'fraction of the paper\'s 2 048 E and 512 I cells (conductances × 1/scale)' },
  delay: { kind: 'positive', default: COMPTE_DEFAULTS.delayMs, help: 'delay after the cue (ms)' },
  pre: { kind: 'positive', default: COMPTE_DEFAULTS.preMs, help: 'spontaneous activity before the cue (ms)' },
  cue: { kind: 'nonnegative', default: COMPTE_DEFAULTS.cueDeg, help: 'cue angle (degrees)' },
  jplus: { kind: 'positive', default: COMPTE_DEFAULTS.jPlus, help: 'J+ of the E→E profile (1: no structure, the control)' },
  seed: { kind: 'integer', default: 1, help: 'seed of the network' },
  out: { kind: 'path', default: 'out', help: 'directory of the plots' },
});
const cueDeg = o.cue % 360;
const r = compteTrial({ scale: o.scale, delayMs: o.delay, preMs: o.pre, cueDeg, jPlus: o.jplus, seed: o.seed });
const s = r.stats;
const cueOn = o.pre / 1000, cueOff = (o.pre + COMPTE_DEFAULTS.cueMs) / 1000, end = cueOff + o.delay / 1000;
console.log(`${r.nE} E + ${r.nI} I cells (scale ${o.scale}), ${r.synapses} synapses; cue at ${cueDeg}° from ${o.pre} to ${o.pre + COMPTE_DEFAULTS.cueMs} ms, delay ${o.delay} ms; J+ ${o.jplus}, seed ${o.seed}`);
console.log('bump centre (population vector, degrees) in 100 ms windows ending at:');
for (let k = 0; k < s.centreT.length; k += 10) {
  console.log('  ' + s.centreT.slice(k, k + 10).map((t, m) => `${(t * 1000).toFixed(0)} ms ${s.centreDeg[k + m].toFixed(0)}°`).join(', '));
}
console.log(`persistence: ${s.persists ? 'yes' : 'no'} — last 500 ms: ${s.rateInHz.toFixed(1)} Hz within ±30° of the centre ${s.endCentreDeg.toFixed(1)}°, ${s.rateOutHz.toFixed(1)} Hz more than 90° away (bump: ≥ 10 Hz and ≥ 3 × outside)`);
console.log(`centre: ${s.startCentreDeg.toFixed(1)}° in the first 500 ms after the cue, ${s.endCentreDeg.toFixed(1)}° in the last 500 ms (${s.endErrorDeg.toFixed(1)}° from the cue); drift ${s.driftDeg.toFixed(1)}° (${s.driftDegPerS.toFixed(1)}°/s)`);
console.log(`rates: spontaneous E ${s.rateESpontHz.toFixed(2)} Hz, I ${s.rateISpontHz.toFixed(2)} Hz; delay (after its first 500 ms) E ${s.rateEDelayHz.toFixed(2)} Hz, I ${s.rateIDelayHz.toFixed(2)} Hz`);
console.log(`simulated ${(end).toFixed(2)} s in ${r.seconds.toFixed(1)} s (${r.cpuSeconds.toFixed(1)} s of CPU)`);

const raster = rasterSvg(r.spikesE, {
  nNeurons: r.nE,
  tStop: end,
  title: `Compte et al. (2000): E cells sorted by preferred angle (cell i ↔ 360°·i/${r.nE}), cue at ${cueDeg}°`,
  rateTrace: true,
});
const mark = (t: number, label: string) => ({ x: [t, t], y: [0, 360], label, color: '#888', dash: '4 3' });
const centre = lineSvg(
  [
    { x: s.centreT, y: s.centreDeg, label: 'decoded centre (100 ms windows)', points: true },
    { x: [0, end], y: [cueDeg, cueDeg], label: 'cue angle', color: '#d62728', dash: '6 3' },
    mark(cueOn, 'cue on'),
    mark(cueOff, 'cue off'),
  ],
  { title: `Bump centre against time: drift ${s.driftDeg.toFixed(1)}° over the delay, ${s.persists ? 'persists' : 'does not persist'}`, xLabel: 'time (s)', yLabel: 'population-vector angle (°)', yDomain: [0, 360] },
);
for (const [name, svg] of [['raster', raster], ['centre', centre]]) {
  await writeText(`${o.out}/compte_${name}.svg`, svg);
  await writePng(`${o.out}/compte_${name}.png`, svg);
}
console.log(`wrote ${o.out}/compte_raster and ${o.out}/compte_centre (.svg and .png)`);
