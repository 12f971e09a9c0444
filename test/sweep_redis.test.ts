/**
 * Sweeps across processes on BullMQ with a real redis-server (started here on a free loopback
 * port, without persistence, and stopped at the end). Without redis-server installed these tests
 * FAIL, saying how to install it: they are part of the acceptance of sweeps across machines.
 *
 * Workers are separate `node dist/src/node/sweep_worker.js` processes, as on a cluster, with short
 * job locks (2 s) so that a killed worker's job is handed to another one within seconds.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { grid, sweep, type SweepTable } from '../src/index.js';
import { processPool, redisQueue, type QueueProgress } from '../src/node/index.js';
import { tinyCoba } from './support/sweep_experiments.js';

const MODULE = fileURLToPath(new URL('./support/sweep_experiments.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../src/node/sweep_worker.js', import.meta.url));

let redis: ChildProcess | undefined;
let url = '';
const workers: { proc: ChildProcess; lines: string[]; exited: boolean }[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function startWorker(extra: string[] = []): Promise<(typeof workers)[number]> {
  const proc = spawn(process.execPath, [WORKER, '--redis', url, '--module', MODULE, '--lock-ms', '2000', '--stalled-ms', '1000', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const w = { proc, lines: [] as string[], exited: false };
  workers.push(w);
  proc.on('exit', () => (w.exited = true));
  let buf = '';
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
    proc.stdout!.on('data', (d) => {
      buf += String(d);
      let k: number;
      while ((k = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, k);
        buf = buf.slice(k + 1);
        w.lines.push(line);
        if (line.startsWith('worker ready')) resolve(w);
      }
    });
  });
}

before(async () => {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) {
    throw new Error('redis-server is not installed, and the queue tests need a real one. Install it (Debian/Ubuntu: apt-get install -y redis-server; .ci/run does this) and run the tests again.');
  }
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    redis!.on('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out.slice(-500)}`)));
    redis!.stdout!.on('data', (d) => {
      out += String(d);
      if (/Ready to accept connections/.test(out)) resolve();
    });
  });
  await Promise.all([startWorker(), startWorker(), startWorker()]);
});

after(async () => {
  for (const w of workers) if (!w.exited) w.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  for (const w of workers) if (!w.exited) w.proc.kill('SIGKILL');
  redis?.kill('SIGTERM');
});

function sameTable(a: SweepTable, b: SweepTable): void {
  assert.deepEqual(a.names, b.names);
  for (const n of a.names) assert.deepEqual(a.column(n), b.column(n), `column ${n}`);
}

test('a 100-job sweep over 3 worker processes: every result exactly once, the same table as a local process pool', async () => {
  const space = grid({ I: [140, 170, 200, 230, 260], we: [3, 5, 7, 9, 11] }, { seeds: 4 });
  assert.equal(space.points.length, 100);
  const runner = redisQueue({ redis: url, pollMs: 500, keepJobs: true });
  const seen = new Map<number, number>();
  const progress: QueueProgress[] = [];
  const t = await sweep('tiny-coba', space, {
    runner: { label: runner.label, run: (req, deliver) => redisQueue({ redis: url, sweepId: runner.sweepId, pollMs: 500, keepJobs: true, onProgress: (p) => progress.push(p) }).run(req, deliver) },
    onResult: (p) => seen.set(p.job, (seen.get(p.job) ?? 0) + 1),
  });
  assert.equal(t.rows, 100);
  assert.deepEqual([...t.column('ok')], new Array(100).fill(1));
  assert.equal(seen.size, 100);
  assert.ok([...seen.values()].every((c) => c === 1));
  // in Redis: each job completed, by one attempt
  const queue = new Queue('braints-sweep', { connection: { url } });
  try {
    const jobs = await Promise.all(space.points.map((p) => queue.getJob(`${runner.sweepId}-${p.job}`)));
    assert.ok(jobs.every((j) => j !== undefined && j.finishedOn !== undefined && j.attemptsMade === 1));
    // the work was shared: more than one worker ran jobs
    const ran = workers.map((w) => w.lines.filter((l) => l.startsWith(`job ${runner.sweepId}-`) && l.endsWith(' done')).length);
    assert.equal(ran.reduce((a, b) => a + b, 0), 100);
    assert.ok(ran.filter((n) => n > 0).length >= 2, `jobs per worker: ${ran.join(', ')}`);
    for (const j of jobs) await j!.remove();
  } finally {
    await queue.close();
  }
  // progress is reported while it runs (how many reports fall before the end depends on the
  // machine's speed, so only their consistency is asserted): done never decreases, ends at 100
  assert.ok(progress.length >= 1, 'progress reported');
  for (let k = 1; k < progress.length; k++) assert.ok(progress[k].done >= progress[k - 1].done, JSON.stringify(progress.slice(k - 1, k + 1)));
  assert.ok(progress.every((p) => p.total === 100 && p.done <= p.total), JSON.stringify(progress.slice(0, 3)));
  assert.equal(progress[progress.length - 1].done, 100);
  const pool = await sweep('tiny-coba', space, { runner: processPool({ processes: 2, modules: [MODULE] }) });
  sameTable(t, pool);
  const spikes = t.column('spikes');
  assert.ok(spikes.some((s) => s > 0));
});

test('a worker killed (SIGKILL) in the middle of a job: the job is run again by another worker, no result lost or doubled', async () => {
  // 4 jobs of about 1.5 s each, so a kill right after a job starts lands inside it
  const space = grid({ I: [150, 250], slow: [1.5] }, { seeds: 2 });
  const victim = workers.find((w) => !w.exited)!;
  const runner = redisQueue({ redis: url, pollMs: 300, keepJobs: true, backoffMs: 200 });
  let killedJob = '';
  const watch = setInterval(() => {
    if (killedJob) return;
    const start = victim.lines.find((l) => l.startsWith(`job ${runner.sweepId}-`) && l.includes(' start '));
    if (start) {
      killedJob = start.split(' ')[1];
      victim.proc.kill('SIGKILL');
    }
  }, 20);
  const seen: number[] = [];
  let t: SweepTable;
  try {
    t = await sweep('tiny-coba', space, { runner, onResult: (p) => seen.push(p.job) });
  } finally {
    clearInterval(watch);
  }
  assert.ok(killedJob, 'the victim worker started a job and was killed');
  assert.ok(!victim.lines.some((l) => l === `job ${killedJob} done`), 'the killed worker did not finish its job');
  assert.deepEqual([...t.column('ok')], [1, 1, 1, 1]);
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
  const queue = new Queue('braints-sweep', { connection: { url } });
  try {
    const j = await queue.getJob(killedJob);
    assert.ok(j && j.finishedOn !== undefined);
    assert.ok(j.attemptsStarted >= 2 || j.stalledCounter >= 1, `the killed job was started again (attemptsStarted ${j.attemptsStarted}, stalledCounter ${j.stalledCounter})`);
    const finisher = workers.find((w) => w !== victim && w.lines.includes(`job ${killedJob} done`));
    assert.ok(finisher, 'another worker finished the killed job');
    for (const p of space.points) await (await queue.getJob(`${runner.sweepId}-${p.job}`))?.remove();
  } finally {
    await queue.close();
  }
  // the results are those of an undisturbed run
  const local = await sweep(tinyCoba, grid({ I: [150, 250], slow: [0] }, { seeds: 2 }));
  assert.deepEqual(t.column('spikes'), local.column('spikes'));
  assert.deepEqual(t.column('rate'), local.column('rate'));
});

test('a model error is not retried: the job is recorded as failed once, with its message', async () => {
  const t = await sweep('fails', grid({ x: [-1, 2] }), { runner: redisQueue({ redis: url, pollMs: 300, attempts: 3, backoffMs: 100 }) });
  assert.deepEqual([...t.column('ok')], [0, 1]);
  assert.match(t.errors.get(0)!, /x must be/);
});

test('a worker started with --idle-exit stops by itself once the queue stays empty (for batch allocations)', async () => {
  const w = await startWorker(['--idle-exit', '1000']);
  const code = await new Promise<number | null>((resolve) => (w.exited ? resolve(w.proc.exitCode) : w.proc.once('exit', (c) => resolve(c))));
  assert.equal(code, 0);
  assert.ok(w.lines.some((l) => l.startsWith('worker idle for 1000 ms')));
});
