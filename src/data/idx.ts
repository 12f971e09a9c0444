/**
 * The IDX file format (LeCun et al., MNIST; also Fashion-MNIST): a 4-byte magic number (0, 0, the
 * element type, the number of dimensions), the dimensions as big-endian 32-bit integers, then the
 * elements in row-major order, big-endian. Pure functions on bytes: no file system here (see
 * data/fashion_mnist.ts for loading files in Node).
 */

/** Element types of IDX files, by their code. */
const TYPES = {
  0x08: { name: 'u8', size: 1 },
  0x09: { name: 'i8', size: 1 },
  0x0b: { name: 'i16', size: 2 },
  0x0c: { name: 'i32', size: 4 },
  0x0d: { name: 'f32', size: 4 },
  0x0e: { name: 'f64', size: 8 },
} as const;

export type IdxType = (typeof TYPES)[keyof typeof TYPES]['name'];
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX array. */
export interface IdxArray {
  readonly type: IdxType;
  readonly dims: readonly number[];
  readonly data: IdxData;
}

/**
 * Parses an IDX file. `where` names the file in error messages.
 *
 * @example
 * const { dims, data } = parseIdx(bytes); // dims [60000, 28, 28], data Uint8Array
 */
export function parseIdx(bytes: Uint8Array, where = 'IDX data'): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new Error(`${where}: is gzip-compressed. Fix: decompress it first (gunzip, or zlib.gunzipSync in Node)`);
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${where}: not an IDX file (the first two bytes must be 0)`);
  const t = TYPES[bytes[2] as keyof typeof TYPES];
  if (!t) throw new Error(`${where}: unknown IDX element type 0x${bytes[2].toString(16)}`);
  const nd = bytes[3];
  if (nd === 0 || bytes.length < 4 + 4 * nd) throw new Error(`${where}: truncated header (${nd} dimensions)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let k = 0; k < nd; k++) {
    const d = view.getUint32(4 + 4 * k, false);
    dims.push(d);
    count *= d;
  }
  const off = 4 + 4 * nd;
  if (bytes.length < off + count * t.size) {
    throw new Error(`${where}: truncated: the header announces ${count} elements (${dims.join(' × ')}) but only ${Math.floor((bytes.length - off) / t.size)} are present`);
  }
  let data: IdxData;
  switch (t.name) {
    case 'u8':
      // A copy into a plain Uint8Array (a Node Buffer's slice would be a view of a Buffer).
      data = new Uint8Array(bytes.subarray(off, off + count));
      break;
    case 'i8':
      data = Int8Array.from(new Int8Array(bytes.buffer, bytes.byteOffset + off, count));
      break;
    case 'i16':
      data = new Int16Array(count);
      for (let k = 0; k < count; k++) data[k] = view.getInt16(off + 2 * k, false);
      break;
    case 'i32':
      data = new Int32Array(count);
      for (let k = 0; k < count; k++) data[k] = view.getInt32(off + 4 * k, false);
      break;
    case 'f32':
      data = new Float32Array(count);
      for (let k = 0; k < count; k++) data[k] = view.getFloat32(off + 4 * k, false);
      break;
    case 'f64':
      data = new Float64Array(count);
      for (let k = 0; k < count; k++) data[k] = view.getFloat64(off + 8 * k, false);
      break;
  }
  return { type: t.name, dims, data };
}

/**
 * Writes an array as IDX bytes (the inverse of {@link parseIdx}).
 *
 * @example
 * const bytes = writeIdx('u8', [2, 2], Uint8Array.of(0, 1, 2, 3));
 */
export function writeIdx(type: IdxType, dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const entry = Object.entries(TYPES).find(([, v]) => v.name === type);
  if (!entry) throw new Error(`writeIdx: unknown type '${type}'`);
  const [code, t] = entry;
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`writeIdx: ${data.length} elements for dimensions ${dims.join(' × ')} (${count})`);
  const off = 4 + 4 * dims.length;
  const out = new Uint8Array(off + count * t.size);
  const view = new DataView(out.buffer);
  out[2] = Number(code);
  out[3] = dims.length;
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  for (let k = 0; k < count; k++) {
    const v = data[k];
    switch (type) {
      case 'u8':
        view.setUint8(off + k, v);
        break;
      case 'i8':
        view.setInt8(off + k, v);
        break;
      case 'i16':
        view.setInt16(off + 2 * k, v, false);
        break;
      case 'i32':
        view.setInt32(off + 4 * k, v, false);
        break;
      case 'f32':
        view.setFloat32(off + 4 * k, v, false);
        break;
      case 'f64':
        view.setFloat64(off + 8 * k, v, false);
        break;
    }
  }
  return out;
}
