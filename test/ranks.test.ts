/**
 * One network split over ranks (src/distributed/rank.ts, src/node/ranks.ts): the same spikes as one
 * process, in one process with an in-memory exchange and over two and three child processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRank, type SpikeTransport } from '../src/distributed/rank.js';
import { runRanks } from '../src/node/ranks.js';
import { BuildError } from '../src/index.js';
import { build } from './support/rank_model.js';

const DURATION = '300 ms';

function reference() {
  const { net, spikes } = build(undefined);
  net.run(DURATION);
  const r = { steps: spikes.all.spikeSteps(), indices: spikes.all.spikes().indices, inhibitory: spikes.inhibitory.spikes().indices.length };
  net.close?.();
  return r;
}

/** An exchange among ranks in this process: each window resolves when every rank has sent it. */
function memoryTransports(R: number): SpikeTransport[] {
  const windows = new Map<number, { data: Int32Array[]; got: number; waiters: ((d: Int32Array[]) => void)[] }>();
  return Array.from({ length: R }, (_, r) => ({
    exchange(n0: number, _n1: number, mine: Int32Array) {
      let w = windows.get(n0);
      if (!w) windows.set(n0, (w = { data: new Array<Int32Array>(R), got: 0, waiters: [] }));
      w.data[r] = mine;
      w.got++;
      const done = new Promise<Int32Array[]>((resolve) => w!.waiters.push(resolve));
      if (w.got === R) for (const resolve of w.waiters) resolve(w.data);
      return done;
    },
  }));
}

function sorted(steps: Int32Array[], indices: Int32Array[]) {
  const pairs: [number, number][] = [];
  steps.forEach((s, k) => s.forEach((n, j) => pairs.push([n, indices[k][j]])));
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { steps: Int32Array.from(pairs, (p) => p[0]), indices: Int32Array.from(pairs, (p) => p[1]) };
}

test('two ranks in one process with an in-memory exchange give the spikes of one process', async () => {
  const ref = reference();
  assert.ok(ref.steps.length > 2000, `the network should be active (got ${ref.steps.length} spikes)`);
  const R = 2;
  const transports = memoryTransports(R);
  const ranks = Array.from({ length: R }, (_, r) => build({ index: r, count: R }));
  for (const { net } of ranks) {
    net.build();
    assert.equal(net.loopReason, undefined);
    assert.equal(net.rankExchange!.window, 10, 'the window is the shortest delay (1 ms = 10 steps)');
  }
  const stats = await Promise.all(ranks.map(({ net }, r) => runRank(net, DURATION, transports[r])));
  assert.equal(stats[0].exchanges, 300);
  // each rank recorded only its own part, and the parts are disjoint
  const own = ranks.map(({ spikes }) => spikes.all.spikes().indices);
  assert.ok(own[0].length > 0 && own[1].length > 0);
  assert.ok(Math.max(...own[0]) < Math.min(...own[1]), 'rank 0 owns the lower neurons');
  const merged = sorted(ranks.map(({ spikes }) => spikes.all.spikeSteps()), own);
  assert.deepEqual(merged.steps, ref.steps);
  assert.deepEqual(merged.indices, ref.indices);
});

test('a dropped exchange changes the spikes (the exchange is what makes ranks agree)', async () => {
  const ref = reference();
  const R = 2;
  const ranks = Array.from({ length: R }, (_, r) => build({ index: r, count: R }));
  // a transport that never delivers the other rank's spikes: each rank sees only its own part
  const silent: SpikeTransport = { exchange: async (n0, n1) => Array.from({ length: R }, () => new Int32Array(n1 - n0)) };
  await Promise.all(ranks.map(({ net }) => runRank(net, DURATION, silent)));
  const merged = sorted(ranks.map(({ spikes }) => spikes.all.spikeSteps()), ranks.map(({ spikes }) => spikes.all.spikes().indices));
  assert.notDeepEqual(merged.indices, ref.indices);
});

for (const R of [2, 3]) {
  test(`${R} child processes exchanging spikes once per minimum delay give the spikes of one process`, async () => {
    const ref = reference();
    const res = await runRanks({ module: new URL('./support/rank_model.js', import.meta.url), ranks: R, duration: DURATION, timeout: 120 });
    assert.deepEqual(res.spikes.all.steps, ref.steps);
    assert.deepEqual(res.spikes.all.indices, ref.indices);
    assert.equal(res.spikes.inhibitory.indices.length, ref.inhibitory);
    assert.equal(res.stats.length, R);
    for (const s of res.stats) {
      assert.equal(s.window, 10);
      assert.equal(s.exchanges, 300);
      assert.ok(s.bytesSent >= 4 * 3000, "at least one count per step");
    }
  });
}

test('a rank needs a delay on every projection, one thread, and a valid index', () => {
  assert.throws(() => build({ index: 0, count: 2 }, { delayE: '0 ms' }).net.build(), (e: unknown) => e instanceof BuildError && /rank/.test(e.message) && /delay/.test(e.message));
  assert.throws(() => build({ index: 2, count: 2 }).net.build(), (e: unknown) => e instanceof BuildError && /rank\.index/.test(e.message));
  assert.throws(() => build({ index: 0, count: 2 }, { threads: 2 }).net.build(), (e: unknown) => e instanceof BuildError && /threads/.test(e.message));
});

test('a rank that dies stops the split run with its name', async () => {
  await assert.rejects(
    runRanks({ module: new URL('./support/rank_model.js', import.meta.url), exportName: 'noSuchBuilder', ranks: 2, duration: '10 ms', timeout: 60 }),
    /rank \d failed: .*noSuchBuilder/,
  );
});
