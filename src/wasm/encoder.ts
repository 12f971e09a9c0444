/**
 * A minimal WebAssembly binary module builder: LEB128, function types, an imported memory
 * (`env.memory`, optionally shared), functions with locals, exports, and the scalar and SIMD
 * instructions the kernel generators need.
 *
 * Opcode numbers follow the WebAssembly core specification (binary format, §5) and the fixed-width
 * SIMD proposal as merged into the specification (prefix 0xFD, sub-opcode as LEB128 u32).
 * Nothing here is validated by the builder itself: `WebAssembly.validate` / `new WebAssembly.Module`
 * are the judges, and the tests instantiate every module they build.
 */

/** Value types (binary encoding). */
export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Core (single-byte) opcodes used by the generators. */
export const Op = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b,
  br: 0x0c, br_if: 0x0d, return: 0x0f, call: 0x10, drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_load: 0x28, i64_load: 0x29, f32_load: 0x2a, f64_load: 0x2b,
  i32_store: 0x36, i64_store: 0x37, f32_store: 0x38, f64_store: 0x39,
  i32_const: 0x41, i64_const: 0x42, f32_const: 0x43, f64_const: 0x44,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b,
  i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_gt_s: 0x55, i64_le_s: 0x57, i64_ge_s: 0x59,
  f32_eq: 0x5b, f32_ne: 0x5c, f32_lt: 0x5d, f32_gt: 0x5e, f32_le: 0x5f, f32_ge: 0x60,
  f64_eq: 0x61, f64_ne: 0x62, f64_lt: 0x63, f64_gt: 0x64, f64_le: 0x65, f64_ge: 0x66,
  i32_clz: 0x67, i32_ctz: 0x68, i32_popcnt: 0x69, i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c,
  i32_div_s: 0x6d, i32_rem_u: 0x70, i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86, i64_shr_s: 0x87, i64_shr_u: 0x88,
  f32_abs: 0x8b, f32_neg: 0x8c, f32_ceil: 0x8d, f32_floor: 0x8e, f32_trunc: 0x8f, f32_nearest: 0x90, f32_sqrt: 0x91,
  f32_add: 0x92, f32_sub: 0x93, f32_mul: 0x94, f32_div: 0x95, f32_min: 0x96, f32_max: 0x97, f32_copysign: 0x98,
  f64_abs: 0x99, f64_neg: 0x9a, f64_ceil: 0x9b, f64_floor: 0x9c, f64_trunc: 0x9d, f64_nearest: 0x9e, f64_sqrt: 0x9f,
  f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_div: 0xa3, f64_min: 0xa4, f64_max: 0xa5, f64_copysign: 0xa6,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
  i32_trunc_f64_s: 0xaa, f32_convert_i32_s: 0xb2, f32_demote_f64: 0xb6, f64_convert_i32_s: 0xb7, f64_convert_i32_u: 0xb8, f64_promote_f32: 0xbb,
  i32_reinterpret_f32: 0xbc, i64_reinterpret_f64: 0xbd, f32_reinterpret_i32: 0xbe, f64_reinterpret_i64: 0xbf,
} as const;

/** Threads-proposal sub-opcodes (emitted after the 0xFE prefix). */
export const AtomicOp = {
  memory_atomic_notify: 0x00, memory_atomic_wait32: 0x01, atomic_fence: 0x03,
  i32_atomic_load: 0x10, i32_atomic_store: 0x17, i32_atomic_rmw_add: 0x1e,
} as const;

