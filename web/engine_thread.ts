/**
 * One worker thread of the step engine (threads > 1), started by the playground's Worker through
 * `useWebWorkerThreads` (see web/worker.ts): the whole script is the library's thread loop.
 * Bundled as its own entry by web/build.mjs.
 */
import { serveEngineThread } from '../src/web/thread_worker.js';

serveEngineThread();
