/**
 * The Compte et al. (2000) bump attractor (examples/compte_model.ts) at a quarter of its size with
 * a short delay: a cue starts a bump that outlives it at the cue angle, and without the
 * angle-structured E→E weights (J+ = 1, same cue) nothing persists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compteProfile, compteTrial, ringDistanceDeg } from '../examples/compte_model.js';

test('Compte et al. (2000): the E→E profile peaks at J+ for neighbours and has mean 1 over the ring', () => {
  const n = 512;
  const J = compteProfile(n, 1.62, 14.4);
  assert.ok(Math.abs(J[0] - 1.62) < 1e-12, `J(0) = ${J[0]}`);
  let mean = 0;
  for (const x of J) mean += x / n;
  assert.ok(Math.abs(mean - 1) < 1e-12, `mean ${mean}`);
  // symmetric in the distance, lowest opposite the cell
  assert.ok(Math.abs(J[10] - J[n - 10]) < 1e-12);
  assert.ok(J[n / 2] < 1 && J[n / 2] === Math.min(...J));
  assert.equal(ringDistanceDeg(350, 10), 20);
  assert.equal(ringDistanceDeg(0, 180), 180);
});

test('Compte et al. (2000): a cue at 180° leaves a bump there through the delay; without the structured E→E weights it does not', () => {
  // 200 ms spontaneous, 250 ms cue, 600 ms delay (six NMDA decay times): persistence is measured in the last 500 ms
  const trial = (jPlus: number) => compteTrial({ scale: 0.25, seed: 2, preMs: 200, delayMs: 600, cueDeg: 180, jPlus }).stats;
  const bump = trial(1.62);
  assert.ok(bump.persists, `bump: ${bump.rateInHz} Hz inside vs ${bump.rateOutHz} Hz outside`);
  assert.ok(bump.rateInHz > 3 * bump.rateOutHz && bump.rateInHz >= 10, `inside ${bump.rateInHz} Hz, outside ${bump.rateOutHz} Hz`);
  assert.ok(bump.endErrorDeg < 30, `centre ${bump.endCentreDeg}° at the end, ${bump.endErrorDeg}° from the cue`);
  const flat = trial(1);
  assert.ok(!flat.persists, `without structure: ${flat.rateInHz} Hz inside vs ${flat.rateOutHz} Hz outside`);
  assert.ok(flat.rateInHz < 2 * flat.rateOutHz, `without structure the activity is flat: ${flat.rateInHz} vs ${flat.rateOutHz} Hz`);
  // the bump is extra delay activity, which the flat network lacks
  assert.ok(bump.rateEDelayHz > flat.rateEDelayHz, `E delay rate ${bump.rateEDelayHz} Hz (bump) vs ${flat.rateEDelayHz} Hz (flat)`);
});
