/**
 * The input family: a LIF neuron under a section (step) current, a ramp, Poisson drive without
 * materialized sources, and Ornstein–Uhlenbeck current noise. Writes out/inputs.svg.
 *
 * Run: npm run build && node dist/examples/inputs.js
 */
import { Network, NeuronGroup, LIF, defineNeuron, PoissonInput, StateMonitor, SpikeMonitor, timed, sectionInput, rampInput, lineSvg } from '../src/index.js';
import { writeText } from '../src/node/index.js';

const run = (label: string, setup: (net: Network, P: NeuronGroup) => void) => {
  const net = new Network({ dt: '0.1 ms', seed: 1 });
  const P = net.add(new NeuronGroup(1, LIF));
  setup(net, P);
  const vm = net.add(new StateMonitor(P, ['v']));
  const sm = net.add(new SpikeMonitor(P));
  net.run('500 ms');
  console.log(`${label.padEnd(28)} ${sm.numSpikes} spikes`);
  return { x: Array.from(vm.result().t, (t) => t * 1000), y: Array.from(vm.trace('v'), (v) => v * 1000), label };
};

const series = [
  run('section 0 / 200 / 0 pA', (_, P) => P.setInput('I', timed(sectionInput([0, 200, 0], [100, 300, 100], 0.1), { dt: '0.1 ms', unit: 'pA' }))),
  run('ramp 0 → 300 pA', (_, P) => P.setInput('I', timed(rampInput(0, 300, 500, 0.1, 50, 450), { dt: '0.1 ms', unit: 'pA' }))),
  run('Poisson, 800 × 10 Hz × 0.2 mV', (net, P) => net.add(new PoissonInput(P, { num: 800, rate: '10 Hz', weight: '0.2 mV', target: 'v' }))),
];

// Ornstein–Uhlenbeck current noise, written as an equation with white noise xi.
const NoisyLIF = defineNeuron({
  name: 'NoisyLIF',
  equations: `
    dv/dt = (-(v - El) + R*(I + In)) / tau : volt (unless refractory)
    dIn/dt = (mu - In)/tau_n + sigma*sqrt(2/tau_n)*xi : amp
    I : amp (input)`,
  params: { El: '-65 mV', Vth: '-50 mV', Vreset: '-65 mV', R: '100 Mohm', tau: '10 ms', tref: '2 ms', mu: '140 pA', sigma: '40 pA', tau_n: '5 ms' },
  threshold: 'v > Vth',
  reset: 'v = Vreset',
  refractory: 'tref',
  init: { v: '-65 mV' },
});
{
  const net = new Network({ dt: '0.1 ms', seed: 1 });
  const P = net.add(new NeuronGroup(1, NoisyLIF));
  const vm = net.add(new StateMonitor(P, ['v']));
  const sm = net.add(new SpikeMonitor(P));
  net.run('500 ms');
  console.log(`${'OU current noise (140 ± 40 pA)'.padEnd(28)} ${sm.numSpikes} spikes (method ${P.runtime!.method})`);
  series.push({ x: Array.from(vm.result().t, (t) => t * 1000), y: Array.from(vm.trace('v'), (v) => v * 1000), label: 'OU noise' });
}
await writeText('out/inputs.svg', lineSvg(series, { title: 'LIF membrane potential under four inputs', xLabel: 'time (ms)', yLabel: 'v (mV)' }));
console.log('plot written to out/inputs.svg');
