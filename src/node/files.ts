/**
 * Writing results to disk: text (SVG, JSON), NumPy .npy arrays and CSV tables. Node only.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a UTF-8 text file, creating missing parent folders.
 *
 * @example
 * await writeText('out/raster.svg', rasterSvg(spikes, { nNeurons: 4000, tStop: 1 }));
 */
export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, 'utf8');
}

/** Typed arrays {@link encodeNpy} can store, and their NumPy dtype strings. */
export type NpyArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

function npyDescr(a: NpyArray): string {
  if (a instanceof Float64Array) return '<f8';
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof Uint32Array) return '<u4';
  if (a instanceof Int16Array) return '<i2';
  if (a instanceof Uint16Array) return '<u2';
  if (a instanceof Int8Array) return '|i1';
  if (a instanceof Uint8Array) return '|u1';
  throw new TypeError('encodeNpy: expected a Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array or Uint8Array');
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The bytes of a NumPy .npy file (format version 1.0, little-endian, C order) holding `array`
 * with the given `shape` (default: 1-D, `[array.length]`). The header is padded so the data
 * starts on a 64-byte boundary, as NumPy does.
 *
 * @example
 * const bytes = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]); // np.load gives a 2×3 float32 array
 */
export function encodeNpy(array: NpyArray, shape?: readonly number[]): Uint8Array {
  const descr = npyDescr(array);
  const dims = shape ? [...shape] : [array.length];
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`encodeNpy: shape entries must be non-negative integers, got [${dims.join(', ')}]`);
  }
  const size = dims.reduce((p, d) => p * d, 1);
  if (size !== array.length) {
    throw new RangeError(`encodeNpy: shape [${dims.join(', ')}] holds ${size} values but the array has ${array.length}`);
  }
  const shapeStr = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces and ending in \n.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new RangeError('encodeNpy: header too long for .npy version 1.0');
  const out = new Uint8Array(10 + header.length + array.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let k = 0; k < header.length; k++) out[10 + k] = header.charCodeAt(k);
  const data = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const off = 10 + header.length;
  out.set(data, off);
  if (!LITTLE_ENDIAN && array.BYTES_PER_ELEMENT > 1) {
    const w = array.BYTES_PER_ELEMENT;
    for (let p = off; p < out.length; p += w) out.subarray(p, p + w).reverse();
  }
  return out;
}

/**
 * Writes a typed array as a NumPy .npy file (see {@link encodeNpy}), creating parent folders.
 * Load it with `numpy.load(path)`.
 *
 * @example
 * await writeNpy('out/spike_times.npy', spikes.times);
 * await writeNpy('out/weights.npy', w, [nPre, nPost]);
 */
export async function writeNpy(path: string, array: NpyArray, shape?: readonly number[]): Promise<void> {
  const bytes = encodeNpy(array, shape);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV text of named columns: a header row, then one row per index. Shorter columns leave empty
 * cells; numbers are written in full precision (shortest round-tripping form).
 *
 * @example
 * formatCsv({ t: [0, 0.001], v: [-0.07, -0.069] }); // 't,v\n0,-0.07\n0.001,-0.069\n'
 */
export function formatCsv(columns: Record<string, ArrayLike<number>>): string {
  const names = Object.keys(columns);
  const cols = names.map((n) => columns[n]);
  const rows = cols.reduce((m, c) => Math.max(m, c.length), 0);
  const lines: string[] = new Array(rows + 1);
  lines[0] = names.map(csvField).join(',');
  const cells: string[] = new Array(cols.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols.length; c++) cells[c] = r < cols[c].length ? String(cols[c][r]) : '';
    lines[r + 1] = cells.join(',');
  }
  return lines.join('\n') + '\n';
}

/**
 * Writes named columns as a CSV file (see {@link formatCsv}), creating parent folders.
 *
 * @example
 * await writeCsv('out/rate.csv', { t: rate.t, rate: rate.rate });
 */
export async function writeCsv(path: string, columns: Record<string, ArrayLike<number>>): Promise<void> {
  await writeText(path, formatCsv(columns));
}
