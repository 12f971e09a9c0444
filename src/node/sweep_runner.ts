/**
 * Running sweep jobs in child processes: {@link ChildRunner} (one child, one job at a time) and
 * {@link processPool} (a sweep runner over N children on this machine, no Redis). A child that
 * dies mid-job is replaced and its job run again on another child; the table is the same for any
 * number of processes because every job depends only on its parameters and seed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { BuildError } from '../lang/errors.js';
import type { JobOutcome } from '../sweep/experiment.js';
import type { SweepParams, SweepPoint } from '../sweep/space.js';
import type { SweepRunner } from '../sweep/sweep.js';
import { moduleSpecifiers, type ModuleRef } from './sweep_modules.js';

/** Messages to a child. */
export type ChildRequest =
  | { readonly type: 'init'; readonly modules: readonly string[] }
  | { readonly type: 'job'; readonly id: number; readonly experiment: string; readonly params: SweepParams; readonly seed: number };
/** Messages from a child. */
export type ChildReply =
  | { readonly type: 'ready'; readonly experiments: readonly string[] }
  | { readonly type: 'fatal'; readonly error: string }
  | { readonly type: 'done'; readonly id: number; readonly outcome: JobOutcome };

/** The child process died (killed, out of memory, crashed) before answering. */
export class ChildDiedError extends Error {
  constructor(readonly pid: number | undefined, readonly code: number | null, readonly signal: NodeJS.Signals | null) {
    super(`sweep worker process ${pid ?? '?'} died (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    this.name = 'ChildDiedError';
  }
}

const CHILD = new URL('./sweep_child.js', import.meta.url);

/** One child process that runs jobs one at a time. */
export class ChildRunner {
  private readonly child: ChildProcess;
  private pending: { id: number; resolve: (o: JobOutcome) => void; reject: (e: Error) => void } | undefined;
  private nextId = 1;
  private dead: ChildDiedError | undefined;
  /** Experiments the child's modules registered. */
  experiments: readonly string[] = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on('exit', (code, signal) => {
      this.dead = new ChildDiedError(child.pid, code, signal);
      const p = this.pending;
      this.pending = undefined;
      p?.reject(this.dead);
    });
    child.on('message', (m: ChildReply) => {
      if (m.type === 'done' && this.pending && this.pending.id === m.id) {
        const p = this.pending;
        this.pending = undefined;
        p.resolve(m.outcome);
      }
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts a child and imports `modules` in it (file: URLs or package names, see moduleSpecifiers). */
  static start(modules: readonly string[]): Promise<ChildRunner> {
    // advanced serialization: NaN metrics survive the trip; execArgv [] keeps test-runner flags out
    const child = fork(CHILD, [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const runner = new ChildRunner(child);
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => reject(new ChildDiedError(child.pid, code, signal));
      child.once('exit', onExit);
      child.on('message', function first(m: ChildReply) {
        if (m.type !== 'ready' && m.type !== 'fatal') return;
        child.off('message', first);
        child.off('exit', onExit);
        if (m.type === 'fatal') {
          child.kill();
          reject(new BuildError('sweep worker process', 'modules', `importing the experiment modules failed: ${m.error}`, 'check the module paths and that each module loads on its own'));
        } else {
          runner.experiments = m.experiments;
          resolve(runner);
        }
      });
      child.send({ type: 'init', modules } satisfies ChildRequest);
    });
  }

  /** Runs one job; rejects with {@link ChildDiedError} if the child dies first. */
  run(experiment: string, params: SweepParams, seed: number): Promise<JobOutcome> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error('ChildRunner: one job at a time'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.child.send({ type: 'job', id, experiment, params, seed } satisfies ChildRequest);
    });
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Stops the child. */
  close(): void {
    if (!this.dead) this.child.kill();
  }
}

/** Options of {@link processPool}. */
export interface ProcessPoolOptions {
  /** Child processes (default: the machine's available parallelism). */
  readonly processes?: number;
  /** Modules that register the experiments (each child imports them). */
  readonly modules?: readonly ModuleRef[];
  /** Times a job may take its process down before it is recorded as failed (default 2). */
  readonly maxCrashes?: number;
  /** Called with the pid of each child when it starts (for monitoring and tests). */
  readonly onStart?: (pid: number | undefined) => void;
}

/**
 * A sweep runner over child processes on this machine. Jobs go to whichever child is free; rows
 * come back in job order, identical for any number of processes.
 *
 * @example
 * const table = await sweep('coba', space, { runner: processPool({ processes: 4, modules: ['./dist/experiments.js'] }) });
 */
export function processPool(options: ProcessPoolOptions = {}): SweepRunner {
  const where = 'processPool';
  const n = options.processes ?? Math.max(1, availableParallelism());
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new BuildError(where, 'processes', `expected a whole number in [1, 1024], got ${String(n)}`, 'give e.g. processes: 4');
  const maxCrashes = options.maxCrashes ?? 2;
  if (!Number.isInteger(maxCrashes) || maxCrashes < 1) throw new BuildError(where, 'maxCrashes', `expected a whole number ≥ 1, got ${String(maxCrashes)}`, 'give e.g. maxCrashes: 2');
  const modules = moduleSpecifiers(options.modules, where);
  return {
    label: `process pool (${n})`,
    async run(request, deliver) {
      const queue: SweepPoint[] = [...request.points];
      const crashes = new Map<number, number>();
      const start = async () => {
        const c = await ChildRunner.start(modules);
        options.onStart?.(c.pid);
        if (!c.experiments.includes(request.experiment)) {
          c.close();
          throw new BuildError(where, 'modules', `no module registers the experiment '${request.experiment}' (registered: ${c.experiments.map((e) => `'${e}'`).join(', ') || 'none'})`, 'add the module that calls registerExperiment to modules');
        }
        return c;
      };
      const lane = async () => {
        let child = await start();
        try {
          for (let p = queue.shift(); p; p = queue.shift()) {
            try {
              deliver(p.job, await child.run(request.experiment, p.params, p.seed));
            } catch (err) {
              if (!(err instanceof ChildDiedError)) throw err;
              const k = (crashes.get(p.job) ?? 0) + 1;
              crashes.set(p.job, k);
              if (k >= maxCrashes) deliver(p.job, { ok: false, error: `${err.message} while running this job, ${k} times`, deterministic: false });
              else queue.push(p); // run it again, on whichever process is free next
              child = await start();
            }
          }
        } finally {
          child.close();
        }
      };
      const guarded = () =>
        lane().catch((err) => {
          queue.length = 0; // the other lanes finish their current job and stop
          throw err;
        });
      await Promise.all(Array.from({ length: Math.min(n, queue.length) }, guarded));
    },
  };
}