/** SIMD sub-opcodes (emitted after the 0xFD prefix). */
export const SimdOp = {
  v128_load: 0x00, v128_load32_splat: 0x09, v128_load64_splat: 0x0a, v128_store: 0x0b, v128_const: 0x0c,
  i32x4_splat: 0x11, i64x2_splat: 0x12, f32x4_splat: 0x13, f64x2_splat: 0x14,
  i32x4_extract_lane: 0x1b, i64x2_extract_lane: 0x1d, f32x4_extract_lane: 0x1f, f32x4_replace_lane: 0x20, f64x2_extract_lane: 0x21, f64x2_replace_lane: 0x22,
  i32x4_eq: 0x37, i32x4_ne: 0x38, i32x4_lt_s: 0x39, i32x4_gt_s: 0x3b, i32x4_le_s: 0x3d, i32x4_ge_s: 0x3f,
  f32x4_eq: 0x41, f32x4_ne: 0x42, f32x4_lt: 0x43, f32x4_gt: 0x44, f32x4_le: 0x45, f32x4_ge: 0x46,
  f64x2_eq: 0x47, f64x2_ne: 0x48, f64x2_lt: 0x49, f64x2_gt: 0x4a, f64x2_le: 0x4b, f64x2_ge: 0x4c,
  v128_not: 0x4d, v128_and: 0x4e, v128_andnot: 0x4f, v128_or: 0x50, v128_xor: 0x51, v128_bitselect: 0x52, v128_any_true: 0x53,
  i8x16_shuffle: 0x0d, v128_store64_lane: 0x5b, v128_load64_zero: 0x5d, f32x4_demote_f64x2_zero: 0x5e, f64x2_promote_low_f32x4: 0x5f,
  f32x4_ceil: 0x67, f32x4_floor: 0x68, f32x4_trunc: 0x69, f32x4_nearest: 0x6a,
  f64x2_ceil: 0x74, f64x2_floor: 0x75, f64x2_trunc: 0x7a, f64x2_nearest: 0x94,
  i32x4_abs: 0xa0, i32x4_neg: 0xa1, i32x4_all_true: 0xa3, i32x4_bitmask: 0xa4,
  i32x4_shl: 0xab, i32x4_shr_s: 0xac, i32x4_shr_u: 0xad, i32x4_add: 0xae, i32x4_sub: 0xb1, i32x4_mul: 0xb5,
  i64x2_bitmask: 0xc4, i64x2_extend_low_i32x4_s: 0xc7,
  i64x2_shl: 0xcb, i64x2_shr_s: 0xcc, i64x2_shr_u: 0xcd, i64x2_add: 0xce, i64x2_sub: 0xd1,
  i64x2_eq: 0xd6, i64x2_ne: 0xd7, i64x2_lt_s: 0xd8, i64x2_gt_s: 0xd9, i64x2_le_s: 0xda, i64x2_ge_s: 0xdb,
  f32x4_abs: 0xe0, f32x4_neg: 0xe1, f32x4_sqrt: 0xe3, f32x4_add: 0xe4, f32x4_sub: 0xe5, f32x4_mul: 0xe6, f32x4_div: 0xe7,
  f32x4_min: 0xe8, f32x4_max: 0xe9, f32x4_pmin: 0xea, f32x4_pmax: 0xeb,
  f64x2_abs: 0xec, f64x2_neg: 0xed, f64x2_sqrt: 0xef, f64x2_add: 0xf0, f64x2_sub: 0xf1, f64x2_mul: 0xf2, f64x2_div: 0xf3,
  f64x2_min: 0xf4, f64x2_max: 0xf5, f64x2_pmin: 0xf6, f64x2_pmax: 0xf7,
  i32x4_trunc_sat_f32x4_s: 0xf8, f32x4_convert_i32x4_s: 0xfa, f64x2_convert_low_i32x4_s: 0xfe,
} as const;

/**
 * Unsigned LEB128 of a non-negative integer below 2^53.
 *
 * @example
 * uleb128(624485) // [0xe5, 0x8e, 0x26]
 */
export function uleb128(v: number): number[] {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`uleb128: ${v} is not a non-negative integer`);
  const out: number[] = [];
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/**
 * Signed LEB128 of an integer (number for 32-bit values, bigint for 64-bit ones).
 *
 * @example
 * sleb128(-123456) // [0xc0, 0xbb, 0x78]
 */
