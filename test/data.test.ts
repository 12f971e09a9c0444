import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseIdx, writeIdx, latencySteps, latencyEvents, latencyBatch, rateEvents, currentEvents, permutation, batches, batchCount, syntheticDataset } from '../src/data/index.js';
import { loadFashionMnist, hasFashionMnist, readIdxFile, head } from '../src/data/fashion_mnist.js';

test('IDX: write → parse round-trips every element type; bad files are refused with the reason', () => {
  const cases: [Parameters<typeof writeIdx>[0], number[]][] = [
    ['u8', [0, 1, 255, 7, 8, 9]],
    ['i8', [-128, 0, 127, 1, 2, -3]],
    ['i16', [-32768, 32767, 0, 5, -5, 300]],
    ['i32', [-2147483648, 2147483647, 0, 1, 2, 3]],
    ['f32', [0.5, -1.25, 3, 1e-3, 0, 2]],
    ['f64', [Math.PI, -Math.E, 1e300, 0, 1, 2]],
  ];
  for (const [type, data] of cases) {
    const a = parseIdx(writeIdx(type, [2, 3], data));
    assert.equal(a.type, type);
    assert.deepEqual(a.dims, [2, 3]);
    const expect = type === 'f32' ? data.map(Math.fround) : data;
    assert.deepEqual(Array.from(a.data), expect);
  }
  const good = writeIdx('u8', [4], [1, 2, 3, 4]);
  assert.throws(() => parseIdx(good.subarray(0, 10)), /truncated: the header announces 4 elements/);
  assert.throws(() => parseIdx(Uint8Array.of(1, 2, 3, 4)), /not an IDX file/);
  assert.throws(() => parseIdx(gzipSync(good)), /gzip-compressed/);
});

test('Fashion-MNIST loader reads tiny IDX files (gzip or not) written here; a missing directory says how to install', () => {
  const dir = mkdtempSync(join(tmpdir(), 'braints-idx-'));
  try {
    const n = 3;
    const pixels = Uint8Array.from({ length: n * 28 * 28 }, (_, k) => (k * 37) % 256);
    for (const prefix of ['train', 't10k']) {
      writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), gzipSync(writeIdx('u8', [n, 28, 28], pixels)));
      writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), writeIdx('u8', [n], [3, 1, 4]));
    }
    assert.ok(hasFashionMnist(dir));
    const { train, test: t } = loadFashionMnist(dir);
    assert.equal(train.n, 3);
    assert.equal(train.d, 784);
    assert.deepEqual(Array.from(t.y), [3, 1, 4]);
    assert.deepEqual(Array.from(train.x.subarray(0, 5)), [0, 37, 74, 111, 148]);
    assert.equal(head(train, 2).x.length, 2 * 784);
    assert.equal(readIdxFile(join(dir, 'train-labels-idx1-ubyte')).dims[0], 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => loadFashionMnist(join(tmpdir(), 'no-such-braints-dir')), /apt-get install dataset-fashion-mnist/);
});

test('latency code: the reference formula (bytes 51 and below silent, 52 fires late, 255 at step 4)', () => {
  const x = Uint8Array.of(0, 50, 51, 52, 60, 128, 200, 255);
  const when = latencySteps(x, { steps: 100, tau: 20, threshold: 0.2 });
  const ref = Array.from(x, (b) => {
    const v = b / 255;
    if (v < 0.2) return 100;
    const c = Math.max(v, 0.2 + 1e-7);
    return Math.min(100, Math.floor(20 * Math.log(c / (c - 0.2))));
  });
  assert.deepEqual(Array.from(when), ref);
  assert.equal(when[2], 100);
  assert.equal(when[7], 4);
  assert.ok(when[3] < 100 && when[3] > 50);
  // Events of a batch: sorted by step, flat index b·d + i.
  const d = 4;
  const data = Uint8Array.of(255, 0, 128, 60, 0, 0, 255, 0);
  const w = latencySteps(data, { steps: 100 });
  const ev = latencyEvents(w, d, [1, 0], 100);
  assert.equal(ev.ptr[100], 4);
  const list: string[] = [];
  for (let t = 0; t < 100; t++) for (let e = ev.ptr[t]; e < ev.ptr[t + 1]; e++) list.push(`${t}:${ev.idx[e]}`);
  assert.deepEqual(list, [`4:2`, `4:4`, `${w[2]}:6`, `${w[3]}:7`]);
  const direct = latencyBatch(data, d, [1, 0], { steps: 100 });
  assert.deepEqual(Array.from(direct.idx), Array.from(ev.idx));
  assert.deepEqual(Array.from(direct.ptr), Array.from(ev.ptr));
});

test('rate code: seeded, batch-independent, with the right mean; analog current events', () => {
  const x = Float32Array.of(0, 0.5, 1, 0.1);
  const a = rateEvents(x, 2, [0, 1], { steps: 2000, seed: 4 });
  const b = rateEvents(x, 2, [1], { steps: 2000, seed: 4 });
  const count = (ev: typeof a, k: number) => {
    let c = 0;
    for (let e = 0; e < ev.idx.length; e++) if (ev.idx[e] === k) c++;
    return c;
  };
  assert.equal(count(a, 0), 0);
  assert.ok(Math.abs(count(a, 1) / 2000 - 0.5) < 0.05);
  assert.equal(count(a, 2), 2000);
  assert.equal(count(a, 3), count(b, 1), 'sample 1 gets the same spikes in any batch');
  const c = currentEvents(Float64Array.of(1, 2, 3, 4), 2, [1], 3);
  assert.deepEqual(Array.from(c.ptr), [0, 2, 4, 6]);
  assert.deepEqual(Array.from(c.val!), [3, 4, 3, 4, 3, 4]);
});

test('shuffling is a seeded permutation; batches drop the last partial one; synthetic data is reproducible', () => {
  const p = permutation(1000, 3, 0);
  assert.deepEqual([...p].sort((u, v) => u - v), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(Array.from(permutation(1000, 3, 0)), Array.from(p));
  assert.notDeepEqual(Array.from(permutation(1000, 3, 1)), Array.from(p));
  const bs = [...batches(p, 256)];
  assert.equal(bs.length, 3);
  assert.equal(batchCount(1000, 256), 3);
  assert.equal([...batches(p, 256, false)].pop()!.length, 1000 - 768);
  const s1 = syntheticDataset({ n: 50, d: 10, classes: 5, seed: 2 });
  const s2 = syntheticDataset({ n: 50, d: 10, classes: 5, seed: 2 });
  assert.deepEqual(Array.from(s1.x), Array.from(s2.x));
  assert.ok(s1.x.every((v) => v >= 0 && v <= 1));
  assert.deepEqual(Array.from(s1.y.subarray(0, 6)), [0, 1, 2, 3, 4, 0]);
});
