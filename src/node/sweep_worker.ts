/**
 * A sweep worker: pulls jobs from a BullMQ queue on Redis and runs them, on any machine that can
 * reach the Redis server. Run it as a program:
 *
 *   node dist/src/node/sweep_worker.js --redis redis://HOST:6379 --module ./dist/experiments.js [--concurrency N]
 *
 * or call {@link runSweepWorker} (the `braints worker` command wires it). Each job runs in a child
 * process, so the worker's own event loop stays free to renew BullMQ's job locks however long a
 * simulation takes; if the worker machine or process dies, the locks lapse and BullMQ's stalled-job
 * check hands the jobs to other workers.
 */
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { BuildError } from '../lang/errors.js';
import { nameProblem } from '../equations/validate.js';
import { ChildRunner, ChildDiedError } from './sweep_runner.js';
import { moduleSpecifiers, type ModuleRef } from './sweep_modules.js';
import { checkQueueName, checkRedisUrl, DEFAULT_SWEEP_QUEUE, encodeMetrics, reachRedis, type SweepJobData, type SweepJobResult } from './sweep_queue.js';
import type { SweepParams } from '../sweep/space.js';

/** Options of {@link runSweepWorker}. */
export interface SweepWorkerOptions {
  /** Redis URL, e.g. 'redis://127.0.0.1:6379'. */
  readonly redis: string;
  /** Queue name (default 'braints-sweep'), the coordinator's. */
  readonly queue?: string;
  /** Modules that register the experiments this worker can run. */
  readonly modules?: readonly ModuleRef[];
  /** Jobs run at once, each in its own child process (default 1). */
  readonly concurrency?: number;
  /** How long a job's lock lasts without renewal, ms (default 30 000): a dead worker's job is re-run after about this long. */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs, ms (default 30 000). */
  readonly stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) before it is failed (default 2). */
  readonly maxStalledCount?: number;
  /** Receives one line per event (job started, done, failed); default: none. */
  readonly log?: (line: string) => void;
  /** Give up if Redis cannot be reached within this many ms at the start (default 10 000). */
  readonly connectTimeoutMs?: number;
  /**
   * Stop once no job has been running or waiting for this many ms (default: never). For batch
   * allocations (a Slurm job array) that should end when the sweep is done; see {@link SweepWorkerHandle.stopped}.
   */
  readonly idleExitMs?: number;
}

/** A running worker. */
export interface SweepWorkerHandle {
  readonly worker: Worker<SweepJobData, SweepJobResult>;
  /** Stops taking jobs, waits for the running ones, stops the child processes. */
  close(): Promise<void>;
  /** Resolves when the worker has stopped (closed, or idle for idleExitMs). */
  readonly stopped: Promise<void>;
}

/** The job's data, checked: a registered-experiment name, finite numbers, a whole seed. Anything else is refused. */
export function checkJobData(d: unknown): SweepJobData {
  const bad = (why: string) => new UnrecoverableError(`malformed sweep job: ${why}`);
  if (!d || typeof d !== 'object') throw bad('not an object');
  const o = d as Record<string, unknown>;
  if (o.format !== 'braints-sweep-job' || o.version !== 1) throw bad('unknown format or version');
  if (typeof o.experiment !== 'string' || o.experiment.length === 0 || o.experiment.length > 200) throw bad('experiment must be a name');
  if (typeof o.job !== 'number' || !Number.isInteger(o.job) || o.job < 0) throw bad('job must be a whole number');
  if (typeof o.seed !== 'number' || !Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0x7fffffff) throw bad('seed must be a whole number in [0, 2³¹)');
  const p = o.params;
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad('params must be an object of numbers');
  const params: Record<string, number> = {};
  for (const [k, v] of Object.entries(p)) {
    if (nameProblem(k)) throw bad(`parameter name ${JSON.stringify(k.slice(0, 50))} is not a name`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`parameter '${k}' is not a finite number`);
    params[k] = v;
  }
  return { format: 'braints-sweep-job', version: 1, sweep: String(o.sweep), job: o.job, experiment: o.experiment, params: Object.freeze(params) as SweepParams, seed: o.seed };
}

function ms(x: unknown, where: string, field: string, dflt: number): number {
  if (x === undefined) return dflt;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) throw new BuildError(where, field, `expected a whole number of ms ≥ 1, got ${String(x)}`, `give e.g. ${field}: ${dflt}`);
  return x;
}

/**
 * Starts a worker on a sweep queue. Resolves once the experiment modules have loaded (in a first
 * child process) and the worker is connected.
 *
 * @example
 * const w = await runSweepWorker({ redis: 'redis://head:6379', modules: ['./dist/experiments.js'], concurrency: 4 });
 * process.on('SIGTERM', () => w.close());
 */
