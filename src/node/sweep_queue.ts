/**
 * Sweeps across processes and machines on BullMQ (a maintained job queue on Redis).
 *
 * The coordinator ({@link redisQueue}, a sweep runner) adds one BullMQ job per sweep job: the
 * experiment's registered name, the parameter values and the seed, under the job id
 * `<sweep id>-<job number>`. Workers ({@link runSweepWorker} in sweep_worker.ts) on any number of
 * machines pull jobs, run them in a child process and return the metrics. Results stream back
 * through BullMQ's event stream into one table; the coordinator also re-reads finished jobs from
 * Redis for any result it has not seen, so a missed event loses nothing, and keeps the first
 * result of each job, so nothing is counted twice. Retries with exponential backoff, and stalled
 * jobs (a worker that died holding one) go back to the queue for another worker: BullMQ's own
 * mechanisms, configured here.
 */
import { Queue, QueueEvents, type Job, type JobsOptions } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { BuildError } from '../lang/errors.js';
import type { JobOutcome } from '../sweep/experiment.js';
import type { SweepParams } from '../sweep/space.js';
import type { SweepRunner } from '../sweep/sweep.js';

/** The queue workers and coordinators use unless told otherwise. */
export const DEFAULT_SWEEP_QUEUE = 'braints-sweep';

/** What a BullMQ job of a sweep holds: names and numbers only. */
export interface SweepJobData {
  readonly format: 'braints-sweep-job';
  readonly version: 1;
  /** The sweep's id (letters and digits). */
  readonly sweep: string;
  /** The job's number in the sweep (its row). */
  readonly job: number;
  /** A registered experiment name. */
  readonly experiment: string;
  readonly params: SweepParams;
  readonly seed: number;
}

/** What a worker returns for a job (non-finite numbers as the strings 'NaN', 'Infinity', '-Infinity': JSON has none). */
export interface SweepJobResult {
  readonly metrics: Readonly<Record<string, number | string>>;
}

export function encodeMetrics(m: Readonly<Record<string, number>>): SweepJobResult {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = Number.isFinite(v) ? v : String(v);
  return { metrics: out };
}

export function decodeMetrics(r: unknown): Record<string, number> | undefined {
  const obj = typeof r === 'string' ? safeParse(r) : r;
  const m = (obj as SweepJobResult | undefined)?.metrics;
  if (!m || typeof m !== 'object') return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) out[k] = typeof v === 'number' ? v : Number(v);
  return out;
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Checks a Redis URL (redis:// or rediss://). */
export function checkRedisUrl(url: unknown, where: string): string {
  let u: URL | undefined;
  try {
    u = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:')) {
    throw new BuildError(where, 'redis', `expected a Redis URL, got ${typeof url === 'string' ? JSON.stringify(url.slice(0, 100)) : typeof url}`, "write e.g. 'redis://127.0.0.1:6379'");
  }
  return u.href;
}

/** Checks a queue name (letters, digits, '-', '_'; BullMQ uses it in Redis keys). */
export function checkQueueName(name: unknown, where: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(name)) {
    throw new BuildError(where, 'queue', `expected a queue name of letters, digits, '-' and '_', got ${typeof name === 'string' ? JSON.stringify(name.slice(0, 100)) : typeof name}`, `write e.g. '${DEFAULT_SWEEP_QUEUE}'`);
  }
  return name;
}

/**
 * Connects to Redis once and pings it, giving up after `ms`: a wrong URL or a server that is not
 * running fails here with a BuildError instead of BullMQ retrying for ever.
 */
