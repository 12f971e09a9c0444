/**
 * The command line's run loop: the network advances in chunks of steps, and between chunks the
 * event loop turns, so a SIGINT is seen at a step boundary. The spikes are those of one
 * uninterrupted run: the network's state carries over from chunk to chunk.
 */
import { type Network } from '../core/network.js';
import { type ProgressReporter } from '../runner/progress.js';
import { type StopRequest } from './interrupt.js';

/** What {@link runInChunks} did. */
export interface ChunkedRun {
  /** Steps simulated. */
  readonly steps: number;
  /** Steps asked for. */
  readonly requested: number;
  /** Whether a stop request ended the run early. */
  readonly interrupted: boolean;
  /** Wall-clock seconds in the simulation. */
  readonly seconds: number;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `steps` steps of a built network, `chunk` at a time, reporting progress and stopping
 * early at a step boundary when `stop.requested` becomes true.
 *
 * @example
 * const r = await runInChunks(net, 10000, { progress: terminalProgress(), stop: new StopRequest().install() });
 */
export async function runInChunks(net: Network, steps: number, o: { progress?: ProgressReporter; stop?: StopRequest; chunk?: number; label?: string }): Promise<ChunkedRun> {
  const chunk = Math.max(1, Math.floor(o.chunk ?? Math.min(1000, Math.ceil(steps / 100))));
  const dt = net.dt;
  let done = 0;
  let seconds = 0;
  o.progress?.start(steps, o.label ?? net.name);
  try {
    while (done < steps && !o.stop?.requested) {
      const n = Math.min(chunk, steps - done);
      // the duration of n steps: the network rounds it back to exactly n
      const r = net.run(`${n * dt} s`);
      if (r.steps !== n) throw new Error(`internal: asked for ${n} steps, the network ran ${r.steps}`);
      seconds += r.seconds;
      done += n;
      o.progress?.update(done);
      await turn();
    }
  } finally {
    o.progress?.stop();
  }
  return { steps: done, requested: steps, interrupted: done < steps, seconds };
}
