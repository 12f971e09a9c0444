import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  crossCorrelogram,
  cvISI,
  fanoFactor,
  firingRates,
  isi,
  lifRateAnalytic,
  lifRateCurve,
  meanRate,
  populationRate,
  smoothGaussian,
  spikeTrainsEqual,
  type SpikeData,
} from '../src/analysis/index.js';
import { encodeNpy, formatCsv, terminalProgress, writeCsv, writeNpy, writeText } from '../src/node/index.js';
import { Rng } from '../src/math/rng.js';

function fromList(list: [number, number][]): { times: Float64Array; indices: Int32Array } {
  list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { times: Float64Array.from(list, (s) => s[0]), indices: Int32Array.from(list, (s) => s[1]) };
}

/** nNeurons neurons; neuron i fires every 10 ms starting at i ms, for `duration` seconds: 100 Hz each. */
function regular(nNeurons: number, duration: number): { times: Float64Array; indices: Int32Array } {
  const list: [number, number][] = [];
  for (let i = 0; i < nNeurons; i++) {
    for (let k = 0; ; k++) {
      const t = i * 1e-3 + k * 0.01;
      if (t >= duration) break;
      list.push([t, i]);
    }
  }
  return fromList(list);
}

/** Independent Poisson trains of `rate` Hz over [0, duration). */
function poisson(nNeurons: number, rate: number, duration: number, seed: number): { times: Float64Array; indices: Int32Array } {
  const rng = new Rng(seed);
  const list: [number, number][] = [];
  for (let i = 0; i < nNeurons; i++) {
    let t = -Math.log(rng.uniformOpen()) / rate;
    while (t < duration) {
      list.push([t, i]);
      t += -Math.log(rng.uniformOpen()) / rate;
    }
  }
  return fromList(list);
}

test('meanRate and firingRates of regular 100 Hz trains', () => {
  const s = regular(10, 1);
  assert.equal(s.times.length, 1000);
  assert.equal(meanRate(s, 10, 1), 100);
  const r = firingRates(s, 10, 1);
  assert.equal(r.length, 10);
  for (const x of r) assert.equal(x, 100);
  // Neurons that never fire count with rate 0.
  assert.equal(meanRate(s, 20, 1), 50);
  assert.equal(firingRates(s, 20, 1)[15], 0);
  assert.throws(() => meanRate(s, 10, 0), /duration/);
  assert.throws(() => firingRates({ times: new Float64Array(2), indices: new Int32Array(1) }, 1, 1), /parallel/);
});

