/**
 * The canonical examples (examples/vogels_istdp.ts, examples/wang_decision.ts) at reduced size:
 * each test asserts the qualitative behaviour the example shows, against a control that lacks
 * the mechanism, so that a broken model fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vogelsNetwork, windowRate, meanOf } from '../examples/vogels_model.js';
import { wangTrial } from '../examples/wang_model.js';

test('Vogels et al. (2011): inhibitory STDP pulls the E rate toward ρ0 = 3 Hz while the I→E weights grow; without learning neither happens', () => {
  const run = (learnFromMs: number) => {
    const { net, iToE, spikes, ne } = vogelsNetwork({ scale: 0.05, seed: 3, learnFromMs });
    const mid = (net.run('2 s'), meanOf(iToE.weights));
    net.run('1 s');
    return { before: windowRate(spikes, 0, ne, 0, 1), after: windowRate(spikes, 0, ne, 2, 3), wMid: mid, wEnd: meanOf(iToE.weights) };
  };
  const learned = run(1000);
  const frozen = run(1e9);
  // no inhibition onto E at the start: E fires far above the target
  assert.ok(learned.before > 30, `E rate before learning ${learned.before} Hz`);
  assert.ok(Math.abs(learned.after - 3) < Math.abs(learned.before - 3) / 3, `E rate ${learned.before} → ${learned.after} Hz, target 3 Hz`);
  assert.ok(learned.wMid > 0 && learned.wEnd > learned.wMid * 0.9, `mean I→E weight ${learned.wMid} → ${learned.wEnd} S`);
  assert.equal(frozen.wEnd, 0, 'without learning the I→E weights stay at 0');
  assert.ok(frozen.after > 3 * learned.after, `without learning E stays high (${frozen.after} Hz vs ${learned.after} Hz)`);
});

test('Wang (2002): the pool with the stronger stimulus wins the competition; reversing the coherence reverses the choice', () => {
  const seeds = [1, 2, 3];
  const trials = (coherence: number) => seeds.map((seed) => wangTrial({ scale: 0.1, seed, coherence, durationMs: 1000 }));
  const favourA = trials(51.2);
  const favourB = trials(-51.2);
  const winsA = (rs: typeof favourA) => rs.filter((r) => r.winner === 'A').length;
  assert.equal(winsA(favourA), seeds.length, `A won ${winsA(favourA)} of ${seeds.length} with A favoured (${favourA.map((r) => r.winner)})`);
  assert.equal(favourB.filter((r) => r.winner === 'B').length, seeds.length, `B won with B favoured (${favourB.map((r) => r.winner)})`);
  // winner-take-all: at the end the loser is suppressed below the winner's rate
  for (const r of favourA) assert.ok(r.rateA > 2 * r.rateB, `A ${r.rateA} Hz vs B ${r.rateB} Hz`);
  for (const r of favourA) assert.ok(r.decisionMs !== null && r.decisionMs > 0, 'decision after stimulus onset');
});
