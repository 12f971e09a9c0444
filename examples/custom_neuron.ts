/**
 * Your own neuron in a few lines: the Brian2 form of the COBA model, written as equations with
 * dimensionless conductances and spikes that increment them directly (Brian2's on_pre 'ge += we').
 * It compiles into the same kind of fused kernel as the built-in models, so it runs as fast.
 *
 * Run: npm run build && node dist/examples/custom_neuron.js
 */
import { Network, NeuronGroup, defineNeuron, FixedProb, SpikeMonitor, normal, meanRate } from '../src/index.js';

const CobaLIF = defineNeuron({
  name: 'CobaLIF',
  equations: `
    dv/dt  = (ge*(Ee - v) + gi*(Ei - v) - (v - El) + Ib) / taum : volt (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1`,
  params: { taum: '20 ms', taue: '5 ms', taui: '10 ms', Ee: '0 mV', Ei: '-80 mV', El: '-60 mV', Ib: '20 mV', Vt: '-50 mV', Vr: '-60 mV' },
  threshold: 'v > Vt',
  reset: 'v = Vr',
  refractory: '5 ms',
  method: 'euler',
});

const net = new Network({ dt: '0.1 ms', seed: 1 });
const P = net.add(new NeuronGroup(4000, CobaLIF, { init: { v: normal('-55 mV', '5 mV') } }));
net.connect(P.slice(0, 3200), P, { comm: new FixedProb(0.02), weight: 0.6, target: 'ge' });
net.connect(P.slice(3200, 4000), P, { comm: new FixedProb(0.02), weight: 6.7, target: 'gi' });
const sm = net.add(new SpikeMonitor(P));
const res = net.run('1 s');
console.log(`user-declared COBA: ${net.numSynapses} synapses, ${meanRate(sm.spikes(), 4000, 1).toFixed(2)} Hz, simulated in ${res.seconds.toFixed(3)} s`);
