/**
 * Store and restore a running network's state, in memory or in a file.
 *
 * What is state: every byte range the step reads and writes — state variables, inputs, per-neuron
 * parameters, synaptic and delay state (spike-list rings and their counts, per-synapse delay
 * rings), plastic weights and synaptic traces, last-spike times, spike-generator positions — plus
 * the step index. Random numbers are counter-based (seed, stream, neuron, step): the step index
 * is the position of every random stream, so noise and Poisson input continue exactly.
 * Optionally the monitors' recordings.
 *
 * A snapshot belongs to one built network: its fingerprint (kernel source, seed, dt, backend and
 * threads, the list of state ranges with their sizes, the connectivity) must match. Loading checks
 * everything — magic, version, header, fingerprint, every range's name and size, monitor shapes,
 * the checksum of the payload — before it writes a single byte, so a refused load changes nothing.
 */
import { BuildError } from '../lang/errors.js';
import { type Monitor, type MonitorState } from '../runner/monitors.js';
import { MAX_STEP } from './limits.js';

/** One range of live state memory. */
export interface StateRegion {
  readonly name: string;
  /** A view on the live bytes (written in place by restore). */
  readonly bytes: Uint8Array;
}

/** What store and restore need from a network. */
export interface StateHost {
  readonly where: string;
  /** The live state ranges, in a fixed order. */
  regions(): StateRegion[];
  /** Identifies the built network (same declaration, seed, dt, backend, threads). */
  fingerprint(): string;
  readonly step: number;
  setStep(step: number): void;
  readonly monitors: readonly Monitor[];
}

/** A stored state. */
export interface Snapshot {
  readonly fingerprint: string;
  readonly step: number;
  readonly names: readonly string[];
  /** All ranges, concatenated in order. */
  readonly payload: Uint8Array;
  readonly sizes: readonly number[];
  /** Monitor recordings by monitor position, when stored with `monitors: true`. */
  readonly monitors?: readonly (MonitorState | null)[];
}

/** Options of `net.store` / `net.restore`. */
export interface StoreOptions {
  /** Name of an in-memory snapshot (default 'default'). */
  readonly name?: string;
  /** A file to write (store) or read (restore) instead of memory (Node.js). */
  readonly file?: string;
  /** Store: include the monitors' recordings (default false). Restore: put them back when stored (default true). */
  readonly monitors?: boolean;
}

const MAGIC = 'BRAINTS-STATE\n';
const VERSION = 1;
/** Headers larger than this are refused before parsing. */
const MAX_HEADER = 64 * 2 ** 20;

/**
 * A 32-bit hash of bytes (FNV-1a over 32-bit words, then the tail), for fingerprints and checksums.
 *
 * @example
 * hashBytes(new Uint8Array([1, 2, 3])) // a number in [0, 2^32)
 */
