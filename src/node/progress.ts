/**
 * A terminal progress bar for runs, backed by the `cli-progress` package. Node only.
 */

import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../runner/progress.js';

/** A stream the bar can draw on (process.stderr, process.stdout, or a test double). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Options of {@link terminalProgress}. */
export interface TerminalProgressOptions {
  /** Where to draw; default stderr if it is a terminal, else stdout if that is, else no bar. */
  stream?: ProgressStream;
  /** Draw even if the stream is not a terminal (the bar's control codes go into it); default false. */
  force?: boolean;
  /** Forward to the bar at least every this many ms while steps arrive; default 100. */
  intervalMs?: number;
  /** Forward to the bar whenever this fraction of the total is done; default 0.01 (every 1%). */
  fraction?: number;
  /** Remove the bar from the terminal when the run stops; default false (keep the final line). */
  clearOnStop?: boolean;
  /** What the counts count, shown after them (letters and spaces); default 'steps' ('jobs' for a sweep). */
  unit?: string;
}

/**
 * A progress reporter that forwards to a `cli-progress` bar only every `fraction` of the run or
 * every `intervalMs`, so `update` may be called on every step: between forwards it is a compare
 * and a clock read.
 */
class ThrottledBar implements ProgressReporter {
  private bar: cliProgress.SingleBar | undefined;
  private quantum = 1;
  private nextStep = 0;
  private lastMs = 0;
  private lastStep = 0;
  private lastForwarded = -1;

  constructor(
    private readonly stream: ProgressStream,
    private readonly intervalMs: number,
    private readonly fraction: number,
    private readonly clearOnStop: boolean,
    private readonly lines: boolean,
    private readonly unit: string = 'steps',
  ) {}

  start(totalSteps: number, label: string): void {
    if (this.bar) this.stop();
    const total = Number.isFinite(totalSteps) ? Math.max(0, Math.floor(totalSteps)) : 0;
    // Control characters in the label would corrupt the terminal line.
    const clean = String(label).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
    this.bar = new cliProgress.SingleBar({
      stream: this.stream,
      format: `{label} [{bar}] {percentage}% | {value}/{total} ${this.unit} | {duration_formatted} | ETA {eta_formatted}`,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      hideCursor: false,
      clearOnComplete: this.clearOnStop,
      etaBuffer: 50,
      fps: 10,
      // forced onto a pipe or a file: one line per second instead of redrawing one line
      noTTYOutput: this.lines,
      notTTYSchedule: 1000,
    });
    this.quantum = Math.max(1, Math.ceil(total * this.fraction));
    this.nextStep = this.quantum;
    this.lastStep = 0;
    this.lastForwarded = 0;
    this.lastMs = Date.now();
    this.bar.start(total, 0, { label: clean });
  }

  update(step: number): void {
    this.lastStep = step;
    if (step < this.nextStep) {
      const now = Date.now();
      if (now - this.lastMs < this.intervalMs) return;
      this.forward(step, now);
    } else {
      this.forward(step, Date.now());
    }
  }

  private forward(step: number, now: number): void {
    this.lastMs = now;
    this.nextStep = step + this.quantum;
    if (!this.bar || step === this.lastForwarded) return;
    this.lastForwarded = step;
    this.bar.update(step);
  }

  stop(): void {
    const bar = this.bar;
    if (!bar) return;
    this.bar = undefined;
    if (this.lastStep !== this.lastForwarded) bar.update(this.lastStep);
    bar.stop();
  }
}

/**
 * A terminal progress bar for the runner, drawn on stderr so stdout stays clean for data (JSON,
 * CSV). Returns undefined when there is no terminal to draw on (piped output, CI logs), so callers
 * can write `run(net, { progress: terminalProgress() })` unconditionally.
 *
 * @example
 * const progress = terminalProgress();
 * progress?.start(10000, 'COBA');
 * for (let s = 1; s <= 10000; s++) { step(); progress?.update(s); }
 * progress?.stop();
 */
export function terminalProgress(options: TerminalProgressOptions = {}): ProgressReporter | undefined {
  let stream: ProgressStream | undefined = options.stream;
  if (!stream) {
    if (process.stderr.isTTY) stream = process.stderr;
    else if (process.stdout.isTTY) stream = process.stdout;
  }
  if (!stream || !(stream.isTTY || options.force)) return undefined;
  const intervalMs = options.intervalMs ?? 100;
  const fraction = options.fraction ?? 0.01;
  const unit = /^[A-Za-z ]{1,20}$/.test(options.unit ?? '') ? options.unit! : 'steps';
  return new ThrottledBar(stream, intervalMs, fraction > 0 ? fraction : 0.01, options.clearOnStop ?? false, !stream.isTTY, unit);
}