export async function reachRedis(url: string, ms: number, where: string): Promise<void> {
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  const t0 = Date.now();
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: ms,
    retryStrategy: (times: number) => (Date.now() - t0 + 200 < ms ? Math.min(200, 50 * times) : null),
  });
  client.on('error', () => undefined); // reported below
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms))),
    ]);
  } catch (err) {
    throw new BuildError(where, 'redis', `cannot reach Redis at ${shown.href} within ${ms} ms (${(err as Error).message})`, 'start redis-server there (apt-get install -y redis-server), or fix the URL, host, port or password');
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** Progress of a queued sweep. */
export interface QueueProgress {
  readonly total: number;
  /** Jobs with a result (completed or finally failed). */
  readonly done: number;
  /** Jobs being run by a worker right now. */
  readonly active: number;
  /** Jobs waiting for a worker (including those waiting out a retry's backoff). */
  readonly waiting: number;
}

/** Options of {@link redisQueue}. */
export interface RedisQueueOptions {
  /** Redis URL, e.g. 'redis://127.0.0.1:6379'. */
  readonly redis: string;
  /** Queue name, the same as the workers' (default 'braints-sweep'). */
  readonly queue?: string;
  /** The sweep's id (default: random). Giving the id of an interrupted sweep resumes it: finished jobs are not run again. */
  readonly sweepId?: string;
  /** Attempts per job before it is recorded as failed (default 3); a model error (BuildError, divergence) is not retried. */
  readonly attempts?: number;
  /** First retry delay in ms, doubling each retry (default 1000). */
  readonly backoffMs?: number;
  /** Keep the jobs in Redis after the sweep (default false: they are removed once collected). */
  readonly keepJobs?: boolean;
  /** How often (ms) to report progress and re-read Redis for results not yet seen (default 1000). */
  readonly pollMs?: number;
  /** Called every pollMs while the sweep runs. */
  readonly onProgress?: (p: QueueProgress) => void;
  /** Give up if Redis cannot be reached within this many ms at the start (default 10 000). */
  readonly connectTimeoutMs?: number;
}

function positiveInt(x: unknown, where: string, field: string, dflt: number, example: string): number {
  if (x === undefined) return dflt;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) throw new BuildError(where, field, `expected a whole number ≥ 1, got ${String(x)}`, `give e.g. ${field}: ${example}`);
  return x;
}

/**
 * A sweep runner that puts the jobs on a BullMQ queue in Redis for workers on any machines
 * (`node dist/src/node/sweep_worker.js --redis URL --module experiments.js`).
 *
 * @example
 * const table = await sweep('coba', grid({ we: [4, 6, 8] }, { seeds: 10 }), { runner: redisQueue({ redis: 'redis://head-node:6379' }) });
 */
