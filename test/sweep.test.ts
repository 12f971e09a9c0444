/**
 * Parameter sweeps without Redis: spaces, validation, the result table (CSV, Arrow), sweeps in
 * this process and on a local process pool (same table for any pool size, a crashed child's job
 * re-run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { tableFromIPC } from 'apache-arrow';
import { BuildError, grid, randomSearch, sweep, defineExperiment, runJob, spikeCountMetric, type ProgressReporter, type SweepTable } from '../src/index.js';
import { processPool, terminalProgress, checkJobData, writeSweepTable, redisQueue, runSweepWorker } from '../src/node/index.js';
import { tinyCoba, smallCoba } from './support/sweep_experiments.js';

const MODULE = fileURLToPath(new URL('./support/sweep_experiments.js', import.meta.url));

function refused(f: () => unknown, field: RegExp | string): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof BuildError, `expected a BuildError, got ${String(err)}`);
    if (typeof field === 'string') assert.equal(err.field, field);
    else assert.match(err.field, field);
    assert.match(err.message, /Fix: /);
    return true;
  });
}

function sameTable(a: SweepTable, b: SweepTable): void {
  assert.deepEqual(a.names, b.names);
  for (const n of a.names) assert.deepEqual(a.column(n), b.column(n), `column ${n}`);
  assert.deepEqual([...a.errors], [...b.errors]);
}

test('grid: cartesian product in order (first parameter slowest, seeds fastest)', () => {
  const s = grid({ a: [1, 2], b: [10, 20, 30] }, { seeds: [7, 8] });
  assert.equal(s.points.length, 12);
  assert.deepEqual(s.names, ['a', 'b']);
  assert.deepEqual(s.points.slice(0, 4).map((p) => [p.job, p.params.a, p.params.b, p.seed]), [
    [0, 1, 10, 7],
    [1, 1, 10, 8],
    [2, 1, 20, 7],
    [3, 1, 20, 8],
  ]);
  assert.deepEqual([s.points[11].params.a, s.points[11].params.b, s.points[11].seed], [2, 30, 8]);
  assert.deepEqual(grid({ a: [1] }, { seeds: 3 }).points.map((p) => p.seed), [0, 1, 2]);
});

test('randomSearch: seeded, reproducible, inside the ranges; a new parameter leaves the others\' draws alone', () => {
  const d = { x: { dist: 'uniform', low: 2, high: 4 }, k: { dist: 'integer', low: 1, high: 3 }, c: { dist: 'choice', values: [5, 7] }, l: { dist: 'logUniform', low: 1, high: 100 } } as const;
  const a = randomSearch(d, { samples: 50, seed: 3, seeds: 2 });
  const b = randomSearch(d, { samples: 50, seed: 3, seeds: 2 });
  assert.equal(a.points.length, 100);
  assert.deepEqual(a.points, b.points);
  for (const p of a.points) {
    assert.ok(p.params.x >= 2 && p.params.x < 4);
    assert.ok([1, 2, 3].includes(p.params.k));
    assert.ok([5, 7].includes(p.params.c));
    assert.ok(p.params.l >= 1 && p.params.l <= 100);
  }
  assert.equal(new Set(a.points.map((p) => p.params.k)).size, 3);
  const c = randomSearch(d, { samples: 50, seed: 4 });
  assert.notDeepEqual(c.points.map((p) => p.params.x), a.points.filter((p) => p.seed === 0).map((p) => p.params.x));
  const more = randomSearch({ ...d, y: { dist: 'uniform', low: 0, high: 1 } }, { samples: 50, seed: 3, seeds: 2 });
  assert.deepEqual(more.points.map((p) => p.params.x), a.points.map((p) => p.params.x));
});

test('spaces refuse bad input with the field and a fix', () => {
  refused(() => grid({ '1x': [1] }), 'parameters');
  refused(() => grid({ seed: [1] }), 'parameters');
  refused(() => grid({ __proto__x: [1], constructor: [1] } as never), 'parameters');
  refused(() => grid({ a: [] }), 'a');
  refused(() => grid({ a: [1, NaN] }), 'a[1]');
  refused(() => grid({ a: ['1 ms'] as never }), 'a[0]');
  refused(() => grid({}), 'parameters');
  refused(() => grid({ a: [1] }, { seeds: [1, 1] }), 'seeds[1]');
  refused(() => grid({ a: [1] }, { seeds: -1 }), 'seeds');
  refused(() => grid({ a: [1] }, { seeds: [1.5] }), 'seeds[0]');
  refused(() => grid({ a: Array.from({ length: 10000 }, (_, k) => k), b: Array.from({ length: 10000 }, (_, k) => k) }), 'size');
  refused(() => randomSearch({ a: { dist: 'normal' } as never }, { samples: 3 }), 'a.dist');
  refused(() => randomSearch({ a: { dist: 'uniform', low: 2, high: 1 } }, { samples: 3 }), 'a.high');
  refused(() => randomSearch({ a: { dist: 'logUniform', low: 0, high: 1 } }, { samples: 3 }), 'a.low');
  refused(() => randomSearch({ a: { dist: 'uniform', low: 0, high: 1 } }, { samples: 0 }), 'samples');
});

test('experiments refuse bad declarations; a sweep over a parameter the experiment does not read is refused', async () => {
  const ok = { name: 'e', build: () => smallCoba({ n: 10 }, 0), duration: '1 ms', metrics: { s: spikeCountMetric() } };
  refused(() => defineExperiment({ ...ok, duration: '-1 ms' }), 'duration');
  refused(() => defineExperiment({ ...ok, duration: '3 mV' }), 'duration');
  refused(() => defineExperiment({ ...ok, metrics: {} }), 'metrics');
  refused(() => defineExperiment({ ...ok, metrics: { job: spikeCountMetric() } }), 'metrics');
  refused(() => defineExperiment({ ...ok, metrics: { s: 3 as never } }), 'metrics.s');
  refused(() => defineExperiment({ ...ok, build: undefined as never }), 'build');
  refused(() => defineExperiment({ ...ok, name: 'a\nb' }), 'name');
  await assert.rejects(sweep(tinyCoba, grid({ Iext: [1] })), (e: unknown) => e instanceof BuildError && e.field === 'params' && /Iext/.test(e.message));
  await assert.rejects(sweep('no-such-experiment', grid({ a: [1] })), (e: unknown) => e instanceof BuildError && e.field === 'experiment');
});

test('sweep in this process: one typed row per job, metrics as measured by a run of the same network', async () => {
  const space = grid({ I: [150, 250], we: [4, 8] }, { seeds: 2 });
  const seen: number[] = [];
  const calls: string[] = [];
  const progress: ProgressReporter = { start: (n, l) => calls.push(`start ${n} ${l}`), update: (k) => calls.push(`update ${k}`), stop: () => calls.push('stop') };
  const t = await sweep(tinyCoba, space, { onResult: (p) => seen.push(p.job), progress });
  assert.equal(t.rows, 8);
  assert.deepEqual(t.names, ['job', 'seed', 'I', 'we', 'rate', 'spikes', 'rateE', 'first_ms', 'waited', 'ok']);
  assert.ok(t.column('job') instanceof Int32Array && t.column('seed') instanceof Int32Array);
  assert.ok(t.column('I') instanceof Float64Array && t.column('rate') instanceof Float64Array && t.column('ok') instanceof Uint8Array);
  assert.deepEqual([...t.column('ok')], new Array(8).fill(1));
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(calls[0], "start 8 sweep 'tiny-coba' (in-process)");
  assert.deepEqual(calls.slice(1), [...Array.from({ length: 8 }, (_, k) => `update ${k + 1}`), 'stop']);
  // row 5 against a direct run of the same network
  const r = t.row(5);
  const { net, spikes } = smallCoba({ I: r.I, we: r.we, n: 100 }, r.seed, 'js');
  net.run('30 ms');
  assert.equal(r.spikes, spikes.numSpikes);
  assert.ok(Math.abs(r.rate - spikes.numSpikes / 100 / 0.03) < 1e-9);
  assert.ok(r.spikes > 0);
  // more input, more spikes (same seed, same weight)
  assert.ok(t.row(4).spikes > t.row(0).spikes);
});

test('the table as CSV and as Arrow IPC (read back with apache-arrow)', async () => {
  const t = await sweep(tinyCoba, grid({ I: [200], we: [4, 6] }, { seeds: [3] }));
  const csv = t.toCsv().trim().split('\n');
  assert.equal(csv[0], 'job,seed,I,we,rate,spikes,rateE,first_ms,waited,ok');
  assert.equal(csv.length, 3);
  assert.deepEqual(csv[2].split(',').slice(0, 4), ['1', '3', '200', '6']);
  assert.equal(Number(csv[1].split(',')[4]), t.column('rate')[0]);
  const back = tableFromIPC(await t.toArrow());
  assert.equal(back.numRows, 2);
  assert.deepEqual(back.schema.fields.map((f) => f.name), [...t.names, 'error']);
  assert.equal(String(back.schema.fields[0].type), 'Int32');
  assert.equal(String(back.schema.fields[4].type), 'Float64');
  for (const n of t.names) assert.deepEqual([...back.getChild(n)!.toArray()], [...t.column(n)], n);
  assert.deepEqual([...back.getChild('error')!], [null, null]);
  const dir = mkdtempSync(join(tmpdir(), 'braints-sweep-'));
  try {
    await writeSweepTable(join(dir, 'a', 't.arrow'), t);
    await writeSweepTable(join(dir, 't.csv'), t);
    await assert.rejects(writeSweepTable(join(dir, 't.xlsx'), t), (e: unknown) => e instanceof BuildError && e.field === 'path');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('failed jobs: ok = 0, NaN metrics, the message in the table (CSV error column, Arrow error column)', async () => {
  const t = await sweep('fails', grid({ x: [-1, 1] }));
  assert.deepEqual([...t.column('ok')], [0, 1]);
  assert.ok(Number.isNaN(t.column('spikes')[0]));
  assert.match(t.errors.get(0)!, /x must be ≥ 0/);
  assert.equal(t.failed, 1);
  assert.match(t.toCsv().split('\n')[0], /,error$/);
  assert.match(t.toCsv().split('\n')[1], /x must be/);
  const back = tableFromIPC(await t.toArrow());
  assert.match(String(back.getChild('error')!.get(0)), /x must be/);
  assert.equal(back.getChild('error')!.get(1), null);
  await assert.rejects(sweep('fails', grid({ x: [-1, 1] }), { throwOnFailure: true }), (e: unknown) => e instanceof BuildError && e.field === 'jobs' && /1 of 2 jobs failed/.test(e.message));
  const o = runJob(tinyCoba, { I: 1e300 * 1e10 }, 0);
  assert.equal(o.ok, false);
});

test('process pool: the same table as in this process, for 1 and 3 processes', async () => {
  const space = randomSearch({ I: { dist: 'uniform', low: 120, high: 260 }, we: { dist: 'choice', values: [4, 8] } }, { samples: 5, seed: 11, seeds: 2 });
  const local = await sweep(tinyCoba, space);
  const one = await sweep('tiny-coba', space, { runner: processPool({ processes: 1, modules: [MODULE] }) });
  const three = await sweep(tinyCoba, space, { runner: processPool({ processes: 3, modules: [MODULE] }) });
  sameTable(one, local);
  sameTable(three, local);
  assert.deepEqual([...three.column('ok')], new Array(10).fill(1));
});

test('process pool: a child killed mid-job (SIGKILL) is replaced and its job run again; the table is unchanged', async () => {
  const space = grid({ I: [150, 250], slow: [0.6] }, { seeds: 2 });
  const pids: number[] = [];
  let killed = false;
  const runner = processPool({
    processes: 2,
    modules: [MODULE],
    onStart: (pid) => {
      pids.push(pid!);
      // the first child: kill it while its first (0.6 s) job runs
      if (pids.length === 1) setTimeout(() => ((killed = process.kill(pid!, 'SIGKILL')), undefined), 300);
    },
  });
  const t = await sweep('tiny-coba', space, { runner });
  assert.ok(killed);
  assert.ok(pids.length >= 3, `a replacement child started (pids ${pids.join(', ')})`);
  assert.deepEqual([...t.column('ok')], [1, 1, 1, 1]);
  assert.deepEqual([...t.column('waited')], [1, 1, 1, 1]);
  const local = await sweep(tinyCoba, grid({ I: [150, 250], slow: [0] }, { seeds: 2 }));
  assert.deepEqual(t.column('spikes'), local.column('spikes'));
  assert.deepEqual(t.column('rate'), local.column('rate'));
});

test('process pool: refuses a missing module or an experiment no module registers', async () => {
  await assert.rejects(sweep('tiny-coba', grid({ I: [1] }), { runner: processPool({ processes: 1, modules: ['./no/such/module.js'] }) }), (e: unknown) => e instanceof BuildError && e.field === 'modules');
  await assert.rejects(sweep('not-registered', grid({ I: [1] }), { runner: processPool({ processes: 1, modules: [MODULE] }) }), (e: unknown) => e instanceof BuildError && e.field === 'modules' && /not-registered/.test(e.message));
  refused(() => processPool({ processes: 0 }), 'processes');
  refused(() => processPool({ modules: [42 as never] }), 'modules[0]');
});

test('a progress bar counts jobs on a terminal', async () => {
  let text = '';
  const stream = Object.assign(new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  const bar = terminalProgress({ stream: stream as never, unit: 'jobs', intervalMs: 0 });
  assert.ok(bar);
  await sweep(tinyCoba, grid({ I: [200] }, { seeds: 2 }), { progress: bar });
  assert.match(text, /2\/2 jobs/);
});

test('queue workers refuse malformed jobs (only names and numbers are accepted)', () => {
  const good = { format: 'braints-sweep-job', version: 1, sweep: 'a1', job: 0, experiment: 'tiny-coba', params: { I: 1 }, seed: 0 };
  assert.deepEqual(checkJobData(good).params, { I: 1 });
  for (const bad of [
    null,
    { ...good, format: 'x' },
    { ...good, params: { I: '1; process.exit()' } },
    { ...good, params: { I: Infinity } },
    { ...good, params: JSON.parse('{"__proto__": 1}') },
    { ...good, params: { 'a-b': 1 } },
    { ...good, seed: -1 },
    { ...good, experiment: { toString: () => 'x' } },
  ]) {
    assert.throws(() => checkJobData(bad), (e: unknown) => e instanceof Error && e.name === 'UnrecoverableError' && /malformed sweep job/.test(e.message));
  }
});

test('a Redis that cannot be reached, or a bad URL, is refused with the field and a fix (no endless retrying)', async () => {
  const closed = 'redis://127.0.0.1:1'; // nothing listens on port 1
  const isRedisError = (e: unknown) => e instanceof BuildError && e.field === 'redis' && /cannot reach Redis/.test(e.message) && /apt-get install -y redis-server/.test(e.message);
  await assert.rejects(sweep('tiny-coba', grid({ I: [1] }), { runner: redisQueue({ redis: closed, connectTimeoutMs: 2000 }) }), isRedisError);
  await assert.rejects(runSweepWorker({ redis: 'redis://:pw@127.0.0.1:1', modules: [MODULE], connectTimeoutMs: 2000 }), (e: unknown) => isRedisError(e) && !/:pw@/.test((e as Error).message));
  refused(() => redisQueue({ redis: 'http://localhost:6379' }), 'redis');
  refused(() => redisQueue({ redis: 'redis://localhost', queue: 'a:b' }), 'queue');
  refused(() => redisQueue({ redis: 'redis://localhost', sweepId: 'a-b' }), 'sweepId');
  refused(() => redisQueue({ redis: 'redis://localhost', attempts: 0 }), 'attempts');
});