test('populationRate of regular trains is flat at 100 Hz, also with grid-aligned spikes and smoothing', () => {
  const s = regular(10, 1);
  for (const bin of [1e-3, 1e-2, 0.05]) {
    const { t, rate } = populationRate(s, 10, 0, 1, bin);
    assert.equal(rate.length, Math.round(1 / bin));
    assert.ok(Math.abs(t[0] - bin / 2) < 1e-12, 't holds bin centres');
    for (const x of rate) assert.ok(Math.abs(x - 100) < 1e-9, `bin ${bin}: ${x}`);
  }
  const smooth = populationRate(s, 10, 0, 1, 1e-3, 5e-3);
  for (const x of smooth.rate) assert.ok(Math.abs(x - 100) < 1e-9, 'smoothing keeps a flat rate flat, edges included');
  // A window inside the run.
  const mid = populationRate(s, 10, 0.2, 0.5, 0.1);
  assert.deepEqual(Array.from(mid.t, (x) => Math.round(x * 1000)), [250, 350, 450]);
  for (const x of mid.rate) assert.ok(Math.abs(x - 100) < 1e-9);
  // Smoothing a single bump spreads it but conserves its area.
  const bump = new Float64Array(101);
  bump[50] = 1;
  const sm = smoothGaussian(bump, 3);
  assert.ok(Math.abs(sm.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(sm[50] < 0.2 && sm[50] > sm[53]);
});

test('isi and cvISI: 0 for regular trains, about 1 for Poisson trains', () => {
  const s = regular(10, 1);
  const d = isi(s, 3);
  assert.equal(d.length, 99);
  for (const x of d) assert.ok(Math.abs(x - 0.01) < 1e-12);
  assert.ok(cvISI(s, 10) < 1e-9, `regular CV ${cvISI(s, 10)}`);

  const p = poisson(100, 20, 20, 1234);
  const cv = cvISI(p, 100);
  assert.ok(Math.abs(cv - 1) < 0.05, `Poisson CV ${cv}`);
  assert.ok(Math.abs(meanRate(p, 100, 20) - 20) < 0.5);
  // Neurons with fewer than 3 spikes are left out; none qualifying gives NaN.
  assert.ok(Number.isNaN(cvISI(fromList([[0.1, 0], [0.2, 0], [0.3, 1]]), 2)));
  assert.ok(cvISI(fromList([[0.1, 0], [0.2, 0], [0.3, 0], [0.5, 1]]), 2) < 1e-12);
});

test('fanoFactor: 0 for regular counts, about 1 for Poisson', () => {
  assert.ok(fanoFactor(regular(10, 2), 10, 0.1, 2) < 1e-9);
  const p = poisson(100, 20, 20, 99);
  const ff = fanoFactor(p, 100, 0.1, 20);
  assert.ok(Math.abs(ff - 1) < 0.1, `Poisson Fano factor ${ff}`);
  assert.ok(Number.isNaN(fanoFactor(p, 100, 30, 20)), 'no full window');
});

test('spikeTrainsEqual ignores order within a time step, nothing else', () => {
  const a = fromList([[0.001, 0], [0.001, 5], [0.002, 3]]);
  const b: SpikeData = { times: new Float64Array([0.001, 0.001, 0.002]), indices: new Int32Array([5, 0, 3]) };
  assert.ok(spikeTrainsEqual(a, a));
  assert.ok(spikeTrainsEqual(a, b));
  assert.ok(!spikeTrainsEqual(a, { times: a.times, indices: new Int32Array([0, 5, 4]) }));
  assert.ok(!spikeTrainsEqual(a, { times: new Float64Array([0.001, 0.001]), indices: new Int32Array([0, 5]) }));
  const shifted = { times: Float64Array.from(a.times, (t) => t + 1e-12), indices: a.indices };
  assert.ok(!spikeTrainsEqual(a, shifted));
  assert.ok(spikeTrainsEqual(a, shifted, 1e-9));
});

test('crossCorrelogram finds a 1 ms lag', () => {
  const s = regular(2, 1); // neuron 1 fires 1 ms after neuron 0
  const { lag, count } = crossCorrelogram(s, 0, 1, 0.004, 1e-3);
  assert.equal(lag.length, 9);
  const peak = count.indexOf(Math.max(...count));
  assert.ok(Math.abs(lag[peak] - 0.001) < 1e-12);
  assert.equal(count[peak], 100);
  assert.equal(count.reduce((a, b) => a + b, 0), 100);
  const auto = crossCorrelogram(s, 0, 0, 0.015, 1e-3);
  assert.equal(auto.count[15], 0, 'self-pairs excluded');
  assert.equal(auto.count[25], 99);
});

test('lifRateAnalytic matches the hand-computed closed form', () => {
  const p = { tau: 0.02, R: 1e8, I: 3e-10, vRest: -0.07, vReset: -0.07, vThreshold: -0.05, tRef: 0.002 };
  // R·I = 30 mV; ln((30 − 0) / (30 − 20)) = ln 3; T = 2 ms + 20 ms · ln 3 = 23.9722… ms.
  const expected = 1 / (0.002 + 0.02 * Math.log(3));
  assert.ok(Math.abs(expected - 41.7149) < 1e-3);
  assert.ok(Math.abs(lifRateAnalytic(p) - 41.71497) < 1e-4);
  assert.equal(lifRateAnalytic({ ...p, I: 2e-10 }), 0, 'steady state exactly at threshold: silent');
  assert.equal(lifRateAnalytic({ ...p, I: 1e-10 }), 0, 'subthreshold: silent');
  assert.ok(lifRateAnalytic({ ...p, I: 1e-6 }) < 500 && lifRateAnalytic({ ...p, I: 1e-6 }) > 490, 'saturates at 1/tRef');
  const curve = lifRateCurve(p, [0, 2e-10, 3e-10, 5e-10]);
  assert.equal(curve[0], 0);
  assert.equal(curve[2], lifRateAnalytic(p));
  assert.ok(curve[3] > curve[2]);
  assert.throws(() => lifRateAnalytic({ ...p, vReset: -0.04 }), /vReset/);
});

function parseNpy(bytes: Uint8Array): { header: string; headerLen: number; dataOffset: number } {
  const headerLen = bytes[8] | (bytes[9] << 8);
  const header = Buffer.from(bytes.subarray(10, 10 + headerLen)).toString('latin1');
  return { header, headerLen, dataOffset: 10 + headerLen };
}

test('writeNpy writes NumPy v1.0 files: magic, header, alignment, data', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'braints-npy-'));
  try {
    const data = new Float64Array([1.5, -2, 3, Math.PI]);
    const path = join(dir, 'nested', 'x.npy');
    await writeNpy(path, data);
    const bytes = new Uint8Array(await readFile(path));
    assert.deepEqual([...bytes.subarray(0, 6)], [0x93, ...Buffer.from('NUMPY')]);
    assert.deepEqual([...bytes.subarray(6, 8)], [1, 0]);
    const { header, dataOffset } = parseNpy(bytes);
    assert.equal(dataOffset % 64, 0, 'data starts on a 64-byte boundary');
    assert.ok(header.startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }"));
    assert.ok(header.endsWith('\n'));
    assert.equal(bytes.length, dataOffset + 4 * 8);
    const back = new Float64Array(bytes.slice(dataOffset).buffer);
    assert.deepEqual([...back], [...data]);

    const m = Int32Array.from({ length: 6 }, (_, k) => k - 2);
    await writeNpy(join(dir, 'm.npy'), m, [2, 3]);
    const mb = new Uint8Array(await readFile(join(dir, 'm.npy')));
    const mh = parseNpy(mb);
    assert.ok(mh.header.includes("'descr': '<i4'") && mh.header.includes("'shape': (2, 3)"));
    assert.equal(mb.length, mh.dataOffset + 24);
    assert.deepEqual([...new Int32Array(mb.slice(mh.dataOffset).buffer)], [...m]);

    const f = encodeNpy(new Float32Array([0.5]), []);
    const fh = parseNpy(f);
    assert.ok(fh.header.includes("'descr': '<f4'") && fh.header.includes("'shape': ()"));
    assert.equal(f.length, fh.dataOffset + 4);
    // A view into a larger buffer writes only its own elements.
    const view = new Float32Array([9, 1, 2, 9]).subarray(1, 3);
    const vb = encodeNpy(view);
    assert.deepEqual([...new Float32Array(vb.slice(parseNpy(vb).dataOffset).buffer)], [1, 2]);
    assert.throws(() => encodeNpy(m, [4, 2]), /shape/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('writeText and writeCsv create folders and write the expected text', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'braints-files-'));
  try {
    await writeText(join(dir, 'a', 'b', 'plot.svg'), '<svg/>');
    assert.equal(await readFile(join(dir, 'a', 'b', 'plot.svg'), 'utf8'), '<svg/>');
    await writeCsv(join(dir, 'c', 'rate.csv'), { t: [0, 0.001, 0.002], 'rate, Hz': new Float64Array([1.5, 2]) });
    assert.equal(await readFile(join(dir, 'c', 'rate.csv'), 'utf8'), 't,"rate, Hz"\n0,1.5\n0.001,2\n0.002,\n');
    assert.equal(formatCsv({ x: [0.1 + 0.2] }), 'x\n0.30000000000000004\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

class FakeTerminal extends Writable {
  isTTY = true;
  columns = 100;
  text = '';
  writes = 0;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.writes++;
    done();
  }
}

test('terminalProgress: undefined without a terminal; throttled, cheap updates with one', async () => {
  const piped = new FakeTerminal();
  piped.isTTY = false;
  assert.equal(terminalProgress({ stream: piped }), undefined);

  const term = new FakeTerminal();
  const bar = terminalProgress({ stream: term });
  assert.ok(bar);
  const total = 1_000_000;
  const t0 = performance.now();
  bar.start(total, 'COBA');
  for (let s = 1; s <= total; s++) bar.update(s);
  bar.stop();
  const ms = performance.now() - t0;
  await new Promise((r) => setImmediate(r));
  console.log(`1e6 progress updates: ${ms.toFixed(0)} ms (speed belongs in bench/, not asserted)`);
  assert.ok(term.writes < 2000, `${term.writes} writes to the terminal`);
  assert.ok(term.text.includes('COBA'));
  assert.ok(term.text.includes('100%'));
  assert.ok(term.text.includes(`${total}/${total}`));
});