export function sleb128(v: number | bigint): number[] {
  let x = BigInt(v);
  const out: number[] = [];
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

/**
 * A name (or any string) as a length-prefixed UTF-8 vector.
 *
 * @example
 * encodeName('env') // [3, 0x65, 0x6e, 0x76]
 */
export function encodeName(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...uleb128(b.length), ...b];
}

const f32buf = new DataView(new ArrayBuffer(8));

/**
 * The instructions of one function body, with its locals. Instructions are appended by the
 * methods; each returns `this` so that sequences chain.
 *
 * @example
 * const f = new FunctionBuilder([ValType.f32, ValType.f32], [ValType.f32]);
 * f.get(0).get(1).op(Op.f32_add);
 */
export class FunctionBuilder {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  /** Types of the declared locals (after the parameters). */
  readonly locals: ValType[] = [];
  readonly code: number[] = [];

  constructor(params: readonly ValType[], results: readonly ValType[]) {
    this.params = params;
    this.results = results;
  }

  /**
   * Declares a local and returns its index.
   *
   * @example
   * const tmp = f.local(ValType.v128);
   */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /** The type of local (or parameter) `i`. @example f.typeOf(0) */
  typeOf(i: number): ValType {
    return i < this.params.length ? this.params[i] : this.locals[i - this.params.length];
  }

  /** Appends raw bytes (an opcode and its immediates). @example f.op(Op.i32_add) */
  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  /** A SIMD instruction (0xFD prefix) with optional immediates. @example f.simd(SimdOp.f32x4_add) */
  simd(sub: number, ...imm: number[]): this {
    this.code.push(0xfd, ...uleb128(sub), ...imm);
    return this;
  }

