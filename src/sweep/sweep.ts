/**
 * `sweep()`: runs an experiment over a parameter space and returns the result table. Where the
 * jobs run is a {@link SweepRunner}: this process (default), a local process pool or a BullMQ
 * queue on Redis (both in 'braints/node'). Each job is seeded by its own seed and parameters only,
 * so the table is the same for any runner and any number of processes.
 */
import { BuildError } from '../lang/errors.js';
import type { ProgressReporter } from '../runner/progress.js';
import { checkSweepParams, defineExperiment, getExperiment, registeredExperiments, runJob, type AnyExperiment, type JobOutcome } from './experiment.js';
import { SweepCollector, type SweepTable } from './table.js';
import type { SweepPoint, SweepSpace } from './space.js';

/** What a runner is asked to run. */
export interface SweepRequest {
  /** The experiment's registered name: all that crosses a process boundary. */
  readonly experiment: string;
  /** The experiment itself, when this process has it (the in-process runner needs it). */
  readonly local: AnyExperiment | undefined;
  readonly points: readonly SweepPoint[];
  /** Metric names, when known here. */
  readonly metrics: readonly string[] | undefined;
}

/** Runs jobs somewhere and reports each outcome (an outcome may be reported twice; the first one counts). */
export interface SweepRunner {
  /** For messages, e.g. 'process pool (4)'. */
  readonly label: string;
  run(request: SweepRequest, deliver: (job: number, outcome: JobOutcome) => void): Promise<void>;
}

/** Options of {@link sweep}. */
export interface SweepOptions {
  /** Where jobs run (default: this process, one job after another). */
  readonly runner?: SweepRunner;
  /** Progress in jobs done (e.g. `terminalProgress({ unit: 'jobs' })` from 'braints/node'). */
  readonly progress?: ProgressReporter | null;
  /** Called as each job's first outcome arrives (in completion order). */
  readonly onResult?: (point: SweepPoint, outcome: JobOutcome) => void;
  /** Throw a BuildError listing the failed jobs instead of returning a table with ok = 0 rows (default false). */
  readonly throwOnFailure?: boolean;
}

/** Runs every job in this process, in job order. */
export function inProcess(): SweepRunner {
  return {
    label: 'in-process',
    async run(request, deliver) {
      const e = request.local ?? getExperiment(request.experiment);
      for (const p of request.points) {
        deliver(p.job, runJob(e, p.params, p.seed));
        // let timers (a progress bar, a queue's heartbeat) run between jobs
        await new Promise<void>((r) => setTimeout(r, 0));
      }
    },
  };
}

function checkSpace(space: unknown): SweepSpace {
  const s = space as SweepSpace;
  if (!s || typeof s !== 'object' || !Array.isArray(s.names) || !Array.isArray(s.points)) {
    throw new BuildError('sweep', 'space', 'expected a parameter space', 'build one with grid({...}) or randomSearch({...}, { samples })');
  }
  if (s.points.length === 0) throw new BuildError('sweep', 'space', 'the space has no jobs', 'give at least one value per parameter');
  s.points.forEach((p, k) => {
    if (!p || p.job !== k) throw new BuildError('sweep', `space.points[${k}]`, 'jobs must be numbered 0, 1, 2… in order', 'build the space with grid() or randomSearch()');
  });
  return s;
}

/**
 * Runs `experiment` (an experiment, or the name of a registered one) at every point of `space`
 * and returns the table: one row per job in job order, one typed column per parameter and metric.
 *
 * @example
 * const table = await sweep(coba, grid({ we: [4, 6, 8] }, { seeds: 3 }));
 * console.log(table.column('rate'));
 * await writeFile('sweep.arrow', await table.toArrow());
 */
export async function sweep(experiment: AnyExperiment | string, space: SweepSpace, options: SweepOptions = {}): Promise<SweepTable> {
  const sp = checkSpace(space);
  let local: AnyExperiment | undefined;
  let name: string;
  if (typeof experiment === 'string') {
    name = experiment;
    if (registeredExperiments().includes(name)) local = getExperiment(name);
  } else {
    local = defineExperiment(experiment);
    name = local.name;
  }
  if (local) checkSweepParams(local, sp.names);
  const runner = options.runner ?? inProcess();
  if (!runner || typeof runner.run !== 'function') throw new BuildError('sweep', 'runner', 'expected a sweep runner', 'use inProcess(), processPool({...}) or redisQueue({...})');
  const metrics = local ? Object.keys(local.metrics) : undefined;
  const collector = new SweepCollector(sp, metrics);
  const progress = options.progress ?? undefined;
  progress?.start(sp.points.length, `sweep '${name}' (${runner.label})`);
  try {
    await runner.run({ experiment: name, local, points: sp.points, metrics }, (job, outcome) => {
      if (!collector.accept(job, outcome)) return;
      progress?.update(collector.done);
      options.onResult?.(sp.points[job], outcome);
    });
  } finally {
    progress?.stop();
  }
  const table = collector.table();
  if (options.throwOnFailure && table.failed > 0) {
    const [job, msg] = [...table.errors][0];
    throw new BuildError(`sweep '${name}'`, 'jobs', `${table.failed} of ${table.rows} jobs failed; the first, job ${job}: ${msg}`, 'fix the experiment or its parameter range');
  }
  return table;
}
