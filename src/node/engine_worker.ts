/**
 * A worker thread of the step engine in Node.js: the platform-neutral loop of
 * src/engine/thread_loop.ts, reporting failures on this worker's port, with an exit hook that
 * tells the engine when the thread ends during a run (process.exit, an uncaught error). Started
 * by the engine's Node host (src/engine/threads.ts); not an API.
 */
import { workerData } from 'node:worker_threads';
import { EngineThreadLoop } from '../engine/thread_loop.js';
import type { EngineThreadData } from '../engine/threads.js';

const { port, ...data } = workerData as EngineThreadData & { readonly port: { postMessage(m: unknown): void; close(): void } };
const loop = new EngineThreadLoop(data, { report: (m) => port.postMessage(m), exit: (code) => process.exit(code) });
process.on('exit', (code) => loop.exited(code));
loop.serve();
port.close();
