/**
 * The step engine's control block (words in lines from the block's start) and the functions its
 * module imports: shared by the engine (./engine.ts) and the code its worker threads run
 * (./thread_loop.ts), which must not pull in the compiler.
 */

export const CTL_GEN = 0;
export const CTL_COUNT = 1;
export const CTL_SLEEP = 2;
export const CTL_ABORT = 3;
export const CTL_SEQ = 4;
export const CTL_N0 = 5;
export const CTL_N1 = 6;
export const CTL_DONE = 7;
export const CTL_READY = 8;
export const CTL_QUIT = 9;
/** Incremented whenever the workers are abandoned: a worker of an older epoch quits. */
export const CTL_EPOCH = 10;
/** Workers that have exited (their exit hook counts itself). */
export const CTL_EXITED = 11;
/** The first worker (w ≥ 1) that failed, 0 while none. */
export const CTL_FAULT = 12;
/** A worker's result word while its command runs. */
export const RUNNING = -2;
// lines 16 + w: stop requests; 16 + T + w: divergence [group, step]; 16 + 2T + w: run results

/** The control-word layout, for the worker threads. */
export const ENGINE_CONTROL = { GEN: CTL_GEN, ABORT: CTL_ABORT, SEQ: CTL_SEQ, N0: CTL_N0, N1: CTL_N1, DONE: CTL_DONE, READY: CTL_READY, QUIT: CTL_QUIT, EPOCH: CTL_EPOCH, EXITED: CTL_EXITED, FAULT: CTL_FAULT } as const;

/**
 * The functions the engine's module imports: sleep on a word while it holds a value (100 ms at
 * most) and wake every thread sleeping on a word. Word indices into the shared memory.
 *
 * @example
 * new WebAssembly.Instance(module, { env: { memory, ...engineImports(new Int32Array(memory.buffer)) } });
 */
export function engineImports(I: Int32Array): { sleep: (word: number, value: number) => void; wake: (word: number) => void } {
  return {
    sleep: (word, value) => void Atomics.wait(I, word, value, 100),
    wake: (word) => void Atomics.notify(I, word),
  };
}
