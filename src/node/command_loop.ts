/**
 * The life of a worker thread that runs commands on shared memory (a batched run's copies, the
 * training lowering's batch parts): say it is ready (or why it could not start), then run one
 * command each time the main thread bumps the sequence word, until told to quit.
 */

/** Word indices of the control block, into the worker's Int32Array. */
export interface CommandWords {
  readonly READY: number;
  readonly ERROR: number;
  readonly SEQ: number;
  readonly QUIT: number;
  readonly DONE: number;
}

/**
 * `setup()` (instantiating the module) then the command loop from sequence value `seq`. A setup
 * that throws sets ERROR and wakes the waiting main thread before the worker fails; a command that
 * throws sets ERROR and is printed; DONE counts the commands finished.
 */
export function serveCommands(I: Int32Array, C: CommandWords, seq: number, setup: () => void, command: () => void): void {
  try {
    setup();
  } catch (err) {
    Atomics.store(I, C.ERROR, 1);
    Atomics.notify(I, C.READY);
    throw err;
  }
  Atomics.add(I, C.READY, 1);
  Atomics.notify(I, C.READY);
  let seen = seq;
  for (;;) {
    Atomics.wait(I, C.SEQ, seen);
    seen = Atomics.load(I, C.SEQ);
    if (Atomics.load(I, C.QUIT) !== 0) break;
    try {
      command();
    } catch (err) {
      Atomics.store(I, C.ERROR, 1);
      console.error(err);
    }
    Atomics.add(I, C.DONE, 1);
    Atomics.notify(I, C.DONE);
  }
}
