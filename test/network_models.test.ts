/**
 * The gradient and forward checks of every neuron and synapse model through the one network path,
 * on the JavaScript lowering of the step IR (src/backends/js/tape.ts); the checks themselves are
 * in test/support/model_checks.ts, run on the step engine by network_models_engine.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelTests } from './support/model_checks.js';

modelTests('js');

// Parts without a differentiable lowering are refused by name (both lowerings).
for (const TB of ['js', 'engine'] as const) {
  test(`refused with the reason in a trained network: PoissonInput and long-term plasticity (${TB})`, async () => {
    const { Network, NeuronGroup, LIF, InputGroup, All2All, PoissonInput, STDP, BuildError } = await import('../src/index.js');
    const make = (what: 'poisson' | 'stdp') => {
      const net = new Network({ dt: '0.1 ms', dtype: 'float64', trainBackend: TB });
      const x = net.add(new InputGroup(3, 'x'));
      const G = net.add(new NeuronGroup(2, LIF, { name: 'G', train: ['tau'] }));
      if (what === 'poisson') net.add(new PoissonInput(G, { num: 10, rate: '10 Hz', weight: '0.1 mV', target: 'v' }));
      net.connect(x, G, { comm: new All2All(), target: 'v', ...(what === 'stdp' ? { weight: '0.5 mV', plasticity: STDP({ A_plus: '0.01 mV', A_minus: '0.0105 mV', wmax: '1 mV' }) } : { weight: '0.5 mV' }) });
      return { net, x };
    };
    const events = { ptr: new Int32Array(11), idx: new Int32Array(0) };
    for (const [what, why] of [['poisson', /PoissonInput/], ['stdp', /long-term plasticity/]] as const) {
      const { net, x } = make(what);
      assert.throws(() => net.forward({ steps: 10, inputs: [[x, events]] }), (e: unknown) => e instanceof BuildError && why.test((e as Error).message), what);
    }
  });
}
