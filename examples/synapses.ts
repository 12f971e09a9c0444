/**
 * The synapse family: the conductance after one pre-synaptic spike for each synaptic model, the
 * Mg²⁺ block of NMDA receptors, and Tsodyks–Markram depression/facilitation on a regular train.
 * Writes out/synapses_kinetics.svg, out/synapses_mgblock.svg and out/synapses_stp.svg.
 *
 * Run: npm run build && node dist/examples/synapses.js
 */
import {
  Network,
  NeuronGroup,
  LIF,
  defineNeuron,
  All2All,
  SpikeGeneratorGroup,
  Expon,
  DualExpon,
  Alpha,
  AMPA,
  GABAa,
  NMDA,
  COBA,
  STP,
  StateMonitor,
  mgBlockFraction,
  lineSvg,
  type SynapseDynamics,
} from '../src/index.js';
import { writeText } from '../src/node/index.js';

// 1. Conductance after one spike at t = 5 ms, weight 1 nS, for each model.
const models: [string, SynapseDynamics, string][] = [
  ['Expon (5 ms)', Expon({ tau: '5 ms' }), 'syn0$g'],
  ['DualExpon (1, 5 ms)', DualExpon({ tauRise: '1 ms', tauDecay: '5 ms' }), 'syn0$g'],
  ['Alpha (2 ms)', Alpha({ tau: '2 ms' }), 'syn0$g'],
  ['AMPA', AMPA(), 'pre0$g'],
  ['GABA_A', GABAa(), 'pre0$g'],
  ['NMDA', NMDA(), 'pre0$g'],
];
const series = models.map(([label, syn, variable]) => {
  const net = new Network({ dt: '0.05 ms', dtype: 'float64' });
  const S = net.add(new SpikeGeneratorGroup(1, { indices: [0], times: [5], unit: 'ms' }));
  const P = net.add(new NeuronGroup(1, LIF, { params: { Vth: '1 V' } }));
  net.connect(S, P, { comm: new All2All(), weight: '1 nS', syn, out: COBA({ E: '0 mV' }) });
  const pre = syn.align === 'pre';
  const mon = net.add(new StateMonitor(pre ? S : P, [variable]));
  net.run('100 ms');
  const { t } = mon.result();
  const y = mon.trace(variable);
  const peak = Math.max(...y);
  console.log(`${label.padEnd(20)} peak ${pre ? `${peak.toFixed(3)} (open fraction)` : `${(peak * 1e9).toFixed(3)} nS`}`);
  return { x: Array.from(t, (s) => s * 1000), y: Array.from(y, (g) => g / peak), label };
});
await writeText('out/synapses_kinetics.svg', lineSvg(series, { title: 'Synaptic conductance after one spike (normalized to its peak)', xLabel: 'time (ms)', yLabel: 'g / g_peak' }));

// 2. NMDA Mg²⁺ block (Jahr & Stevens 1990).
const vs = Array.from({ length: 121 }, (_, k) => -100 + k);
await writeText(
  'out/synapses_mgblock.svg',
  lineSvg([{ x: vs, y: vs.map((v) => mgBlockFraction(v / 1000)), label: '[Mg²⁺] = 1.2 mM' }], { title: 'NMDA receptor: unblocked fraction', xLabel: 'membrane potential (mV)', yLabel: 'fraction' }),
);

// 3. Short-term plasticity: amplitudes of a 20 Hz train for a depressing and a facilitating synapse.
const Sum = defineNeuron({ name: 'Sum', equations: 'x : 1' });
const train = Array.from({ length: 10 }, (_, k) => 10 + 50 * k);
const stpSeries = [
  ['depressing (U 0.5, τd 800 ms)', STP({ U: 0.5, tau_f: '10 ms', tau_d: '800 ms' })],
  ['facilitating (U 0.1, τf 1 s)', STP({ U: 0.1, tau_f: '1000 ms', tau_d: '50 ms' })],
] as const;
const stpLines = stpSeries.map(([label, stp]) => {
  const net = new Network({ dt: '0.1 ms', dtype: 'float64' });
  const S = net.add(new SpikeGeneratorGroup(1, { indices: train.map(() => 0), times: train, unit: 'ms' }));
  const P = net.add(new NeuronGroup(1, Sum));
  net.connect(S, P, { comm: new All2All(), weight: 1, target: 'x', stp });
  const mon = net.add(new StateMonitor(P, ['x']));
  net.run('600 ms');
  const x = mon.trace('x');
  const amps = train.map((t) => x[Math.round(t * 10)] - x[Math.round(t * 10) - 1]);
  console.log(`${label}: ${amps.map((a) => a.toFixed(3)).join(' ')}`);
  return { x: train.map((_, k) => k + 1), y: amps, label };
});
await writeText('out/synapses_stp.svg', lineSvg(stpLines, { title: 'Tsodyks–Markram: PSC amplitude along a 20 Hz train', xLabel: 'spike number', yLabel: 'u·x (release)' }));
console.log('plots written to out/synapses_*.svg');
