/**
 * A worker thread of the step engine (src/engine/engine.ts): instantiates the engine's module on
 * the shared memory, then runs `run(n0, n1, w)` each time the main thread bumps the command
 * sequence word, until told to quit. Started by the engine; not an API.
 */
import { workerData } from 'node:worker_threads';
import { ENGINE_CONTROL as C, engineImports } from '../engine/engine.js';

interface Data {
  readonly module: object;
  readonly memory: { buffer: SharedArrayBuffer };
  readonly ctl: number;
  readonly w: number;
  readonly line: number;
  /** Line of the control block where this thread's run result goes. */
  readonly resultLine: number;
  /** The command sequence number when this worker was started (commands after it are new). */
  readonly seq: number;
}

const { module, memory, ctl, w, line, resultLine, seq } = workerData as Data;
const I = new Int32Array(memory.buffer);
const at = (word: number) => (ctl + word * line) >> 2;
const W = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;

let run: (n0: number, n1: number, w: number) => number;
try {
  run = new W.Instance(module, { env: { memory, ...engineImports(I) } }).exports.run as typeof run;
} catch (err) {
  Atomics.store(I, at(C.ABORT), 1);
  Atomics.notify(I, at(C.READY));
  console.error(err);
  throw err;
}
Atomics.add(I, at(C.READY), 1);
Atomics.notify(I, at(C.READY));

let seen = seq;
for (;;) {
  Atomics.wait(I, at(C.SEQ), seen);
  seen = Atomics.load(I, at(C.SEQ));
  if (Atomics.load(I, at(C.QUIT)) !== 0) {
    Atomics.add(I, at(C.DONE), 1);
    Atomics.notify(I, at(C.DONE));
    break;
  }
  let r: number;
  try {
    r = run(Atomics.load(I, at(C.N0)), Atomics.load(I, at(C.N1)), w);
  } catch (err) {
    Atomics.store(I, at(C.ABORT), 1);
    Atomics.notify(I, at(C.GEN));
    r = -1;
    console.error(err);
  }
  Atomics.store(I, at(resultLine), r);
  Atomics.add(I, at(C.DONE), 1);
  Atomics.notify(I, at(C.DONE));
}