export function hashBytes(b: Uint8Array, h = 0x811c9dc5): number {
  const words = b.byteOffset % 4 === 0 ? new Int32Array(b.buffer, b.byteOffset, b.length >> 2) : null;
  let i = 0;
  if (words) {
    for (let k = 0; k < words.length; k++) h = Math.imul(h ^ words[k], 0x01000193);
    i = words.length * 4;
  }
  for (; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/** A 32-bit hash of text. */
export function hashText(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Copies the live state (and optionally the monitors) into a snapshot. */
export function captureState(host: StateHost, withMonitors: boolean): Snapshot {
  const regions = host.regions();
  const total = regions.reduce((s, r) => s + r.bytes.length, 0);
  const payload = new Uint8Array(total);
  let off = 0;
  for (const r of regions) {
    payload.set(r.bytes, off);
    off += r.bytes.length;
  }
  let monitors: (MonitorState | null)[] | undefined;
  if (withMonitors) monitors = host.monitors.map((m) => (m.saveState ? m.saveState() : null));
  return { fingerprint: host.fingerprint(), step: host.step, names: regions.map((r) => r.name), sizes: regions.map((r) => r.bytes.length), payload, monitors };
}

/**
 * Checks that a snapshot fits this network; throws a BuildError naming the first mismatch.
 * Writes nothing.
 */
export function checkSnapshot(host: StateHost, snap: Snapshot, source: string, withMonitors: boolean): void {
  const where = host.where;
  const refuse = (problem: string, fix = 'restore a state stored by the same network (same declaration, seed, dt, backend and threads)') => {
    throw new BuildError(where, 'restore', `${source}: ${problem}`, fix);
  };
  if (snap.fingerprint !== host.fingerprint()) refuse('was stored by a different network (its fingerprint differs)');
  if (!(Number.isInteger(snap.step) && snap.step >= 0 && snap.step <= MAX_STEP)) refuse(`has an invalid step ${snap.step}`);
  const regions = host.regions();
  if (snap.names.length !== regions.length || snap.sizes.length !== regions.length) refuse(`holds ${snap.names.length} state ranges, this network has ${regions.length}`);
  let total = 0;
  regions.forEach((r, k) => {
    if (snap.names[k] !== r.name) refuse(`state range ${k} is '${String(snap.names[k]).slice(0, 80)}', this network's is '${r.name}'`);
    if (snap.sizes[k] !== r.bytes.length) refuse(`state range '${r.name}' has ${snap.sizes[k]} bytes, this network's has ${r.bytes.length}`);
    total += r.bytes.length;
  });
  if (snap.payload.length !== total) refuse(`holds ${snap.payload.length} bytes of state, this network needs ${total}`);
  if (withMonitors && snap.monitors) {
    if (snap.monitors.length !== host.monitors.length) refuse(`holds ${snap.monitors.length} monitors, this network has ${host.monitors.length}`);
    host.monitors.forEach((m, k) => {
      const s = snap.monitors![k];
      if (s === null || !m.checkState) {
        if (s !== null || m.saveState) refuse(`monitor ${k} ('${m.name}') cannot be restored from this state`);
        return;
      }
      const problem = m.checkState(s);
      if (problem) refuse(`monitor ${k} ('${m.name}') ${problem}`);
    });
  }
}

/** Writes a checked snapshot into the live state. */
export function applyState(host: StateHost, snap: Snapshot, withMonitors: boolean): void {
  const regions = host.regions();
  let off = 0;
  for (const r of regions) {
    r.bytes.set(snap.payload.subarray(off, off + r.bytes.length));
    off += r.bytes.length;
  }
  host.setStep(snap.step);
  if (withMonitors && snap.monitors) host.monitors.forEach((m, k) => snap.monitors![k] && m.loadState!(snap.monitors![k]!));
}

interface Header {
  format: 'braints-state';
  version: number;
  fingerprint: string;
  step: number;
  regions: { name: string; bytes: number }[];
  payloadBytes: number;
  checksum: number;
  monitors?: ({ kind: string; scalars: Record<string, number>; arrays: { name: string; type: 'i32' | 'f64'; length: number }[] } | null)[];
}

/**
 * The file form of a snapshot: MAGIC, a 4-byte little-endian header length, the JSON header,
 * padding to 8 bytes, the state payload, then the monitors' arrays (each padded to 8 bytes).
 */
export function encodeState(snap: Snapshot): Uint8Array {
  const monArrays: (Int32Array | Float64Array)[] = [];
  const monitors = snap.monitors?.map((m) => {
    if (!m) return null;
    const arrays = Object.entries(m.arrays).map(([name, a]) => {
      monArrays.push(a);
      return { name, type: a instanceof Int32Array ? ('i32' as const) : ('f64' as const), length: a.length };
    });
    return { kind: m.kind, scalars: m.scalars, arrays };
  });
  const header: Header = {
    format: 'braints-state',
    version: VERSION,
    fingerprint: snap.fingerprint,
    step: snap.step,
    regions: snap.names.map((name, k) => ({ name, bytes: snap.sizes[k] })),
    payloadBytes: snap.payload.length,
    checksum: 0,
    ...(monitors ? { monitors } : {}),
  };
  const pad8 = (n: number) => Math.ceil(n / 8) * 8;
  let sum = hashBytes(snap.payload);
  for (const a of monArrays) sum = hashBytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), sum);
  header.checksum = sum;
  const text = new TextEncoder().encode(JSON.stringify(header));
  const start = pad8(MAGIC.length + 4 + text.length);
  let size = start + pad8(snap.payload.length);
  for (const a of monArrays) size += pad8(a.byteLength);
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, text.length, true);
  out.set(text, MAGIC.length + 4);
  out.set(snap.payload, start);
  let off = start + pad8(snap.payload.length);
  for (const a of monArrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += pad8(a.byteLength);
  }
  return out;
}

/**
 * Reads the file form of a snapshot, checking its structure and checksum; throws a BuildError
 * (nothing of the network is touched here).
 */
