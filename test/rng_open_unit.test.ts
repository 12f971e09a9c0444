import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openUnit, Rng } from '../src/math/rng.js';

test('openUnit stays in (0, 1] at the extreme words, so a Box–Muller radius is never NaN', () => {
  const top = 0xffffffff;
  for (const x1 of [0, 1, 0x80000000, top]) {
    const u = openUnit(top, x1);
    assert.ok(u > 0 && u <= 1, `openUnit(2^32 − 1, ${x1}) = ${u}`);
    assert.ok(Number.isFinite(Math.sqrt(-2 * Math.log(u))), `radius at x1 = ${x1}`);
  }
  assert.equal(openUnit(top, top), 1);
  const low = openUnit(0, 0);
  assert.ok(low > 0 && low < 1e-9, `openUnit(0, 0) = ${low}`);
  // below the top word, the draw is the unbounded formula's, bit for bit
  assert.equal(openUnit(123, 456), 124 * 2 ** -32 + 456 * 2 ** -64);
});

test('Rng.uniformOpen and Rng.normal: finite draws in (0, 1] over many samples', () => {
  const rng = new Rng(7, 3);
  for (let i = 0; i < 20_000; i++) {
    const u = rng.uniformOpen();
    assert.ok(u > 0 && u <= 1);
    assert.ok(Number.isFinite(rng.normal()));
  }
});
