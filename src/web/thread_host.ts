/**
 * The step engine's worker threads in a browser: Web Workers that run the script at a URL (one
 * that calls `serveEngineThread`, see ./thread_worker.ts). They need SharedArrayBuffer, that is a
 * cross-origin isolated page (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`), and the network must run in a Worker itself,
 * since the engine blocks (Atomics.wait) at its barriers, which a page's main thread may not.
 */
import { setEngineThreadHost, type EngineThreadHost } from '../engine/threads.js';
import { newMailbox, take } from './mailbox.js';

interface BrowserWorker {
  postMessage(m: unknown): void;
  terminate(): void;
  onerror: ((e: { message?: string; preventDefault?(): void }) => void) | null;
}
type WorkerConstructor = new (url: string | URL, options: { type: 'module' }) => BrowserWorker;

/**
 * Why the engine cannot run worker threads here, or undefined when it can.
 *
 * @example
 * const why = webThreadsUnavailable(); if (why) console.log(`one thread: ${why}`);
 */
export function webThreadsUnavailable(): string | undefined {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof g.Worker !== 'function') return 'Web Workers are not available here';
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return 'SharedArrayBuffer is unavailable: the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  return undefined;
}

/**
 * A host that starts each engine thread as a module Web Worker running `url`.
 *
 * @example
 * const host = webWorkerThreadHost(new URL('./engine_thread.js', import.meta.url));
 */
export function webWorkerThreadHost(url: string | URL): EngineThreadHost {
  return {
    startsWhileBlocked: false,
    spawn(data) {
      const why = webThreadsUnavailable();
      if (why) throw new Error(`threads > 1: ${why}; use threads: 1`);
      if ((globalThis as { document?: unknown }).document !== undefined) {
        throw new Error("threads > 1: run the network in a Web Worker: the engine's thread 0 blocks at every step's barrier (Atomics.wait), which a page's main thread may not do");
      }
      const worker = new (globalThis as unknown as { Worker: WorkerConstructor }).Worker(url, { type: 'module' });
      const mailbox = newMailbox();
      // a script that fails to load or throws at the top never reaches the loop: say so where the engine looks
      let lost: string | undefined;
      worker.onerror = (e) => {
        lost ??= `could not start (${e.message || `the script ${String(url)} failed to load`})`;
        e.preventDefault?.();
      };
      worker.postMessage({ data, mailbox });
      return {
        terminate: () => worker.terminate(),
        takeMessages: () => {
          const m = take(mailbox) ?? lost;
          lost = undefined;
          return m === undefined ? [] : [m];
        },
      };
    },
  };
}

/**
 * Runs the step engine's worker threads (threads > 1) as Web Workers from now on. `url` is the
 * worker script: a module whose only statement is `serveEngineThread()` (from braints/web),
 * bundled as its own entry. Then `await net.startThreads()` before `net.run`, inside a Worker.
 *
 * @example
 * useWebWorkerThreads(new URL('./engine_thread.js', import.meta.url));
 * const { net } = loadModelText(text, { threads: 2 });
 * await net.startThreads();
 * net.run('1 s');
 */
export function useWebWorkerThreads(url: string | URL): void {
  setEngineThreadHost(webWorkerThreadHost(url));
}
