/**
 * The browser entry (`braints/web`): everything in 'braints' (equations, networks, the step
 * engine, training, analysis, SVG plots, model files read from text), and the step engine's
 * threads as Web Workers. It imports nothing from Node.js, so any bundler can take it as is;
 * test/package.test.ts checks that.
 */
export * from './index.js';
export { useWebWorkerThreads, webThreadsUnavailable } from './web/thread_host.js';
export { serveEngineThread } from './web/thread_worker.js';
