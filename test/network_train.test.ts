/**
 * One network trains: the simulator's Network, lowered from its step IR, gives gradients that
 * match central finite differences (float64), for a recurrent conductance-based network with
 * per-synapse delays and short-term plasticity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradCheck, assertChecks } from './support/gradcheck.js';
import { conductanceNet } from './support/conductance_net.js';

test('gradient check: 400-neuron COBA network (Expon, FixedProb CSR, per-synapse delays, STP), JavaScript lowering', () => {
  const { net, run, loss } = conductanceNet({ engine: false });
  const names = net.parameters().map((p) => p.name);
  for (const want of ['P.tau', 'P.init.v', 'in.weight', 'EE.weight', 'EE.syn.tau', 'IE.weight', 'out.weight']) assert.ok(names.includes(want), `parameter ${want} (have ${names.join(', ')})`);
  const checks = gradCheck(net, loss, run, { per: 3 });
  const worst = assertChecks(checks, 'COBA network', 1e-3, { requireNonZero: true });
  console.log(`COBA network (JS lowering): ${checks.length} checks over ${names.length} parameters, worst relative error ${worst.toExponential(2)}`);
});
