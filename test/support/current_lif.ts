/** A LIF neuron with a current input I (a charge q into I makes v jump by R·q/tau), shared by the semantics and engine-plasticity tests. */
import { defineNeuron } from '../../src/index.js';

export const CurrentLIF = defineNeuron({
  name: 'CurrentLIF',
  equations: `dv/dt = (El - v + R*I)/tau : volt (unless refractory)
              I : amp (input)`,
  params: { El: '-70 mV', R: '100 Mohm', tau: '10 ms', Vth: '-50 mV', Vr: '-70 mV' },
  threshold: 'v > Vth',
  reset: 'v = Vr',
  refractory: '2 ms',
  init: { v: '-70 mV' },
});