export function decodeState(bytes: Uint8Array, where: string, source: string): Snapshot {
  const refuse = (problem: string): never => {
    throw new BuildError(where, 'restore', `${source}: ${problem}`, 'give a file written by net.store({ file }) and not modified since');
  };
  const magic = new TextEncoder().encode(MAGIC);
  if (bytes.length < magic.length + 4 || magic.some((c, i) => bytes[i] !== c)) refuse('is not a BrainTS state file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = dv.getUint32(magic.length, true);
  if (hlen > MAX_HEADER || magic.length + 4 + hlen > bytes.length) refuse('has a truncated or oversized header');
  let h: unknown;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(magic.length + 4, magic.length + 4 + hlen)));
  } catch {
    refuse('has an unreadable header');
  }
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (!isObj(h) || h.format !== 'braints-state') return refuse('is not a BrainTS state file');
  if (h.version !== VERSION) refuse(`has version ${JSON.stringify(h.version)}, this BrainTS reads version ${VERSION}`);
  if (typeof h.fingerprint !== 'string' || !isCount(h.step) || !isCount(h.payloadBytes) || !isCount(h.checksum) || !Array.isArray(h.regions)) refuse('has a malformed header');
  const regions = h.regions as unknown[];
  const names: string[] = [];
  const sizes: number[] = [];
  let sumSizes = 0;
  for (const r of regions) {
    if (!isObj(r) || typeof r.name !== 'string' || !isCount(r.bytes)) return refuse('has a malformed list of state ranges');
    names.push(r.name);
    sizes.push(r.bytes);
    sumSizes += r.bytes;
  }
  if (sumSizes !== h.payloadBytes) refuse('has state ranges that do not add up to its payload');
  const pad8 = (n: number) => Math.ceil(n / 8) * 8;
  const start = pad8(magic.length + 4 + hlen);
  let off = start + pad8(h.payloadBytes as number);
  if (start + (h.payloadBytes as number) > bytes.length) refuse('is truncated (the state payload is incomplete)');
  const payload = Uint8Array.prototype.slice.call(bytes, start, start + (h.payloadBytes as number));
  let sum = hashBytes(payload);
  let monitors: (MonitorState | null)[] | undefined;
  if (h.monitors !== undefined) {
    if (!Array.isArray(h.monitors)) refuse('has a malformed monitor list');
    monitors = [];
    for (const m of h.monitors as unknown[]) {
      if (m === null) {
        monitors.push(null);
        continue;
      }
      if (!isObj(m) || typeof m.kind !== 'string' || !isObj(m.scalars) || !Array.isArray(m.arrays)) return refuse('has a malformed monitor');
      const scalars: Record<string, number> = Object.create(null);
      for (const [k, v] of Object.entries(m.scalars)) {
        if (typeof v !== 'number' || !Number.isFinite(v)) return refuse(`has a monitor value ${k} that is not a finite number`);
        scalars[k] = v;
      }
      const arrays: Record<string, Int32Array | Float64Array> = Object.create(null);
      for (const a of m.arrays as unknown[]) {
        if (!isObj(a) || typeof a.name !== 'string' || (a.type !== 'i32' && a.type !== 'f64') || !isCount(a.length)) return refuse('has a malformed monitor array');
        const nbytes = a.length * (a.type === 'i32' ? 4 : 8);
        if (off + nbytes > bytes.length) return refuse('is truncated (monitor data incomplete)');
        const copy = Uint8Array.prototype.slice.call(bytes, off, off + nbytes);
        arrays[a.name] = a.type === 'i32' ? new Int32Array(copy.buffer) : new Float64Array(copy.buffer);
        sum = hashBytes(copy, sum);
        off += pad8(nbytes);
      }
      monitors.push({ kind: m.kind, scalars, arrays });
    }
  }
  if (off !== bytes.length) refuse(`has ${bytes.length - off} bytes more or less than its header describes`);
  if (sum !== h.checksum) refuse('is corrupted (checksum mismatch)');
  return { fingerprint: h.fingerprint as string, step: h.step as number, names, sizes, payload, monitors };
}

interface NodeFs {
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array): void;
  renameSync(a: string, b: string): void;
  rmSync(p: string, o?: { force?: boolean }): void;
}

function fs(where: string): NodeFs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  if (!mod) throw new BuildError(where, 'file', 'files need Node.js ≥ 20.16', 'store in memory (net.store(name)) instead');
  return mod;
}

