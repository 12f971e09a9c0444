/**
 * AdEx firing patterns (Naud et al. 2008): the eight parameter sets of ADEX_PRESETS, each with
 * its step current, simulated together in one population (per-neuron parameters and currents).
 * Also the f–I curves of the integrate-and-fire family (LIF, ExpIF, QIF, AdEx defaults).
 *
 * Writes out/adex_<pattern>.svg (membrane potential, spikes drawn to the 0 mV cut-off),
 * out/adex_raster.svg and out/if_fi.svg.
 *
 * Run: npx tsc -p tsconfig.json && node dist/examples/neurons_adex.js
 */
import { Network, NeuronGroup, SpikeMonitor, StateMonitor, values, lineSvg, rasterSvg, AdEx, ADEX_PRESETS, ExpIF, QIF, LIF, type AdExPattern, type NeuronModel } from '../src/index.js';
import { writeText } from '../src/node/index.js';

const names = Object.keys(ADEX_PRESETS) as AdExPattern[];
const P = names.map((k) => ADEX_PRESETS[k]);
const col = (k: keyof (typeof P)[0]['params'], unit: string) => values(P.map((p) => parseFloat(p.params[k])), unit);
const dt = 0.02; // ms
const T = 500; // ms

const net = new Network({ dt: `${dt} ms`, dtype: 'float64' });
const G = net.add(
  new NeuronGroup(names.length, AdEx, {
    params: { C: col('C', 'pF'), gL: col('gL', 'nS'), EL: col('EL', 'mV'), VT: col('VT', 'mV'), DeltaT: col('DeltaT', 'mV'), a: col('a', 'nS'), tau_w: col('tau_w', 'ms'), b: col('b', 'pA'), Vr: col('Vr', 'mV') },
    init: { v: col('EL', 'mV'), w: '0 pA' },
  }),
);
G.setInput('I', values(P.map((p) => parseFloat(p.I)), 'pA'));
const sm = net.add(new SpikeMonitor(G));
const vm = net.add(new StateMonitor(G, ['v', 'w'], { indices: names.map((_, k) => k) }));
net.run(`${T} ms`);

const t = Array.from(vm.result().t, (x) => x * 1000);
const spikes = sm.spikes();
for (const [j, name] of names.entries()) {
  const v = Array.from(vm.trace('v', j), (x) => x * 1000);
  const own: number[] = [];
  for (let k = 0; k < spikes.times.length; k++) if (spikes.indices[k] === j) own.push(spikes.times[k] * 1000);
  for (const s of own) v[Math.min(v.length - 1, Math.round(s / dt))] = 0; // draw the spike up to the cut-off
  const w = Array.from(vm.trace('w', j), (x) => x * 1e12);
  const svg = lineSvg(
    [
      { x: t, y: v, label: 'v (mV)', color: '#1f77b4' },
      { x: t, y: w.map((x) => x / 10 - 80), label: 'w/10 - 80 (pA)', color: '#ff7f0e', width: 1 },
    ],
    { title: `AdEx ${name}: ${P[j].description} (I = ${P[j].I})`, xLabel: 'time (ms)', yLabel: 'mV', idPrefix: `adex-${name}` },
  );
  await writeText(`out/adex_${name}.svg`, svg);
  const isi = own.slice(1).map((x, k) => x - own[k]);
  console.log(`${name.padEnd(24)} ${String(own.length).padStart(3)} spikes, first at ${own[0]?.toFixed(1) ?? '-'} ms, ISIs ${isi.slice(0, 6).map((x) => x.toFixed(1)).join(' ')}${isi.length > 6 ? ' …' : ''}`);
}
await writeText('out/adex_raster.svg', rasterSvg(spikes, { nNeurons: names.length, tStop: T / 1000, title: `AdEx firing patterns (rows: ${names.join(', ')})`, markWidth: 2 }));

// f–I curves of the integrate-and-fire family (defaults of each model), one run per model
const currents = Array.from({ length: 41 }, (_, k) => k * 25); // pA
const series = [];
for (const [label, model] of [['LIF', LIF], ['ExpIF', ExpIF], ['QIF', QIF], ['AdEx (steady state)', AdEx]] as [string, NeuronModel][]) {
  const n2 = new Network({ dt: '0.02 ms', dtype: 'float64' });
  const g = n2.add(new NeuronGroup(currents.length, model));
  g.setInput('I', values(currents, 'pA'));
  const m = n2.add(new SpikeMonitor(g));
  n2.run('1000 ms');
  const counts = new Array<number>(currents.length).fill(0);
  const s = m.spikes();
  for (let k = 0; k < s.times.length; k++) if (s.times[k] >= 0.5) counts[s.indices[k]]++;
  series.push({ x: currents, y: counts.map((c) => c / 0.5), label, points: true });
}
await writeText('out/if_fi.svg', lineSvg(series, { title: 'f–I curves of the integrate-and-fire models (default parameters)', xLabel: 'I (pA)', yLabel: 'rate over 0.5–1 s (Hz)', idPrefix: 'iffi' }));
console.log('plots written to out/adex_*.svg and out/if_fi.svg');
