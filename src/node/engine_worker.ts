/**
 * A worker thread of the step engine (src/engine/engine.ts): instantiates the engine's module on
 * the shared memory, then runs `run(n0, n1, w)` each time the main thread bumps the command
 * sequence word, until told to quit. Started by the engine; not an API.
 *
 * Faults: an exception (or WebAssembly trap) in `run` sets the abort word, which every thread
 * checks while it waits at a barrier, and reports its message on this worker's port; the thread
 * then ends. A thread that ends for any other reason (process.exit, an uncaught error) does the
 * same from its exit hook. A worker of an older epoch (the engine abandoned it) quits without
 * touching the memory.
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
  /** The engine's epoch when this worker was started. */
  readonly epoch: number;
  readonly port: { postMessage(m: unknown): void; close(): void };
  /** Test only: fail when about to simulate `step`. */
  readonly fault?: { readonly step: number; readonly kind: 'throw' | 'exit' | 'hang' | 'trap' };
}

const { module, memory, ctl, w, line, resultLine, seq, epoch, port, fault } = workerData as Data;
const I = new Int32Array(memory.buffer);
const at = (word: number) => (ctl + word * line) >> 2;
const W = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> }; Module: new (b: Uint8Array) => object } }).WebAssembly;
const current = () => Atomics.load(I, at(C.EPOCH)) === epoch;

let reported = false;
/** Marks this thread failed (first failure wins), aborts every barrier, reports the cause. */
function fail(message: string): void {
  if (reported || !current()) return;
  reported = true;
  Atomics.compareExchange(I, at(C.FAULT), 0, w);
  Atomics.store(I, at(C.ABORT), 1);
  Atomics.notify(I, at(C.GEN));
  Atomics.notify(I, at(C.READY));
  port.postMessage(message);
}

let quitting = false;
process.on('exit', (code) => {
  if (quitting || !current()) return;
  fail(`exited (code ${code}) during a run`);
  Atomics.add(I, at(C.EXITED), 1);
  Atomics.notify(I, at(C.DONE));
});

let run: (n0: number, n1: number, w: number) => number;
try {
  run = new W.Instance(module, { env: { memory, ...engineImports(I) } }).exports.run as typeof run;
} catch (err) {
  fail(`could not start: ${(err as Error).message}`);
  throw err;
}
Atomics.add(I, at(C.READY), 1);
Atomics.notify(I, at(C.READY));

/** Test only: the injected fault. */
function injected(kind: NonNullable<Data['fault']>['kind'], step: number): never {
  if (kind === 'exit') process.exit(7);
  if (kind === 'hang') for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  if (kind === 'trap') {
    // a module whose only function is `unreachable`: a real WebAssembly trap
    const bytes = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 5, 1, 3, 0, 0, 11);
    (new W.Instance(new W.Module(bytes), {}).exports.f as () => void)();
  }
  throw new Error(`injected fault at step ${step}`);
}

let seen = seq;
for (;;) {
  Atomics.wait(I, at(C.SEQ), seen);
  if (!current()) break;
  seen = Atomics.load(I, at(C.SEQ));
  if (Atomics.load(I, at(C.QUIT)) !== 0) {
    quitting = true;
    Atomics.add(I, at(C.DONE), 1);
    Atomics.notify(I, at(C.DONE));
    break;
  }
  let r: number;
  try {
    const n0 = Atomics.load(I, at(C.N0));
    const n1 = Atomics.load(I, at(C.N1));
    if (fault && fault.step >= n0 && fault.step < n1) {
      r = run(n0, fault.step, w);
      if (r === fault.step) injected(fault.kind, fault.step);
    } else r = run(n0, n1, w);
  } catch (err) {
    fail(`failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    r = -1;
  }
  if (!current()) break;
  Atomics.store(I, at(resultLine), r);
  Atomics.add(I, at(C.DONE), 1);
  Atomics.notify(I, at(C.DONE));
  if (r < 0 && reported) {
    // a failed thread does not take further commands
    quitting = true;
    break;
  }
}
port.close();
