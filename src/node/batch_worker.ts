/**
 * A worker thread of a batched run (src/engine/batch.ts): instantiates the batch's module on the
 * shared memory, then, each time the main thread bumps the command sequence word, runs its copies
 * (w, w + threads, …) from their start step towards their end step, until told to quit. Started by
 * the batch; not an API.
 */
import { workerData } from 'node:worker_threads';
import { BATCH_CONTROL as C } from '../engine/batch.js';
import { serveCommands } from './command_loop.js';

interface Data {
  readonly module: object;
  readonly memory: { buffer: SharedArrayBuffer };
  readonly ctl: number;
  readonly w: number;
  readonly threads: number;
  readonly copies: number;
  readonly seq: number;
}

type Run = (n0: number, n1: number, w: number) => number;
const { module, memory, ctl, w, threads, copies, seq } = workerData as Data;
const I = new Int32Array(memory.buffer, ctl, C.COPIES + 4 * copies);
const W = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;

const runs: Run[] = [];
serveCommands(
  I,
  C,
  seq,
  () => {
    const ex = new W.Instance(module, { env: { memory } }).exports;
    for (let c = w; c < copies; c += threads) runs[c] = ex[`run${c}`] as Run;
  },
  () => {
    for (let c = w; c < copies; c += threads) {
      const at = C.COPIES + 4 * c;
      if (I[at] < I[at + 1]) I[at + 2] = runs[c](I[at], I[at + 1], 0);
    }
  },
);