  /** `local.get`. @example f.get(0) */
  get(i: number): this {
    return this.op(Op.local_get, ...uleb128(i));
  }
  /** `local.set`. @example f.set(2) */
  set(i: number): this {
    return this.op(Op.local_set, ...uleb128(i));
  }
  /** `local.tee`. @example f.tee(2) */
  tee(i: number): this {
    return this.op(Op.local_tee, ...uleb128(i));
  }
  /** `i32.const`. @example f.i32(-1) */
  i32(v: number): this {
    return this.op(Op.i32_const, ...sleb128(v | 0));
  }
  /** `i64.const`. @example f.i64(1n << 40n) */
  i64(v: bigint): this {
    return this.op(Op.i64_const, ...sleb128(BigInt.asIntN(64, v)));
  }
  /** `f32.const` (the value is rounded to float32). @example f.f32(0.5) */
  f32(v: number): this {
    f32buf.setFloat32(0, v, true);
    return this.op(Op.f32_const, f32buf.getUint8(0), f32buf.getUint8(1), f32buf.getUint8(2), f32buf.getUint8(3));
  }
  /** `f64.const`. @example f.f64(Math.PI) */
  f64(v: number): this {
    f32buf.setFloat64(0, v, true);
    const b: number[] = [];
    for (let k = 0; k < 8; k++) b.push(f32buf.getUint8(k));
    return this.op(Op.f64_const, ...b);
  }
  /** `v128.const` from 16 little-endian bytes. @example f.v128(new Uint8Array(16)) */
  v128(bytes: ArrayLike<number>): this {
    if (bytes.length !== 16) throw new RangeError('v128.const needs 16 bytes');
    return this.simd(SimdOp.v128_const, ...Array.from(bytes));
  }
  /** `v128.const` with four float32 lanes. @example f.f32x4(1, 1, 1, 1) */
  f32x4(a: number, b = a, c = a, d = a): this {
    return this.v128(new Uint8Array(new Float32Array([a, b, c, d]).buffer));
  }
  /** `v128.const` with two float64 lanes. @example f.f64x2(1) */
  f64x2(a: number, b = a): this {
    return this.v128(new Uint8Array(new Float64Array([a, b]).buffer));
  }
  /** `v128.const` with four int32 lanes. @example f.i32x4(0x7f800000) */
  i32x4(a: number, b = a, c = a, d = a): this {
    return this.v128(new Uint8Array(new Int32Array([a, b, c, d]).buffer));
  }
  /** `v128.const` with two int64 lanes. @example f.i64x2(1023n) */
  i64x2(a: bigint, b = a): this {
    return this.v128(new Uint8Array(new BigInt64Array([a, b]).buffer));
  }
  /**
   * A memory instruction with its memarg (alignment as log2 bytes, constant byte offset).
   *
   * @example
   * f.get(idx).mem(Op.f32_load, 2, 4096)
   */
  mem(opcode: number, alignLog2: number, offset: number): this {
    return this.op(opcode, ...uleb128(alignLog2), ...uleb128(offset));
  }
  /** A SIMD memory instruction with its memarg. @example f.get(idx).simdMem(SimdOp.v128_load, 4, 0) */
  simdMem(sub: number, alignLog2: number, offset: number): this {
    return this.simd(sub, ...uleb128(alignLog2), ...uleb128(offset));
  }
  /**
   * A threads-proposal instruction (0xFE prefix) with its memarg; `AtomicOp.fence` takes no memarg
   * (pass alignLog2 = -1).
   *
   * @example
   * f.get(addr).i32(1).atomic(AtomicOp.i32_rmw_add, 2, 0)
   */
  atomic(sub: number, alignLog2: number, offset: number): this {
    if (alignLog2 < 0) return this.op(0xfe, ...uleb128(sub), 0x00);
    return this.op(0xfe, ...uleb128(sub), ...uleb128(alignLog2), ...uleb128(offset));
  }
  /** `call` of function index `fn`. @example f.get(0).call(2) */
  call(fn: number): this {
    return this.op(Op.call, ...uleb128(fn));
  }
  /** `return`. @example f.get(0).ret() */
  ret(): this {
    return this.op(Op.return);
  }
  /** `block` (empty or single-result block type). @example f.block() */
  block(result?: ValType): this {
    return this.op(Op.block, result ?? 0x40);
  }
  /** `loop`. @example f.loop() */
  loop(result?: ValType): this {
    return this.op(Op.loop, result ?? 0x40);
  }
  /** `if`. @example f.if() */
  if(result?: ValType): this {
    return this.op(Op.if, result ?? 0x40);
  }
  /** `else`. @example f.else() */
  else(): this {
    return this.op(Op.else);
  }
  /** `end`. @example f.end() */
  end(): this {
    return this.op(Op.end);
  }
  /** `br` to relative depth. @example f.br(1) */
  br(depth: number): this {
    return this.op(Op.br, ...uleb128(depth));
  }
  /** `br_if` to relative depth. @example f.br_if(0) */
  br_if(depth: number): this {
    return this.op(Op.br_if, ...uleb128(depth));
  }

  /** The encoded body: locals (run-length grouped), code, final `end`. @example f.encode() */
  encode(): number[] {
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...uleb128(groups.length)];
    for (const [c, t] of groups) body.push(...uleb128(c), t);
    for (const b of this.code) body.push(b);
    body.push(Op.end);
    return [...uleb128(body.length), ...body];
  }
}

/** Limits of an imported memory, in 64 KiB pages. */
export interface MemoryImport {
  readonly initial: number;
  /** Required when `shared`. */
  readonly maximum?: number;
  readonly shared?: boolean;
}

