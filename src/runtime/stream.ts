/**
 * Streaming monitors: they record into a fixed buffer of `chunk` rows and append each full
 * buffer to a NumPy .npy file, so a long run holds the same few kilobytes of recordings whatever
 * its duration. The file is a valid .npy after every run (its header is rewritten with the row
 * count when the buffer is flushed) and is read back lazily, a range of rows at a time.
 *
 * Node.js only (files through node:fs, synchronously between steps).
 */
import { BuildError } from '../lang/errors.js';
import { SpikeMonitor, type Monitor, type MonitorState, type SampleMonitor } from '../runner/monitors.js';
import { type Population, type GroupView, asView } from '../model/group.js';
import { IDENTIFIER } from '../equations/validate.js';

interface NodeFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number | null): number;
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): { size: number };
}

function nodeFs(where: string): NodeFs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  if (!fs) throw new BuildError(where, 'file', 'streaming to files needs Node.js ≥ 20.16', 'use SpikeMonitor or StateMonitor (in memory)');
  return fs;
}

/** Bytes of the fixed .npy header this module writes (room for any row count). */
const HEADER = 128;

/**
 * An .npy file written in chunks: rows of `columns` values of one type, appended; the header
 * (shape) is rewritten on every flush.
 *
 * @example
 * const w = new NpyAppender('spikes.npy', 'i4', 2, 'monitor');
 * w.append(Int32Array.of(0, 5, 1, 7), 2); w.close();
 */
export class NpyAppender {
  readonly path: string;
  readonly columns: number;
  private readonly descr: string;
  private readonly fs: NodeFs;
  private fd: number;
  private rowCount = 0;

  constructor(path: string, type: 'i4' | 'f8', columns: number, where: string) {
    if (typeof path !== 'string' || path === '') throw new BuildError(where, 'file', 'must be a path', "give e.g. { file: 'out/spikes.npy' }");
    this.fs = nodeFs(where);
    this.path = path;
    this.columns = columns;
    this.descr = `<${type}`;
    try {
      this.fd = this.fs.openSync(path, 'w+');
    } catch (err) {
      throw new BuildError(where, 'file', `cannot open ${JSON.stringify(path)}: ${(err as Error).message}`, 'check the directory exists and is writable');
    }
    this.writeHeader();
  }

  /** Rows written so far. */
  get rows(): number {
    return this.rowCount;
  }

  private writeHeader(): void {
    const dict = `{'descr': '${this.descr}', 'fortran_order': False, 'shape': (${this.rowCount}, ${this.columns}), }`;
    const bytes = new Uint8Array(HEADER).fill(0x20);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
    bytes[8] = (HEADER - 10) & 0xff;
    bytes[9] = (HEADER - 10) >> 8;
    for (let i = 0; i < dict.length; i++) bytes[10 + i] = dict.charCodeAt(i);
    bytes[HEADER - 1] = 0x0a;
    this.fs.writeSync(this.fd, bytes, 0, HEADER, 0);
  }

