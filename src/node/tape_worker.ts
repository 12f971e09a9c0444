/**
 * A worker thread of the step engine's training lowering (src/backends/engine/tape.ts):
 * instantiates the module on the shared memory, then, each time the main thread bumps the command
 * sequence word, runs its parts of the batch (w, w + threads, …) through the forward or reverse
 * pass, until told to quit. Started by the runtime; not an API.
 */
import { workerData } from 'node:worker_threads';
import { TAPE_CONTROL as C, TAPE_COMMAND } from '../backends/engine/tape.js';
import { serveCommands } from './command_loop.js';

interface Data {
  readonly module: object;
  readonly memory: { buffer: SharedArrayBuffer };
  readonly ctl: number;
  readonly w: number;
  readonly threads: number;
  readonly seq: number;
}

type Pass = (B: number, b0: number, b1: number, p: number) => void;
const { module, memory, ctl, w, threads, seq } = workerData as Data;
const I = new Int32Array(memory.buffer, ctl, 16);
const W = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;

let forward: Pass;
let backward: Pass;
serveCommands(
  I,
  C,
  seq,
  () => {
    const ex = new W.Instance(module, { env: { memory } }).exports;
    forward = ex.forward as Pass;
    backward = ex.backward as Pass;
  },
  () => {
    const B = Atomics.load(I, C.BATCH);
    const P = Atomics.load(I, C.PARTS);
    const pass = Atomics.load(I, C.CMD) === TAPE_COMMAND.FORWARD ? forward : backward;
    for (let p = w; p < P; p += threads) pass(B, Math.floor((p * B) / P), Math.floor(((p + 1) * B) / P), p);
  },
);