/** Writes a snapshot to a file atomically (a temporary file renamed over the target). */
export function writeStateFile(path: string, snap: Snapshot, where: string): void {
  if (typeof path !== 'string' || path === '') throw new BuildError(where, 'file', 'must be a path', "give e.g. { file: 'state.bts' }");
  const f = fs(where);
  const tmp = `${path}.tmp-${hashText(`${Date.now()}:${Math.random()}`).toString(16)}`;
  try {
    f.writeFileSync(tmp, encodeState(snap));
    f.renameSync(tmp, path);
  } catch (err) {
    f.rmSync(tmp, { force: true });
    throw new BuildError(where, 'file', `cannot write ${JSON.stringify(path)}: ${(err as Error).message}`, 'check the directory exists and is writable');
  }
}

/** Reads and checks the structure of a state file. */
export function readStateFile(path: string, where: string): Snapshot {
  if (typeof path !== 'string' || path === '') throw new BuildError(where, 'file', 'must be a path', "give e.g. { file: 'state.bts' }");
  let bytes: Uint8Array;
  try {
    // a plain Uint8Array (a Node Buffer's slice() would be a view, not a copy)
    bytes = new Uint8Array(fs(where).readFileSync(path));
  } catch (err) {
    throw new BuildError(where, 'file', `cannot read ${JSON.stringify(path)}: ${(err as Error).message}`, 'give the path of a file written by net.store({ file })');
  }
  return decodeState(bytes, where, `file ${JSON.stringify(path)}`);
}

/** Reads `net.store` / `net.restore` options: a name, or { name, file, monitors }. */
function checkStoreOptions(options: unknown, where: string, action: 'store' | 'restore'): { name: string; file?: string; monitors: boolean } {
  if (options === undefined) return { name: 'default', monitors: action === 'restore' };
  if (typeof options === 'string') {
    if (options === '' || options.length > 200) throw new BuildError(where, action, 'a snapshot name must be 1 to 200 characters', "give e.g. 'before'");
    return { name: options, monitors: action === 'restore' };
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new BuildError(where, action, 'takes a name or { name, file, monitors }', "e.g. net.store('before') or net.store({ file: 'state.bts' })");
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['name', 'file', 'monitors'].includes(k)) throw new BuildError(where, `${action}.${k.slice(0, 40)}`, 'unknown option', 'options: name, file, monitors');
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '' || o.name.length > 200)) throw new BuildError(where, `${action}.name`, 'must be a name of 1 to 200 characters');
  if (o.file !== undefined && (typeof o.file !== 'string' || o.file === '')) throw new BuildError(where, `${action}.file`, 'must be a path');
  if (o.monitors !== undefined && typeof o.monitors !== 'boolean') throw new BuildError(where, `${action}.monitors`, 'must be true or false');
  return { name: (o.name as string | undefined) ?? 'default', file: o.file as string | undefined, monitors: (o.monitors as boolean | undefined) ?? action === 'restore' };
}

/**
 * `net.store(options)`: captures the state into the named in-memory snapshot, or into a file.
 */
export function storeState(host: StateHost, memory: Map<string, Snapshot>, options: unknown): void {
  const o = checkStoreOptions(options, host.where, 'store');
  const snap = captureState(host, o.monitors);
  if (o.file !== undefined) writeStateFile(o.file, snap, host.where);
  else memory.set(o.name, snap);
}

/**
 * `net.restore(options)`: reads the named snapshot or the file, checks all of it against the
 * network, and only then writes it into the live state.
 */
export function restoreState(host: StateHost, memory: Map<string, Snapshot>, options: unknown): void {
  const o = checkStoreOptions(options, host.where, 'restore');
  let snap: Snapshot;
  let source: string;
  if (o.file !== undefined) {
    snap = readStateFile(o.file, host.where);
    source = `file ${JSON.stringify(o.file)}`;
  } else {
    const s = memory.get(o.name);
    if (!s) throw new BuildError(host.where, 'restore', `no stored state named '${o.name.slice(0, 80)}'`, memory.size ? `stored: ${[...memory.keys()].join(', ')}` : "store one first with net.store('name')");
    snap = s;
    source = `stored state '${o.name}'`;
  }
  checkSnapshot(host, snap, source, o.monitors);
  applyState(host, snap, o.monitors);
}
