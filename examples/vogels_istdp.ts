/**
 * Inhibitory plasticity balances excitation and inhibition (Vogels et al. 2011): the I→E synapses
 * of a recurrent conductance-based LIF network learn with a symmetric STDP rule whose fixed point
 * is the target rate ρ0 = 3 Hz. Without inhibition onto E, the excitatory cells fire far above ρ0;
 * once learning starts (1 s), the I→E weights grow until the E rate settles at ρ0, and the
 * inhibitory current follows the excitatory one (the E/I balance of the paper's Fig. 4).
 *
 * Prints the E rate before and after learning, the mean I→E weight, the mean E and I currents of
 * recorded E cells, and writes out/vogels_rate.svg|png (E rate against time), out/vogels_weight.svg|png (mean
 * I→E weight) and out/vogels_currents.svg|png (excitatory, inhibitory and net currents of E cells, last 200 ms).
 *
 * Run: npm run build && node dist/examples/vogels_istdp.js [--scale 0.2] [--duration 20000] [--seed 1]
 */
import { StateMonitor, lineSvg } from '../src/index.js';
import { writeText, writePng } from '../src/node/index.js';
import { numberOptions } from './args.js';
import { vogelsNetwork, windowRate, meanOf } from './vogels_model.js';

const { scale, duration, seed } = numberOptions('Vogels et al. (2011) inhibitory plasticity', { scale: 0.2, duration: 20000, seed: 1 }, { seed: 'integer' });
const learnFromMs = 1000;
const { net, P, iToE, spikes, ne } = vogelsNetwork({ scale, seed, learnFromMs });
const recorded = Array.from({ length: 20 }, (_, k) => Math.floor((k * ne) / 20));
const every = 10; // record every 1 ms
const mon = net.add(new StateMonitor(P, ['v', 'ge', 'gi'], { indices: recorded, every }));

const chunkMs = 250;
const tW: number[] = [];
const wMean: number[] = [];
let simSeconds = 0;
for (let t = 0; t < duration; t += chunkMs) {
  simSeconds += net.run(`${Math.min(chunkMs, duration - t)} ms`).seconds;
  tW.push(Math.min(t + chunkMs, duration) / 1000);
  wMean.push(meanOf(iToE.weights) * 1e9);
}
const T = duration / 1000;
const rateT = tW.map((t, k) => windowRate(spikes, 0, ne, k === 0 ? 0 : tW[k - 1], t));
const before = windowRate(spikes, 0, ne, 0, learnFromMs / 1000);
const after = windowRate(spikes, 0, ne, Math.max(learnFromMs / 1000, T - 1), T);
const rateI = windowRate(spikes, ne, P.size, Math.max(0, T - 1), T);

// Currents of the recorded E cells (pA; inward positive): I_E = ge (Ee − v), I_I = gi (Ei − v).
const { t: tm, values } = mon.result();
const { v, ge, gi } = values;
const n = recorded.length;
const samples = tm.length;
const iE = new Float64Array(samples), iI = new Float64Array(samples);
for (let s = 0; s < samples; s++) {
  for (let j = 0; j < n; j++) {
    const k = s * n + j;
    iE[s] += (ge[k] * (0 - v[k]) * 1e12) / n;
    iI[s] += (gi[k] * (-0.08 - v[k]) * 1e12) / n;
  }
}
const meanIn = (xs: Float64Array, t0: number, t1: number) => {
  let s = 0, c = 0;
  for (let k = 0; k < samples; k++) if (tm[k] >= t0 && tm[k] < t1) (s += xs[k]), c++;
  return c ? s / c : NaN;
};
const early = [meanIn(iE, 0.2, learnFromMs / 1000), meanIn(iI, 0.2, learnFromMs / 1000)];
const late = [meanIn(iE, T - 1, T), meanIn(iI, T - 1, T)];