  /** Appends `rows` rows from the start of `data` (rows × columns values) and updates the header. */
  append(data: Int32Array | Float64Array, rows: number): void {
    if (this.fd < 0) throw new Error(`NpyAppender: ${this.path} is closed`);
    if (rows > 0) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, rows * this.columns * data.BYTES_PER_ELEMENT);
      this.fs.writeSync(this.fd, bytes, 0, bytes.length, HEADER + this.rowCount * this.columns * data.BYTES_PER_ELEMENT);
      this.rowCount += rows;
    }
    this.writeHeader();
  }

  /** Closes the file (it stays a valid .npy). */
  close(): void {
    if (this.fd >= 0) this.fs.closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * Reads an .npy file written by a streaming monitor lazily: its shape, and any range of rows.
 *
 * @example
 * const r = new NpyReader('spikes.npy');
 * const first = r.rows(0, 1000); // Int32Array of 1000 × 2 values
 * r.close();
 */
export class NpyReader {
  readonly shape: readonly [number, number];
  readonly type: 'i4' | 'f8';
  private readonly fs: NodeFs;
  private fd: number;
  private readonly start: number;

  constructor(path: string) {
    const where = `file ${JSON.stringify(String(path).slice(0, 200))}`;
    this.fs = nodeFs(where);
    try {
      this.fd = this.fs.openSync(path, 'r');
    } catch (err) {
      throw new BuildError(where, 'file', `cannot open: ${(err as Error).message}`);
    }
    const head = new Uint8Array(10);
    this.fs.readSync(this.fd, head, 0, 10, 0);
    const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
    if (magic.some((c, i) => head[i] !== c) || head[6] !== 1) throw this.refuse(where, 'is not a version 1 .npy file');
    const len = head[8] | (head[9] << 8);
    const text = new Uint8Array(len);
    this.fs.readSync(this.fd, text, 0, len, 10);
    const dict = String.fromCharCode(...text);
    const m = /'descr':\s*'<(i4|f8)',\s*'fortran_order':\s*False,\s*'shape':\s*\((\d+),\s*(\d+)\)/.exec(dict);
    if (!m) throw this.refuse(where, 'holds an array this reader does not read (it reads 2-d <i4 and <f8, C order)');
    this.type = m[1] as 'i4' | 'f8';
    this.shape = [Number(m[2]), Number(m[3])];
    this.start = 10 + len;
    const need = this.start + this.shape[0] * this.shape[1] * (this.type === 'i4' ? 4 : 8);
    if (this.fs.fstatSync(this.fd).size < need) throw this.refuse(where, 'is shorter than its header says');
  }

  private refuse(where: string, problem: string): BuildError {
    this.close();
    return new BuildError(where, 'file', problem);
  }

  /** Rows [a, b) as a flat typed array (row-major). */
  rows(a: number, b: number): Int32Array | Float64Array {
    const [n, c] = this.shape;
    if (!(Number.isInteger(a) && Number.isInteger(b) && 0 <= a && a <= b && b <= n)) throw new RangeError(`rows [${a}, ${b}) are outside [0, ${n})`);
    const out = this.type === 'i4' ? new Int32Array((b - a) * c) : new Float64Array((b - a) * c);
    const bytes = new Uint8Array(out.buffer);
    this.fs.readSync(this.fd, bytes, 0, bytes.length, this.start + a * c * out.BYTES_PER_ELEMENT);
    return out;
  }

  close(): void {
    if (this.fd >= 0) this.fs.closeSync(this.fd);
    this.fd = -1;
  }
}

/** Options of the streaming monitors. */
export interface StreamOptions {
  /** The .npy file to write. */
  readonly file: string;
  /** Rows buffered in memory between writes (default 65536). */
  readonly chunk?: number;
}

function checkChunk(x: unknown, where: string): number {
  const c = x ?? 65536;
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > 2 ** 24) throw new BuildError(where, 'chunk', `must be an integer in [1, 2^24], got ${String(c)}`, 'give e.g. chunk: 65536');
  return c;
}

/**
 * Streams every spike of a population to an .npy file of rows (step, neuron), with bounded memory.
 * Runs wherever a SpikeMonitor runs (the step engine included).
 *
 * @example
 * const sm = net.add(new SpikeStreamMonitor(P, { file: 'out/spikes.npy' }));
 * net.run('100 s'); sm.close();
 * const r = new NpyReader('out/spikes.npy'); // r.shape[0] spikes
 */
export class SpikeStreamMonitor extends SpikeMonitor implements Monitor {
  private readonly out: NpyAppender;
  private readonly buf: Int32Array;
  private fill = 0;
  private readonly chunk: number;
  private total = 0;
  private readonly view: GroupView;

  constructor(source: Population, options: StreamOptions) {
    super(source);
    const where = 'SpikeStreamMonitor';
    this.view = asView(source);
    this.chunk = checkChunk(options?.chunk, where);
    this.buf = new Int32Array(this.chunk * 2);
    this.out = new NpyAppender(options?.file, 'i4', 2, where);
  }

  override record(n: number): void {
    const rt = this.view.group.runtime!;
    const slot = n % rt.ring;
    const c = rt.counts[slot];
    if (c === 0) return;
    const base = slot * this.view.group.size;
    const { start, stop } = this.view;
    for (let s = 0; s < c; s++) {
      const i = rt.spikes[base + s];
      if (i < start || i >= stop) continue;
      if (this.fill === this.chunk) this.flush();
      this.buf[2 * this.fill] = n;
      this.buf[2 * this.fill + 1] = i - start;
      this.fill++;
    }
  }

  /** Writes the buffered rows (the network calls this after every run). */
  flush(): void {
    this.out.append(this.buf, this.fill);
    this.total += this.fill;
    this.fill = 0;
  }

  /** Spikes recorded (written and buffered). */
  override get numSpikes(): number {
    return this.total + this.fill;
  }

  /** Bytes of recordings held in memory (constant: the chunk buffer). */
  get heldBytes(): number {
    return this.buf.byteLength;
  }

  get file(): string {
    return this.out.path;
  }

  override clear(): void {
    throw new BuildError('SpikeStreamMonitor', 'clear', 'a streamed recording cannot be cleared', 'start a new SpikeStreamMonitor on another file');
  }

