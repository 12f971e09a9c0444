/**
 * Izhikevich (2003) cell classes: membrane potential of RS, IB, CH, FS, LTS, TC and RZ neurons
 * under the same step current (the paper's I = 10), all seven in one population with per-neuron
 * a, b, c, d; plus the thalamo-cortical cell's rebound burst after hyperpolarization.
 *
 * Writes out/izhikevich_<class>.svg (one trace per class), out/izhikevich_raster.svg and
 * out/izhikevich_tc_rebound.svg.
 *
 * Run: npx tsc -p tsconfig.json && node dist/examples/neurons_izhikevich.js
 */
import { Network, NeuronGroup, SpikeMonitor, StateMonitor, values, lineSvg, rasterSvg, Izhikevich, IZHIKEVICH_PRESETS, izhikevichInit, type IzhikevichClass } from '../src/index.js';
import { writeText } from '../src/node/index.js';

const names = Object.keys(IZHIKEVICH_PRESETS) as IzhikevichClass[];
const P = names.map((k) => IZHIKEVICH_PRESETS[k]);
const T = 300; // ms

const net = new Network({ dt: '0.05 ms', dtype: 'float64' });
const G = net.add(
  new NeuronGroup(names.length, Izhikevich, {
    params: { a: values(P.map((p) => p.a)), b: values(P.map((p) => p.b)), c: values(P.map((p) => p.c), 'mV'), d: values(P.map((p) => p.d), 'mV') },
    init: { v: '-65 mV', u: values(P.map((p) => -65 * p.b), 'mV') },
  }),
);
G.setInput('I', '10 nA'); // R = 1 MΩ: the paper's I = 10
const sm = net.add(new SpikeMonitor(G));
const vm = net.add(new StateMonitor(G, ['v'], { indices: names.map((_, k) => k) }));
net.run(`${T} ms`);

const { t } = vm.result();
const tms = Array.from(t, (x) => x * 1000);
const spikes = sm.spikes();
for (const [j, name] of names.entries()) {
  // the model resets at the peak: draw each spike up to the 30 mV cut-off
  const v = Array.from(vm.trace('v', j), (x) => x * 1000);
  for (let k = 0; k < spikes.times.length; k++) {
    if (spikes.indices[k] !== j) continue;
    const step = Math.round(spikes.times[k] / 0.05e-3);
    if (step < v.length) v[step] = 30;
  }
  const svg = lineSvg([{ x: tms, y: v, label: P[j].description, color: '#1f77b4' }], {
    title: `Izhikevich ${name}: a=${P[j].a}, b=${P[j].b}, c=${P[j].c} mV, d=${P[j].d} mV, I = 10`,
    xLabel: 'time (ms)',
    yLabel: 'v (mV)',
    yDomain: [-90, 40],
    idPrefix: `izh-${name}`,
  });
  await writeText(`out/izhikevich_${name}.svg`, svg);
  const n = spikes.indices.filter((i) => i === j).length;
  console.log(`${name.padEnd(3)} ${P[j].description}: ${n} spikes in ${T} ms`);
}
await writeText(
  'out/izhikevich_raster.svg',
  rasterSvg(spikes, { nNeurons: names.length, tStop: T / 1000, title: `Izhikevich classes (rows: ${names.join(', ')}), I = 10`, markWidth: 2 }),
);

// Thalamo-cortical cell: held hyperpolarized, then released: a rebound burst.
const net2 = new Network({ dt: '0.05 ms', dtype: 'float64' });
const tc = net2.add(new NeuronGroup(1, Izhikevich, { params: { a: 0.02, b: 0.25, c: '-65 mV', d: '0.05 mV' }, init: izhikevichInit('TC', -87) }));
const tm = net2.add(new StateMonitor(tc, ['v']));
const ts = net2.add(new SpikeMonitor(tc));
net2.run('150 ms');
const v2 = Array.from(tm.trace('v'), (x) => x * 1000);
const t2 = Array.from(tm.result().t, (x) => x * 1000);
await writeText('out/izhikevich_tc_rebound.svg', lineSvg([{ x: t2, y: v2, label: 'TC from -87 mV, I = 0' }], { title: 'Izhikevich TC: rebound response from -87 mV (I = 0)', xLabel: 'time (ms)', yLabel: 'v (mV)', idPrefix: 'izh-tc' }));
console.log(`TC released from -87 mV without input: ${ts.numSpikes} rebound spike(s)`);
console.log('plots written to out/izhikevich_*.svg');