/**
 * Builds a module: one imported memory (`env.memory` by default), functions, exports.
 *
 * @example
 * const m = new ModuleBuilder();
 * m.importMemory({ initial: 1 });
 * const f = m.addFunction('add', [ValType.i32, ValType.i32], [ValType.i32]);
 * f.get(0).get(1).op(Op.i32_add);
 * const { instance } = await WebAssembly.instantiate(m.toBytes(), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
 */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeBytes: number[][] = [];
  private memory: { module: string; name: string; limits: MemoryImport } | null = null;
  private readonly funcs: { type: number; body: FunctionBuilder }[] = [];
  private readonly exports: { name: string; kind: number; index: number }[] = [];
  private readonly funcImports: { module: string; name: string; type: number }[] = [];

  /**
   * Imports a function (before any function is added: imports take the first indices) and
   * returns its function index.
   *
   * @example
   * const wait = m.importFunction('env', 'wait', [ValType.i32, ValType.i32], []);
   */
  importFunction(module: string, name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.funcs.length > 0) throw new Error('import functions before adding any');
    this.funcImports.push({ module, name, type: this.typeIndex(params, results) });
    return this.funcImports.length - 1;
  }

  /** Imports the linear memory. @example m.importMemory({ initial: 16, maximum: 1024, shared: true }) */
  importMemory(limits: MemoryImport, module = 'env', name = 'memory'): this {
    if (limits.shared && limits.maximum === undefined) throw new Error('a shared memory needs a maximum');
    this.memory = { module, name, limits };
    return this;
  }

  /** Index of a function type, added if new. @example m.typeIndex([ValType.i32], []) */
  typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const bytes = [0x60, ...uleb128(params.length), ...params, ...uleb128(results.length), ...results];
    const key = bytes.join(',');
    let i = this.types.indexOf(key);
    if (i < 0) {
      i = this.types.length;
      this.types.push(key);
      this.typeBytes.push(bytes);
    }
    return i;
  }

  /**
   * Adds a function (exported under `exportName` unless null) and returns its builder; its
   * function index is `m.functionCount - 1` right after the call.
   *
   * @example
   * const f = m.addFunction('update', [ValType.i32, ValType.i32], [ValType.i32]);
   */
  addFunction(exportName: string | null, params: readonly ValType[], results: readonly ValType[]): FunctionBuilder {
    const body = new FunctionBuilder(params, results);
    const index = this.funcImports.length + this.funcs.length;
    this.funcs.push({ type: this.typeIndex(params, results), body });
    if (exportName !== null) this.exports.push({ name: exportName, kind: 0, index });
    return body;
  }

  /** Number of functions imported and added so far. @example m.functionCount */
  get functionCount(): number {
    return this.funcImports.length + this.funcs.length;
  }

  /** The binary module. @example new WebAssembly.Module(m.toBytes()) */
  toBytes(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]) => {
      out.push(id, ...uleb128(content.length));
      for (const b of content) out.push(b);
    };
    section(1, [...uleb128(this.typeBytes.length), ...this.typeBytes.flat()]);
    const imports: number[][] = this.funcImports.map((f) => [...encodeName(f.module), ...encodeName(f.name), 0x00, ...uleb128(f.type)]);
    if (this.memory) {
      const { module, name, limits } = this.memory;
      const flags = (limits.maximum !== undefined ? 1 : 0) | (limits.shared ? 2 : 0);
      const lim = [flags, ...uleb128(limits.initial), ...(limits.maximum !== undefined ? uleb128(limits.maximum) : [])];
      imports.push([...encodeName(module), ...encodeName(name), 0x02, ...lim]);
    }
    if (imports.length > 0) section(2, [...uleb128(imports.length), ...imports.flat()]);
    section(3, [...uleb128(this.funcs.length), ...this.funcs.flatMap((f) => uleb128(f.type))]);
    section(7, [...uleb128(this.exports.length), ...this.exports.flatMap((e) => [...encodeName(e.name), e.kind, ...uleb128(e.index)])]);
    const bodies: number[] = [...uleb128(this.funcs.length)];
    for (const f of this.funcs) for (const b of f.body.encode()) bodies.push(b);
    section(10, bodies);
    return Uint8Array.from(out);
  }
}