const corrLast = (() => {
  const ks = [...tm.keys()].filter((k) => tm[k] >= T - 1);
  const mx = ks.reduce((a, k) => a + iE[k], 0) / ks.length, my = ks.reduce((a, k) => a - iI[k], 0) / ks.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (const k of ks) (sxy += (iE[k] - mx) * (-iI[k] - my)), (sxx += (iE[k] - mx) ** 2), (syy += (-iI[k] - my) ** 2);
  return sxy / Math.sqrt(sxx * syy);
})();
console.log(`Vogels et al. (2011), scale ${scale}: ${P.size} neurons (${ne} E), ${net.numSynapses} synapses, ${T} s simulated in ${simSeconds.toFixed(2)} s (${net.loopReason ? 'JavaScript loop: ' + net.loopReason : 'step engine'})`);
console.log(`E rate before learning (0–${learnFromMs / 1000} s): ${before.toFixed(2)} Hz; last second: ${after.toFixed(2)} Hz (target ρ0 = 3 Hz); I rate last second ${rateI.toFixed(2)} Hz`);
console.log(`mean I→E weight: 0 nS at start, ${wMean[wMean.length - 1].toFixed(3)} nS at ${T} s`);
console.log(`mean currents of ${n} E cells (pA): before learning E ${early[0].toFixed(1)}, I ${early[1].toFixed(1)}; last second E ${late[0].toFixed(1)}, I ${late[1].toFixed(1)} (I/E ${(-late[1] / late[0]).toFixed(2)}; correlation of E and −I current, last second, ${corrLast.toFixed(2)})`);

const ratePlot = lineSvg(
  [
    { x: tW, y: rateT, label: 'E rate' },
    { x: [0, T], y: [3, 3], label: 'ρ0 = 3 Hz', color: '#888', dash: '5 3' },
  ],
  { title: `iSTDP (Vogels et al. 2011), ${P.size} neurons: E rate per ${chunkMs} ms, learning from ${learnFromMs / 1000} s`, xLabel: 'time (s)', yLabel: 'rate (Hz)' },
);
const weightPlot = lineSvg([{ x: [0, ...tW], y: [0, ...wMean], label: 'mean I→E weight' }], {
  title: 'iSTDP: mean inhibitory-to-excitatory weight',
  xLabel: 'time (s)',
  yLabel: 'weight (nS)',
});
// currents, 200 ms before learning and the last 200 ms, smoothed over 10 ms
const smooth = (xs: Float64Array, k: number) => {
  let s = 0, c = 0;
  for (let j = Math.max(0, k - 5); j < Math.min(samples, k + 5); j++) (s += xs[j]), c++;
  return s / c;
};
const windowSeries = (t0: number, label: string) => {
  const ks = [...tm.keys()].filter((k) => tm[k] >= t0 && tm[k] < t0 + 0.2);
  const x = ks.map((k) => (tm[k] - t0) * 1000);
  return [
    { x, y: ks.map((k) => smooth(iE, k)), label: `excitatory, ${label}` },
    { x, y: ks.map((k) => smooth(iI, k)), label: `inhibitory, ${label}`, dash: '5 3' },
    { x, y: ks.map((k) => smooth(iE, k) + smooth(iI, k)), label: `net, ${label}`, width: 1 },
  ];
};
const currentPlot = lineSvg(windowSeries(T - 0.2, 'last 200 ms'), {
  title: `Mean synaptic currents of ${n} E cells, last 200 ms (before learning: E ${early[0].toFixed(0)} pA, I 0 pA)`,
  xLabel: 'time in window (ms)',
  yLabel: 'current (pA)',
});
for (const [name, svg] of [['rate', ratePlot], ['weight', weightPlot], ['currents', currentPlot]]) {
  await writeText(`out/vogels_${name}.svg`, svg);
  await writePng(`out/vogels_${name}.png`, svg);
}
console.log('wrote out/vogels_rate, out/vogels_weight and out/vogels_currents (.svg and .png)');