export function redisQueue(options: RedisQueueOptions): SweepRunner & { readonly sweepId: string } {
  const where = 'redisQueue';
  if (!options || typeof options !== 'object') throw new BuildError(where, 'options', 'expected { redis: URL }', "write redisQueue({ redis: 'redis://127.0.0.1:6379' })");
  const url = checkRedisUrl(options.redis, where);
  const queueName = checkQueueName(options.queue ?? DEFAULT_SWEEP_QUEUE, where);
  const sweepId = options.sweepId ?? randomBytes(6).toString('hex');
  if (typeof sweepId !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(sweepId)) throw new BuildError(where, 'sweepId', 'expected 1 to 64 letters and digits', "write e.g. sweepId: 'cobaGrid1'");
  const attempts = positiveInt(options.attempts, where, 'attempts', 3, '3');
  const backoffMs = positiveInt(options.backoffMs, where, 'backoffMs', 1000, '1000');
  const pollMs = positiveInt(options.pollMs, where, 'pollMs', 1000, '1000');
  const connectTimeoutMs = positiveInt(options.connectTimeoutMs, where, 'connectTimeoutMs', 10_000, '10000');
  const prefix = `${sweepId}-`;
  return {
    label: `Redis queue '${queueName}', sweep ${sweepId}`,
    sweepId,
    async run(request, deliver) {
      await reachRedis(url, connectTimeoutMs, where);
      const connection = { url, maxRetriesPerRequest: null };
      const queue = new Queue<SweepJobData, SweepJobResult>(queueName, { connection });
      const events = new QueueEvents(queueName, { connection });
      const total = request.points.length;
      const delivered = new Uint8Array(total);
      let done = 0;
      const give = (job: number, outcome: JobOutcome) => {
        if (delivered[job]) return; // the first result counts
        delivered[job] = 1;
        done++;
        deliver(job, outcome);
      };
      const jobOf = (id: string | undefined): number | undefined => {
        if (!id || !id.startsWith(prefix)) return undefined;
        const n = Number(id.slice(prefix.length));
        return Number.isInteger(n) && n >= 0 && n < total ? n : undefined;
      };
      const failure = (reason: string | undefined): JobOutcome => ({ ok: false, error: reason || 'failed', deterministic: false });
      /** Reads a job's final state from Redis; delivers it if finished. */
      const settle = async (job: number, j?: Job<SweepJobData, SweepJobResult> | null) => {
        if (delivered[job]) return;
        j ??= await queue.getJob(prefix + job);
        if (!j) return;
        const state = await j.getState();
        if (state === 'completed') {
          const m = decodeMetrics(j.returnvalue);
          give(job, m ? { ok: true, metrics: m } : failure('the worker returned no metrics'));
        } else if (state === 'failed') {
          give(job, failure(j.failedReason));
        }
      };
      try {
        await events.waitUntilReady(); // listen before adding, so no event is missed
        let lastEvent = Date.now();
        events.on('completed', ({ jobId, returnvalue }) => {
          const job = jobOf(jobId);
          if (job === undefined) return;
          lastEvent = Date.now();
          const m = decodeMetrics(returnvalue);
          if (m) give(job, { ok: true, metrics: m });
          else void settle(job).catch(() => undefined);
        });
        events.on('failed', ({ jobId }) => {
          const job = jobOf(jobId);
          if (job === undefined) return;
          lastEvent = Date.now();
          // 'failed' is also sent for an attempt that will be retried: only the final state counts
          void settle(job).catch(() => undefined);
        });
        const opts: JobsOptions = { attempts, backoff: { type: 'exponential', delay: backoffMs }, removeOnComplete: false, removeOnFail: false };
        const add = async (points: readonly { job: number; params: SweepParams; seed: number }[]) => {
          for (let k = 0; k < points.length; k += 1000) {
            // a job id that exists already is not added again (this is what makes a resumed sweep skip finished jobs)
            await queue.addBulk(
              points.slice(k, k + 1000).map((p) => ({
                name: request.experiment,
                data: { format: 'braints-sweep-job', version: 1, sweep: sweepId, job: p.job, experiment: request.experiment, params: { ...p.params }, seed: p.seed },
                opts: { ...opts, jobId: prefix + p.job },
              })),
            );
          }
        };
        await add(request.points);
        // results already in Redis (a resumed sweep)
        for (const p of request.points) await settle(p.job);
        while (done < total) {
          await new Promise((r) => setTimeout(r, pollMs));
          const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
          options.onProgress?.({ total, done, active: counts.active ?? 0, waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0) });
          if (Date.now() - lastEvent >= pollMs) {
            // quiet: re-read what Redis says about the jobs still without a result, and re-add any
            // that Redis lost (a restart without persistence)
            const lost: typeof request.points[number][] = [];
            for (const p of request.points) {
              if (delivered[p.job]) continue;
              const j = await queue.getJob(prefix + p.job);
              if (!j) lost.push(p);
              else await settle(p.job, j);
            }
            if (lost.length) await add(lost);
          }
        }
        // the final state, always reported (however fast the jobs ran)
        options.onProgress?.({ total, done, active: 0, waiting: 0 });
      } finally {
        if (!options.keepJobs) {
          for (let j = 0; j < total; j++) await queue.remove(prefix + j).catch(() => 0);
        }
        await events.close().catch(() => undefined);
        await queue.close().catch(() => undefined);
      }
    },
  };
}
