/**
 * The whole-brain pieces: the Balloon–Windkessel response to a brief pulse has the canonical shape
 * (peak a few seconds later, then an undershoot); on the 68-region connectome, coupled regions'
 * BOLD correlations follow the structure, uncoupled ones do not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, BalloonWindkessel, boldSignal, StateMonitor } from '../src/index.js';
import { loadConnectome68, simulateWholeBrain } from '../examples/whole_brain.js';

test('Balloon–Windkessel: a 0.5 s pulse gives a BOLD peak 2.5–6 s later and a later undershoot', () => {
  const net = new Network({ dt: '1 ms', dtype: 'float64' });
  const B = net.add(new NeuronGroup(1, BalloonWindkessel, { method: 'euler' }));
  const m = net.add(new StateMonitor(B, ['q', 'v'], { every: 100 }));
  B.setInput('z', 1);
  net.run('0.5 s');
  B.setInput('z', 0);
  net.run('29.5 s');
  const q = m.trace('q', 0);
  const v = m.trace('v', 0);
  const bold = Array.from(q, (x, k) => boldSignal(x, v[k]));
  let peak = 0;
  let dip = 0;
  bold.forEach((b, k) => {
    if (b > bold[peak]) peak = k;
    if (b < bold[dip]) dip = k;
  });
  assert.ok(peak * 0.1 >= 2.5 && peak * 0.1 <= 6, `peak at ${peak * 0.1} s`);
  assert.ok(bold[peak] > 0.005, `peak height ${bold[peak]}`);
  assert.ok(dip > peak && bold[dip] < -0.1 * bold[peak], `undershoot ${bold[dip]} at ${dip * 0.1} s`);
  assert.ok(Math.abs(bold[bold.length - 1]) < 0.2 * bold[peak], 'back near rest after 30 s');
});

test('68-region connectome: coupling makes FC follow SC; without coupling it does not', () => {
  const c = loadConnectome68();
  assert.equal(c.n, 68);
  const common = { seconds: 40, transient: 10, tr: 0.5, seed: 3 };
  const free = simulateWholeBrain(c, { ...common, G: 0 });
  const coupled = simulateWholeBrain(c, { ...common, G: 0.45 });
  for (const r of [free, coupled]) for (const b of r.bold) assert.ok(b.every(Number.isFinite));
  assert.equal(coupled.bold[0].length, 60);
  assert.ok(Math.abs(free.fcSc) < 0.06, `uncoupled FC–SC ${free.fcSc}`);
  assert.ok(coupled.fcSc > free.fcSc + 0.06, `coupled FC–SC ${coupled.fcSc} vs uncoupled ${free.fcSc}`);
});
