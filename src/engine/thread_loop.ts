/**
 * What a worker thread of the step engine runs, on any platform (Node's worker_threads through
 * src/node/engine_worker.ts, a browser's Web Workers through src/web/thread_worker.ts):
 * instantiates the engine's module on the shared memory, then runs `run(n0, n1, w)` each time the
 * engine bumps the command sequence word, until told to quit.
 *
 * Faults: an exception (or WebAssembly trap) in `run` sets the abort word, which every thread
 * checks while it waits at a barrier, and reports its message; the thread then ends. A worker of
 * an older epoch (the engine abandoned it) quits without touching the memory.
 */
import { ENGINE_CONTROL as C, engineImports } from './control.js';
import type { EngineThreadData } from './threads.js';

/** What the platform gives the loop. */
export interface EngineThreadPlatform {
  /** Sends a failure message to the engine (read by `EngineThread.takeMessages`). */
  report(message: string): void;
  /** Ends the thread at once (the injected 'exit' fault); without it that fault throws. */
  exit?(code: number): never;
}

const W = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> }; Module: new (b: Uint8Array) => object } }).WebAssembly;

/**
 * One worker thread's loop.
 *
 * @example
 * const loop = new EngineThreadLoop(data, { report: (m) => port.postMessage(m) });
 * loop.serve();
 */
export class EngineThreadLoop {
  private readonly I: Int32Array;
  private reported = false;
  private quitting = false;

  constructor(
    private readonly data: EngineThreadData,
    private readonly platform: EngineThreadPlatform,
  ) {
    this.I = new Int32Array(data.memory.buffer);
  }

  private at(word: number): number {
    return (this.data.ctl + word * this.data.line) >>> 2;
  }

  private current(): boolean {
    return Atomics.load(this.I, this.at(C.EPOCH)) === this.data.epoch;
  }

  /** Marks this thread failed (first failure wins), aborts every barrier, reports the cause. */
  fail(message: string): void {
    if (this.reported || !this.current()) return;
    this.reported = true;
    const I = this.I;
    Atomics.compareExchange(I, this.at(C.FAULT), 0, this.data.w);
    Atomics.store(I, this.at(C.ABORT), 1);
    Atomics.notify(I, this.at(C.GEN));
    Atomics.notify(I, this.at(C.READY));
    this.platform.report(message);
  }

  /** The thread is ending (Node's exit hook): outside a quit, that is a failure the engine must see. */
  exited(code: number): void {
    if (this.quitting || !this.current()) return;
    this.fail(`exited (code ${code}) during a run`);
    Atomics.add(this.I, this.at(C.EXITED), 1);
    Atomics.notify(this.I, this.at(C.DONE));
  }

  /** Instantiates the module, says it is ready, and serves commands until quit, failure or a new epoch. */
  serve(): void {
    const { module, memory, w, resultLine, seq, fault } = this.data;
    const I = this.I;
    let run: (n0: number, n1: number, w: number) => number;
    try {
      run = new W.Instance(module, { env: { memory, ...engineImports(I) } }).exports.run as typeof run;
    } catch (err) {
      this.fail(`could not start: ${(err as Error).message}`);
      throw err;
    }
    Atomics.add(I, this.at(C.READY), 1);
    Atomics.notify(I, this.at(C.READY));

    let seen = seq;
    for (;;) {
      Atomics.wait(I, this.at(C.SEQ), seen);
      if (!this.current()) break;
      seen = Atomics.load(I, this.at(C.SEQ));
      if (Atomics.load(I, this.at(C.QUIT)) !== 0) {
        this.quitting = true;
        Atomics.add(I, this.at(C.DONE), 1);
        Atomics.notify(I, this.at(C.DONE));
        break;
      }
      let r: number;
      try {
        const n0 = Atomics.load(I, this.at(C.N0));
        const n1 = Atomics.load(I, this.at(C.N1));
        if (fault && fault.step >= n0 && fault.step < n1) {
          r = run(n0, fault.step, w);
          if (r === fault.step) this.injected(fault.kind, fault.step);
        } else r = run(n0, n1, w);
      } catch (err) {
        this.fail(`failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
        r = -1;
      }
      if (!this.current()) break;
      Atomics.store(I, this.at(resultLine), r);
      Atomics.add(I, this.at(C.DONE), 1);
      Atomics.notify(I, this.at(C.DONE));
      if (r < 0 && this.reported) {
        // a failed thread does not take further commands
        this.quitting = true;
        break;
      }
    }
  }

  /** Test only: the injected fault. */
  private injected(kind: NonNullable<EngineThreadData['fault']>['kind'], step: number): never {
    if (kind === 'exit' && this.platform.exit) this.platform.exit(7);
    if (kind === 'hang') for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    if (kind === 'trap') {
      // a module whose only function is `unreachable`: a real WebAssembly trap
      const bytes = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 5, 1, 3, 0, 0, 11);
      (new W.Instance(new W.Module(bytes), {}).exports.f as () => void)();
    }
    throw new Error(`injected fault at step ${step}`);
  }
}
