/**
 * Growable typed-array buffers for connectivity generation: the number of synapses a random
 * connector makes is known only once it has made them, so rows are appended into an Int32Array
 * whose capacity doubles, then trimmed once.
 */

import { BuildError } from '../lang/errors.js';

/** The most synapses one CSR can hold: `indptr` is an Int32Array. */
export const MAX_SYNAPSES = 2147483647;

/** Largest up-front allocation of an {@link IntBuffer} (256 MiB); beyond it, growth is by doubling. */
export const MAX_INITIAL = 1 << 26;

/**
 * An append-only Int32Array that doubles its capacity when full.
 *
 * @example
 * const buf = new IntBuffer(4);
 * for (let i = 0; i < 10; i++) buf.push(i * i);
 * const arr = buf.toArray(); // Int32Array of length 10
 */
export class IntBuffer {
  /** Backing storage; only the first `length` entries are meaningful. */
  data: Int32Array;
  /** Number of entries pushed so far. */
  length = 0;
  /** Where (for the error raised when the buffer would outgrow {@link MAX_SYNAPSES}). */
  private readonly where: string;

  /** `capacity` is a hint; at most {@link MAX_INITIAL} entries are allocated up front. */
  constructor(capacity = 16, where = 'connectivity') {
    const cap = Number.isFinite(capacity) ? Math.ceil(capacity) : 16;
    this.data = new Int32Array(Math.max(1, Math.min(MAX_INITIAL, cap)));
    this.where = where;
  }

  /** Makes room for at least `extra` more entries. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.data.length) return;
    if (needed > MAX_SYNAPSES) {
      throw new BuildError(
        this.where,
        'synapses',
        `more than ${MAX_SYNAPSES} synapses would be created`,
        'use a sparser connector or smaller populations',
      );
    }
    const cap = Math.min(MAX_SYNAPSES, Math.max(needed, this.data.length * 2));
    const next = new Int32Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** Appends one value. */
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }

  /**
   * The pushed values. When the buffer is nearly full (slack under 1 % + 1024 entries, as with a
   * good capacity hint) this is a view of it, saving a copy of every synapse; otherwise a trimmed copy.
   */
  toArray(): Int32Array {
    const slack = this.data.length - this.length;
    return slack <= 1024 + this.length / 100 ? this.data.subarray(0, this.length) : this.data.slice(0, this.length);
  }
}
