/**
 * The body of a browser worker thread of the step engine: waits for the engine's message (its
 * module, shared memory and place), then serves the engine's commands with the same loop as
 * Node's threads (src/engine/thread_loop.ts), reporting a failure through a shared mailbox.
 */
import { EngineThreadLoop } from '../engine/thread_loop.js';
import type { EngineThreadData } from '../engine/threads.js';
import { post } from './mailbox.js';

interface WorkerScope {
  onmessage: ((ev: { data: unknown }) => void) | null;
  close(): void;
}

/**
 * Makes this Web Worker an engine thread (the whole of the script `useWebWorkerThreads` names).
 *
 * @example
 * // engine_thread.ts, bundled as its own entry
 * import { serveEngineThread } from 'braints/web';
 * serveEngineThread();
 */
export function serveEngineThread(): void {
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = (ev) => {
    scope.onmessage = null;
    const { data, mailbox } = ev.data as { data: EngineThreadData; mailbox: SharedArrayBuffer };
    const loop = new EngineThreadLoop(data, { report: (m) => post(mailbox, m) });
    try {
      loop.serve();
    } catch (err) {
      // an uncaught error ends a browser worker silently for the engine: the same as Node's exit hook
      loop.exited(1);
      throw err;
    }
    scope.close();
  };
}