export async function runSweepWorker(options: SweepWorkerOptions): Promise<SweepWorkerHandle> {
  const where = 'sweep worker';
  if (!options || typeof options !== 'object') throw new BuildError(where, 'options', 'expected { redis: URL, modules }', "write runSweepWorker({ redis: 'redis://127.0.0.1:6379', modules: ['./experiments.js'] })");
  const url = checkRedisUrl(options.redis, where);
  const queueName = checkQueueName(options.queue ?? DEFAULT_SWEEP_QUEUE, where);
  const modules = moduleSpecifiers(options.modules, where);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) throw new BuildError(where, 'concurrency', `expected a whole number in [1, 1024], got ${String(concurrency)}`, 'give e.g. concurrency: 4');
  const lockDuration = ms(options.lockDurationMs, where, 'lockDurationMs', 30_000);
  const stalledInterval = ms(options.stalledIntervalMs, where, 'stalledIntervalMs', 30_000);
  const maxStalledCount = options.maxStalledCount ?? 2;
  if (!Number.isInteger(maxStalledCount) || maxStalledCount < 0) throw new BuildError(where, 'maxStalledCount', `expected a whole number ≥ 0, got ${String(maxStalledCount)}`, 'give e.g. maxStalledCount: 2');
  const log = options.log ?? (() => undefined);
  const idleExitMs = options.idleExitMs === undefined ? undefined : ms(options.idleExitMs, where, 'idleExitMs', 60_000);

  await reachRedis(url, ms(options.connectTimeoutMs, where, 'connectTimeoutMs', 10_000), where);
  // Load the modules once before taking any job: a typo fails here, not on every job.
  const idle: ChildRunner[] = [await ChildRunner.start(modules)];
  const experiments = idle[0].experiments;
  const closing = { now: false };

  let running = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let arm: () => void = () => undefined; // (re)starts the idle countdown when idleExitMs is set
  const processor = async (job: Job<SweepJobData, SweepJobResult>): Promise<SweepJobResult> => {
    running++;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    try {
      return await runOne(job);
    } finally {
      running--;
      if (running === 0 && !closing.now) arm();
    }
  };
  const runOne = async (job: Job<SweepJobData, SweepJobResult>): Promise<SweepJobResult> => {
    const data = checkJobData(job.data);
    if (!experiments.includes(data.experiment)) {
      // another worker may have the module: let BullMQ retry it (elsewhere, with backoff)
      throw new Error(`no experiment named ${JSON.stringify(data.experiment)} is registered on this worker (pid ${process.pid})`);
    }
    const child = idle.pop() ?? (await ChildRunner.start(modules));
    log(`job ${job.id} start pid ${process.pid} child ${child.pid}`);
    try {
      const outcome = await child.run(data.experiment, data.params, data.seed);
      if (!outcome.ok) {
        log(`job ${job.id} failed: ${outcome.error}`);
        if (outcome.deterministic) throw new UnrecoverableError(outcome.error);
        throw new Error(outcome.error);
      }
      log(`job ${job.id} done`);
      return encodeMetrics(outcome.metrics);
    } catch (err) {
      if (err instanceof ChildDiedError) log(`job ${job.id} lost its process: ${err.message}`);
      throw err;
    } finally {
      if (child.alive && !closing.now) idle.push(child);
      else child.close();
    }
  };

  const worker = new Worker<SweepJobData, SweepJobResult>(queueName, processor, {
    connection: { url, maxRetriesPerRequest: null },
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: true,
  });
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const close = async () => {
    if (idleTimer) clearTimeout(idleTimer);
    if (closing.now) return stopped;
    closing.now = true;
    await worker.close();
    for (const c of idle.splice(0)) c.close();
    resolveStopped();
  };
  if (idleExitMs !== undefined) {
    arm = () => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        if (running > 0) return;
        log(`worker idle for ${idleExitMs} ms: stopping`);
        void close();
      }, idleExitMs);
    };
    worker.on('drained', arm);
    arm(); // an empty queue at start counts as idle too
  }
  await worker.waitUntilReady();
  log(`worker ready pid ${process.pid} queue ${queueName} experiments ${experiments.join(',')}`);
  return { worker, close, stopped };
}

/** The program: `node dist/src/node/sweep_worker.js --redis URL --module FILE …`. */
async function main(argv: string[]): Promise<void> {
  // the same command as `npx braints worker` (loaded here, so that the command module never imports this one statically)
  const { sweepWorkerCommand } = await import('./sweep_worker_command.js');
  await sweepWorkerCommand('sweep_worker').parseAsync(argv);
}

const isMain = (() => {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
})();
if (isMain) {
  main(process.argv).catch((err) => {
    process.stderr.write(`sweep worker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
