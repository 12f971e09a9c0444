/**
 * The Potjans & Diesmann (2014) microcircuit at a small scale: its connectivity table, that it runs
 * on the step engine, that 1 and 2 threads give the same spikes, and that its rates are plausible.
 * Also the two parts it added to the library: the FixedTotalNum connector and clipped normals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FixedTotalNum, spikeTrainsEqual, fillInit, checkInit, normal, Rng, SECOND, BuildError, buildModelFile, toModelFile, checkModelFileShape, parseModelText } from '../src/index.js';
import { microcircuitNetwork, synapseCount, populationSizes, POPULATIONS, CONN_PROBS, N_FULL, W_EXC } from '../examples/microcircuit_model.js';
import { populationStats } from '../examples/microcircuit_stats.js';

const SCALE = 0.02;

test('synapse counts follow K = log(1 − C) / log(1 − 1/(Npre·Npost)), scaled by the kept fraction of targets', () => {
  // L4E → L2/3E at full scale, written out: C = 0.0437, 20 683 targets, 21 915 sources
  const k = Math.log(1 - 0.0437) / Math.log(1 - 1 / (20683 * 21915));
  assert.equal(synapseCount(0, 2, 1), Math.trunc(k));
  assert.ok(Math.abs(synapseCount(0, 2, 1) - 20253647) <= 1, `NumPy gives 20 253 647, got ${synapseCount(0, 2, 1)}`);
  // at a scale, ⌊K · ⌊N_target · scale⌋ / N_target⌋; zero probability: no synapse
  assert.equal(synapseCount(0, 2, 0.1), Math.trunc((k * Math.trunc(20683 * 0.1)) / 20683));
  assert.equal(synapseCount(0, 5, 1), 0);
  // the whole table at full scale: 298 880 941 synapses (NumPy, the same formula)
  let total = 0;
  for (let t = 0; t < 8; t++) for (let s = 0; s < 8; s++) total += synapseCount(t, s, 1);
  assert.ok(Math.abs(total - 298880941) <= 64, `total ${total}`);
  assert.deepEqual(populationSizes(1), [...N_FULL]);
  assert.ok(Math.abs(W_EXC * 1e12 - 87.8) < 0.1, `a 0.15 mV PSP needs about 87.8 pA, got ${W_EXC * 1e12}`);
});

test('the built network has exactly the table’s synapses per pair and runs on the step engine', () => {
  const { net, sizes } = microcircuitNetwork({ scale: SCALE, seed: 3 });
  net.build();
  assert.equal(net.loopReason, undefined, `engine expected, got: ${net.loopReason}`);
  assert.deepEqual(sizes, populationSizes(SCALE));
  let expected = 0;
  for (let t = 0; t < 8; t++) {
    for (let s = 0; s < 8; s++) {
      const num = synapseCount(t, s, SCALE);
      expected += num;
      const proj = net.allProjections.find((p) => p.name === `${POPULATIONS[s]}→${POPULATIONS[t]}`);
      if (CONN_PROBS[t][s] === 0) assert.equal(proj, undefined);
      else assert.equal(proj!.numSynapses, num, `${POPULATIONS[s]}→${POPULATIONS[t]}`);
    }
  }
  assert.equal(net.numSynapses, expected);
  net.close();
});

test('1 and 2 threads give identical spikes; rates are finite and plausible', () => {
  const run = (threads: number) => {
    const m = microcircuitNetwork({ scale: SCALE, seed: 5, threads });
    m.net.build();
    assert.equal(m.net.loopReason, undefined);
    m.net.run('200 ms');
    m.net.close();
    return m;
  };
  const one = run(1);
  const two = run(2);
  let spikes = 0;
  one.monitors.forEach((m, p) => {
    assert.ok(spikeTrainsEqual(m.spikes(), two.monitors[p].spikes()), `${POPULATIONS[p]} differs between 1 and 2 threads`);
    spikes += m.numSpikes;
    const s = populationStats(m.spikes(), one.sizes[p], 0.05, 0.2);
    assert.ok(Number.isFinite(s.rate_hz) && s.rate_hz >= 0 && s.rate_hz < 60, `${POPULATIONS[p]}: ${s.rate_hz} Hz`);
  });
  const neurons = one.sizes.reduce((a, b) => a + b, 0);
  const mean = spikes / neurons / 0.2;
  assert.ok(mean > 0.5 && mean < 40, `mean rate ${mean} Hz`);
});

test('FixedTotalNum: exactly num synapses, sorted rows, reproducible, about uniform over pre and post', () => {
  const ctx = { nPre: 50, nPost: 40, seed: 9, where: "projection 'x'" };
  const csr = new FixedTotalNum(100000).build(ctx);
  assert.equal(csr.indices.length, 100000);
  assert.equal(csr.indptr[50], 100000);
  const inDeg = new Float64Array(40);
  for (let i = 0; i < 50; i++) {
    const n = csr.indptr[i + 1] - csr.indptr[i];
    assert.ok(Math.abs(n - 2000) < 6 * Math.sqrt(2000), `row ${i} has ${n}`);
    for (let s = csr.indptr[i]; s < csr.indptr[i + 1]; s++) {
      if (s > csr.indptr[i]) assert.ok(csr.indices[s] >= csr.indices[s - 1]);
      inDeg[csr.indices[s]]++;
    }
  }
  for (const d of inDeg) assert.ok(Math.abs(d - 2500) < 6 * Math.sqrt(2500), `in-degree ${d}`);
  const again = new FixedTotalNum(100000).build(ctx);
  assert.deepEqual(again.indices, csr.indices);
  assert.notDeepEqual(new FixedTotalNum(100000).build({ ...ctx, seed: 10 }).indices, csr.indices);
  assert.throws(() => new FixedTotalNum(-1).build(ctx), (e: unknown) => e instanceof BuildError && /num/.test(e.message));
  assert.throws(() => new FixedTotalNum(5).build({ ...ctx, nPost: 0 }), BuildError);
});

test('normal(mean, std, { min, max }) clips its draws; unknown fields are refused', () => {
  const d = new Float64Array(20000);
  fillInit(d, normal('1.5 ms', '0.75 ms', { min: '0.1 ms', max: '3 ms' }), SECOND, new Rng(1, 2), "projection 'x'", 'delay');
  let low = 0;
  for (const x of d) {
    assert.ok(x >= 1e-4 && x <= 3e-3);
    if (x === 1e-4) low++;
  }
  // P(N(1.5, 0.75) < 0.1) ≈ 3.1 %: those sit exactly on the bound
  assert.ok(low > 0.02 * d.length && low < 0.045 * d.length, `${low} clipped`);
  assert.throws(() => fillInit(d, normal('1 ms', '1 ms', { min: '2 ms', max: '1 ms' }), SECOND, new Rng(1), 'w', 'delay'), BuildError);
  assert.throws(() => checkInit({ dist: 'normal', mean: '1 ms', std: '1 ms', lo: '0 ms' }, 'w', 'delay'), /no field 'lo'/);
});

test('the microcircuit round-trips through a model file (FixedTotalNum, clipped normals, Poisson inputs)', () => {
  const { net } = microcircuitNetwork({ scale: 0.01, seed: 2 });
  const file = toModelFile(net);
  const again = buildModelFile(JSON.parse(JSON.stringify(file))).net;
  net.build();
  again.build();
  assert.equal(again.numSynapses, net.numSynapses);
  assert.deepEqual(toModelFile(again), file);
  net.close();
  again.close();
});

test('examples/models/microcircuit.yaml is the model that microcircuitNetwork builds at scale 0.1', () => {
  const text = readFileSync(fileURLToPath(new URL('../../examples/models/microcircuit.yaml', import.meta.url)), 'utf8');
  const fromFile = checkModelFileShape(parseModelText(text));
  const fromCode = toModelFile(microcircuitNetwork({ scale: 0.1, seed: 1 }).net, { duration: '1 s' });
  assert.deepEqual(JSON.parse(JSON.stringify(fromFile)), JSON.parse(JSON.stringify(fromCode)));
});
