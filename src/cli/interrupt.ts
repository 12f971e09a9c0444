/**
 * Ctrl-C during a run: the first SIGINT asks the run to stop at the next step boundary (what was
 * recorded is kept and written); a second one exits at once. Either way the terminal gets its
 * cursor and line wrapping back.
 */

/** Terminal modes a progress bar may have changed: show the cursor, wrap lines. */
export const RESTORE_TERMINAL = '\x1b[?25h\x1b[?7h';

/** Gives a terminal its cursor and line wrapping back (nothing on a pipe or a file). */
export function restoreTerminal(stream: NodeJS.WriteStream = process.stderr): void {
  if (stream.isTTY) stream.write(RESTORE_TERMINAL);
}

/** A stop request raised by SIGINT (and SIGTERM), checked by the run loop between chunks of steps. */
export class StopRequest {
  requested = false;
  signal: NodeJS.Signals | undefined;
  private readonly onSignal = (sig: NodeJS.Signals) => {
    if (this.requested) {
      restoreTerminal();
      process.stderr.write(`\n${sig} again: exiting without writing results\n`);
      process.exit(130);
    }
    this.requested = true;
    this.signal = sig;
  };

  /** Starts listening (replaces Node's default of exiting at once). */
  install(): this {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    return this;
  }

  remove(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
