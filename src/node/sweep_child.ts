/**
 * A child process that runs sweep jobs (started by {@link ChildRunner}; not an API). It imports the
 * modules it is given (which register experiments), then runs one job per message: the message
 * names a registered experiment and carries parameter values and a seed — never code.
 */
import { getExperiment, registeredExperiments, runJob, type JobOutcome } from '../sweep/experiment.js';
import { importModules } from './sweep_modules.js';
import type { ChildReply, ChildRequest } from './sweep_runner.js';

// If the parent died while a job ran, there is nobody to answer: exit instead of raising EPIPE.
const send = (m: ChildReply) => {
  if (!process.connected) process.exit(0);
  process.send!(m, undefined, {}, (err) => {
    if (err) process.exit(0);
  });
};

// The parent is gone (it exited or was killed): stop, so that no orphan keeps computing.
process.on('disconnect', () => process.exit(0));

process.on('message', async (msg: ChildRequest) => {
  if (msg.type === 'init') {
    try {
      await importModules(msg.modules);
      send({ type: 'ready', experiments: registeredExperiments() });
    } catch (err) {
      send({ type: 'fatal', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
    return;
  }
  if (msg.type === 'job') {
    let outcome: JobOutcome;
    try {
      outcome = runJob(getExperiment(msg.experiment), msg.params, msg.seed);
    } catch (err) {
      outcome = { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), deterministic: true };
    }
    send({ type: 'done', id: msg.id, outcome });
  }
});
