/**
 * A worker thread of a batched run (src/engine/batch.ts): instantiates the batch's module on the
 * shared memory, then, each time the main thread bumps the command sequence word, claims and runs
 * copies from their start step towards their end step until none is left, until told to quit.
 * Started by the batch; not an API.
 */
import { workerData } from 'node:worker_threads';
import { BATCH_CONTROL as C, COPY_WORDS, claimCopies } from '../engine/batch.js';
import { serveCommands } from './command_loop.js';

interface Data {
  readonly module: object;
  readonly memory: { buffer: SharedArrayBuffer };
  readonly ctl: number;
  readonly copies: number;
  readonly seq: number;
}

type Run = (n0: number, n1: number, w: number) => number;
const { module, memory, ctl, copies, seq } = workerData as Data;
const I = new Int32Array(memory.buffer, ctl, C.COPIES + COPY_WORDS * copies);
const W = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;

const runs: Run[] = [];
serveCommands(
  I,
  C,
  seq,
  () => {
    const ex = new W.Instance(module, { env: { memory } }).exports;
    for (let c = 0; c < copies; c++) runs[c] = ex[`run${c}`] as Run;
  },
  () => claimCopies(I, runs),
);