  /** Reads every recorded spike back (for short recordings; use NpyReader for ranges). */
  override spikes(): { times: Float64Array; indices: Int32Array } {
    throw new BuildError('SpikeStreamMonitor', 'spikes', 'the spikes are in the file, not in memory', `read them with new NpyReader(${JSON.stringify(this.out.path)})`);
  }

  override saveState(): MonitorState {
    throw new BuildError('SpikeStreamMonitor', 'store', 'a streamed recording is not part of a stored state', 'store with monitors: false');
  }

  /** Flushes and closes the file. */
  close(): void {
    this.flush();
    this.out.close();
  }
}

/**
 * Streams variables of chosen neurons to an .npy file of rows (t, var0 of each neuron, var1 of
 * each neuron, ...), every `every` steps, with bounded memory. Runs on the JavaScript step loop
 * and on the step engine (which hands it the values with recordSample).
 *
 * @example
 * const vm = net.add(new StateStreamMonitor(P, ['v', 'ge'], { file: 'out/v.npy', indices: [0, 1, 2] }));
 */
export class StateStreamMonitor implements SampleMonitor {
  name = '';
  readonly source: GroupView;
  readonly variables: readonly string[];
  readonly indices: Int32Array;
  readonly every: number;
  private readonly out: NpyAppender;
  private readonly buf: Float64Array;
  private readonly chunk: number;
  private fill = 0;
  private dt = 0;
  private arrays: (Float32Array | Float64Array)[] = [];

  constructor(source: Population, variables: readonly string[], options: StreamOptions & { indices?: ArrayLike<number>; every?: number }) {
    const where = 'StateStreamMonitor';
    this.source = asView(source);
    if (!Array.isArray(variables) || variables.length === 0) throw new BuildError(where, 'variables', 'must be a non-empty array of variable names', "e.g. ['v']");
    const known = this.source.group.model.lines.filter((l) => l.kind !== 'sub').map((l) => l.name);
    for (const v of variables) if (typeof v !== 'string' || !IDENTIFIER.test(v) || !known.includes(v)) throw new BuildError(where, 'variables', `'${String(v).slice(0, 40)}' is not a variable of ${this.source.group.model.name}`, `record one of ${known.join(', ')}`);
    this.variables = [...variables];
    const idx = options?.indices ?? [0];
    this.indices = Int32Array.from(idx, (i) => {
      if (!Number.isInteger(i) || i < 0 || i >= this.source.size) throw new BuildError(where, 'indices', `index ${i} is outside [0, ${this.source.size})`);
      return i + this.source.start;
    });
    this.every = options?.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1) throw new BuildError(where, 'every', `must be a positive integer, got ${String(options?.every)}`);
    this.chunk = checkChunk(options?.chunk, where);
    const columns = 1 + this.variables.length * this.indices.length;
    this.buf = new Float64Array(this.chunk * columns);
    this.out = new NpyAppender(options.file, 'f8', columns, where);
  }

  reserve(_first: number, _steps: number, dt: number): void {
    this.dt = dt;
    const g = this.source.group;
    this.arrays = this.variables.map((v) => g.get(v));
  }

  record(n: number): void {
    if (n % this.every !== 0) return;
    if (this.fill === this.chunk) this.flush();
    const m = this.indices.length;
    const row = this.fill * (1 + this.arrays.length * m);
    this.buf[row] = (n + 1) * this.dt;
    for (let v = 0; v < this.arrays.length; v++) {
      const src = this.arrays[v];
      for (let j = 0; j < m; j++) this.buf[row + 1 + v * m + j] = src[this.indices[j]];
    }
    this.fill++;
  }

  recordSample(n: number, values: Float64Array, offset: number): void {
    if (n % this.every !== 0) return;
    if (this.fill === this.chunk) this.flush();
    const width = this.variables.length * this.indices.length;
    const row = this.fill * (1 + width);
    this.buf[row] = (n + 1) * this.dt;
    for (let c = 0; c < width; c++) this.buf[row + 1 + c] = values[offset + c];
    this.fill++;
  }

  flush(): void {
    this.out.append(this.buf, this.fill);
    this.fill = 0;
  }

  /** Samples recorded (written and buffered). */
  get samples(): number {
    return this.out.rows + this.fill;
  }

  /** Bytes of recordings held in memory (constant: the chunk buffer). */
  get heldBytes(): number {
    return this.buf.byteLength;
  }

  get file(): string {
    return this.out.path;
  }

  clear(): void {
    throw new BuildError('StateStreamMonitor', 'clear', 'a streamed recording cannot be cleared', 'start a new StateStreamMonitor on another file');
  }

  close(): void {
    this.flush();
    this.out.close();
  }
}
