/**
 * The sweep worker as a command (`npx braints worker --redis URL`, and `node
 * dist/src/node/sweep_worker.js`): its options, and an action that starts
 * {@link runSweepWorker} until SIGINT/SIGTERM or, with --idle-exit, an empty queue. The worker
 * module (BullMQ, Redis) is loaded only when the command runs.
 */
import { Command, Option } from 'commander';

/**
 * The worker command.
 *
 * @example
 * program.addCommand(sweepWorkerCommand());
 */
export function sweepWorkerCommand(name = 'worker'): Command {
  return new Command(name)
    .description('pull BrainTS sweep jobs from a BullMQ queue on Redis and run them (see docs/scaling.md)')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', "queue name (default 'braints-sweep', the coordinator's)")
    .option('--module <path...>', 'module(s) that register experiments (repeatable)', [])
    .addOption(new Option('--concurrency <n>', 'jobs at once, each in its own process').default('1'))
    .addOption(new Option('--lock-ms <ms>', 'job lock duration: a dead worker\u2019s job is re-run after about this long').default('30000'))
    .addOption(new Option('--stalled-ms <ms>', 'how often to look for jobs of dead workers').default('30000'))
    .option('--idle-exit <ms>', 'stop after this long without jobs (batch allocations, e.g. a Slurm array)')
    .option('--quiet', 'print nothing per job')
    .action(async (o: { redis: string; queue?: string; module: string[]; concurrency: string; lockMs: string; stalledMs: string; idleExit?: string; quiet?: boolean }) => {
      const { runSweepWorker } = await import('./sweep_worker.js');
      const handle = await runSweepWorker({
        redis: o.redis,
        queue: o.queue,
        modules: o.module,
        concurrency: Number(o.concurrency),
        lockDurationMs: Number(o.lockMs),
        stalledIntervalMs: Number(o.stalledMs),
        idleExitMs: o.idleExit === undefined ? undefined : Number(o.idleExit),
        log: o.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
      });
      const stop = () => void handle.close();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      await handle.stopped;
      process.exit(0);
    });
}
