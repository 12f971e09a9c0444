/**
 * Compiles expression trees (`Expr`) to WebAssembly instructions in one of four lane types:
 *
 * - `f32x4`: four neurons per instruction, state stored as Float32 (the fast path);
 * - `f64x2`: two neurons per instruction, state stored as Float64;
 * - `f32` / `f64`: one neuron (tails of vector loops, and the scalar fallback).
 *
 * The transcendental functions (exp, expm1, log, exprel and what is built on them) are inlined as
 * branch-free polynomial code with Cody–Waite range reduction, so that a vector of lanes is handled
 * by straight-line SIMD code with no call per lane. Their accuracy is measured in
 * `test/wasm.test.ts` (≈1–2 ulp in float32 over the whole range; underflow to 0, overflow to ∞).
 *
 * Comparisons and logic produce lane masks (all ones / all zeros per lane in SIMD, 0/1 in scalar
 * code); a mask used as a number is 1 or 0, a number used as a condition is true when it is
 * non-zero and not NaN (as in JavaScript).
 */
import { type Expr, type CmpOp } from '../equations/ast.js';
import { FunctionBuilder, Op, SimdOp, ValType } from './encoder.js';

/** The lane types code can be generated in. */
export type LaneKind = 'f32x4' | 'f64x2' | 'f32' | 'f64';

/** Static facts about a lane type. */
export interface LaneInfo {
  /** Neurons per instruction. */
  readonly width: number;
  /** Bytes of one array element (4 for float32 state, 8 for float64). */
  readonly bytes: 4 | 8;
  /** Type of a value (and of a local holding one). */
  readonly vt: ValType;
  /** Type of a mask. */
  readonly mt: ValType;
  /** Type of the integer view used by the bit-level code. */
  readonly it: ValType;
  readonly simd: boolean;
  readonly double: boolean;
}

/**
 * The facts about a lane kind.
 *
 * @example
 * laneInfo('f32x4').width // 4
 */
export function laneInfo(kind: LaneKind): LaneInfo {
  switch (kind) {
    case 'f32x4':
      return { width: 4, bytes: 4, vt: ValType.v128, mt: ValType.v128, it: ValType.v128, simd: true, double: false };
    case 'f64x2':
      return { width: 2, bytes: 8, vt: ValType.v128, mt: ValType.v128, it: ValType.v128, simd: true, double: true };
    case 'f32':
      return { width: 1, bytes: 4, vt: ValType.f32, mt: ValType.i32, it: ValType.i32, simd: false, double: false };
    case 'f64':
      return { width: 1, bytes: 8, vt: ValType.f64, mt: ValType.i32, it: ValType.i64, simd: false, double: true };
  }
}

/** What a symbol stands for, as `resolve` answers it. */
export type Operand =
  /** A per-neuron array whose element 0 is at this byte offset of memory (element type: the lane's). */
  | { readonly kind: 'array'; readonly offset: number }
  /** A local already holding the value (type: the lane value type). */
  | { readonly kind: 'local'; readonly index: number }
  /** A number known at build time. */
  | { readonly kind: 'const'; readonly value: number };

/**
 * Thrown for an expression the wasm back end cannot compile (the caller falls back to JS).
 *
 * @example
 * try { buildExprEvaluator(parseExpr('sin(x)'), 'f32x4', 4); }
 * catch (e) { if (e instanceof WasmUnsupportedError) useJsFallback(); else throw e; } // no wasm sin
 */
export class WasmUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WasmUnsupportedError';
  }
}

/** Functions the wasm back end compiles (others throw {@link WasmUnsupportedError}). */
export const WASM_FUNCTIONS: ReadonlySet<string> = new Set([
  'exp', 'expm1', 'log', 'log10', 'log1p', 'exprel', 'dexprel', 'd2exprel', 'tanh', 'sinh', 'cosh', 'sigmoid', 'sqrt', 'abs',
  'sign', 'floor', 'ceil', 'min', 'max', 'clip', 'heaviside',
]);

/**
 * The names of functions in `e` that the wasm back end cannot compile (empty when it can).
 *
 * @example
 * unsupportedFunctions(parseExpr('sin(x) + exp(x)')) // ['sin']
 */
export function unsupportedFunctions(e: Expr): string[] {
  const out = new Set<string>();
  const rec = (x: Expr): void => {
    if (x.k === 'call') {
      if (!WASM_FUNCTIONS.has(x.fn)) out.add(x.fn);
      x.args.forEach(rec);
    } else if (x.k === 'bin' || x.k === 'cmp' || x.k === 'logic') {
      rec(x.a);
      rec(x.b);
    } else if (x.k === 'neg' || x.k === 'not') rec(x.a);
  };
  rec(e);
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Constants of the elementary functions (derived here from their definitions).

const LN2 = Math.LN2;
/** ln 2 − fl(ln 2): the tail of ln 2 below double precision (ln 2 as a double-double). */
const LN2_TAIL = 2.3190468138462996e-17;
/** ln 2 split for float32 reduction: 16 significant bits (n·hi exact for |n| < 2^8). */
const LN2_HI_F32 = Math.round(LN2 * 65536) / 65536;
const LN2_LO_F32 = Math.fround(LN2 - LN2_HI_F32);
/** ln 2 split for float64 reduction: 32 significant bits (n·hi exact for |n| < 2^21). */
const LN2_HI_F64 = Math.round(LN2 * 2 ** 32) / 2 ** 32;
const LN2_LO_F64 = LN2 - LN2_HI_F64 + LN2_TAIL;
const inverseFactorials = (from: number, to: number) => {
  const out: number[] = [];
  let f = 1;
  for (let k = 1; k <= to; k++) {
    f *= k;
    if (k >= from) out.push(1 / f);
  }
  return out;
};
/** expm1(r) = r + r²·Q(r) on |r| ≤ ln2/2: Taylor coefficients 1/2!, 1/3!, … */
const EXPM1_Q_F32 = inverseFactorials(2, 7);
const EXPM1_Q_F64 = inverseFactorials(2, 13);
/** log(1+f) = 2s + s·z·P(z), s = f/(2+f), z = s²: P(z) = Σ 2 z^(k-1)/(2k+1). */
const logP = (terms: number) => Array.from({ length: terms }, (_, k) => 2 / (2 * k + 3));
const LOG_P_F32 = logP(5);
const LOG_P_F64 = logP(11);

/**
 * Emits code for values of one lane type onto a function body: arithmetic, comparisons, masks,
 * memory access and the integer (bit-level) operations the elementary functions need. Operands
 * are on the wasm stack, as for the instructions themselves.
 *
 * @example
 * const L = new Lanes(f, 'f32x4');
 * L.num(2); L.num(3); L.mul(); // pushes splat(6)
 */
export class Lanes {
  /** Where instructions go. */
  f: FunctionBuilder;
  readonly kind: LaneKind;
  readonly info: LaneInfo;
  private readonly t: LaneKind;

  constructor(f: FunctionBuilder, kind: LaneKind) {
    this.f = f;
    this.kind = kind;
    this.t = kind;
    this.info = laneInfo(kind);
  }

  /** A new local of the value type. @example const x = L.tmp(); */
  tmp(): number {
    return this.f.local(this.info.vt);
  }
  /** A new local of the mask type. @example const m = L.mtmp(); */
  mtmp(): number {
    return this.f.local(this.info.mt);
  }
  /** A new local of the integer type. @example const n = L.itmp(); */
  itmp(): number {
    return this.f.local(this.info.it);
  }

  private pick(ops: { f32x4: number; f64x2: number; f32: number; f64: number }): this {
    const o = ops[this.t];
    if (this.info.simd) this.f.simd(o);
    else this.f.op(o);
    return this;
  }

  /**
   * Hoists constants: from now on `num` reads each distinct constant from a local that
   * {@link Lanes.emitHoisted} initializes (call it where the code runs before the use, e.g. before
   * a loop). Saves rematerializing vector constants inside loops.
   *
   * @example
   * L.hoistConstants(); ...; L.emitHoisted(prologueBuilder)
   */
  hoistConstants(): void {
    this.hoisted = new Map();
  }
  private hoisted: Map<string, { value: number; local: number }> | null = null;

  /** Emits the initialization of the hoisted constants into `target`. @example L.emitHoisted(f) */
  emitHoisted(target: FunctionBuilder): void {
    if (!this.hoisted) return;
    const saved = this.hoisted;
    this.hoisted = null;
    const f = this.f;
    this.f = target;
    for (const { value, local } of saved.values()) {
      this.num(value);
      target.set(local);
    }
    this.f = f;
    this.hoisted = saved;
  }

  /** Pushes a constant in every lane. @example L.num(0.5) */
  num(v: number): this {
    if (this.hoisted) {
      const key = Object.is(v, -0) ? '-0' : String(v);
      let h = this.hoisted.get(key);
      if (!h) {
        h = { value: v, local: this.tmp() };
        this.hoisted.set(key, h);
      }
      this.f.get(h.local);
      return this;
    }
    switch (this.t) {
      case 'f32x4':
        this.f.f32x4(v);
        break;
      case 'f64x2':
        this.f.f64x2(v);
        break;
      case 'f32':
        this.f.f32(v);
        break;
      case 'f64':
        this.f.f64(v);
        break;
    }
    return this;
  }
  /** Broadcasts a scalar of the element type (f32 or f64) to all lanes. @example f.f32(1); L.splat() */
  splat(): this {
    if (this.t === 'f32x4') this.f.simd(SimdOp.f32x4_splat);
    else if (this.t === 'f64x2') this.f.simd(SimdOp.f64x2_splat);
    return this;
  }

  /** a + b. @example L.add() */
  add(): this {
    return this.pick({ f32x4: SimdOp.f32x4_add, f64x2: SimdOp.f64x2_add, f32: Op.f32_add, f64: Op.f64_add });
  }
  /** a − b. @example L.sub() */
  sub(): this {
    return this.pick({ f32x4: SimdOp.f32x4_sub, f64x2: SimdOp.f64x2_sub, f32: Op.f32_sub, f64: Op.f64_sub });
  }
  /** a · b. @example L.mul() */
  mul(): this {
    return this.pick({ f32x4: SimdOp.f32x4_mul, f64x2: SimdOp.f64x2_mul, f32: Op.f32_mul, f64: Op.f64_mul });
  }
  /** a / b. @example L.div() */
  div(): this {
    return this.pick({ f32x4: SimdOp.f32x4_div, f64x2: SimdOp.f64x2_div, f32: Op.f32_div, f64: Op.f64_div });
  }
  /** −a. @example L.neg() */
  neg(): this {
    return this.pick({ f32x4: SimdOp.f32x4_neg, f64x2: SimdOp.f64x2_neg, f32: Op.f32_neg, f64: Op.f64_neg });
  }
  /** |a|. @example L.abs() */
  abs(): this {
    return this.pick({ f32x4: SimdOp.f32x4_abs, f64x2: SimdOp.f64x2_abs, f32: Op.f32_abs, f64: Op.f64_abs });
  }
  /** √a. @example L.sqrt() */
  sqrt(): this {
    return this.pick({ f32x4: SimdOp.f32x4_sqrt, f64x2: SimdOp.f64x2_sqrt, f32: Op.f32_sqrt, f64: Op.f64_sqrt });
  }
  /** ⌊a⌋. @example L.floor() */
  floor(): this {
    return this.pick({ f32x4: SimdOp.f32x4_floor, f64x2: SimdOp.f64x2_floor, f32: Op.f32_floor, f64: Op.f64_floor });
  }
  /** ⌈a⌉. @example L.ceil() */
  ceil(): this {
    return this.pick({ f32x4: SimdOp.f32x4_ceil, f64x2: SimdOp.f64x2_ceil, f32: Op.f32_ceil, f64: Op.f64_ceil });
  }
  /** min(a, b), NaN-propagating, −0 < +0 (JavaScript's Math.min). @example L.min() */
  min(): this {
    return this.pick({ f32x4: SimdOp.f32x4_min, f64x2: SimdOp.f64x2_min, f32: Op.f32_min, f64: Op.f64_min });
  }
  /** max(a, b), as Math.max. @example L.max() */
  max(): this {
    return this.pick({ f32x4: SimdOp.f32x4_max, f64x2: SimdOp.f64x2_max, f32: Op.f32_max, f64: Op.f64_max });
  }
  /** b < a ? b : a (one instruction in SIMD). @example L.pmin() */
  pmin(): this {
    if (this.info.simd) return this.f.simd(this.info.double ? SimdOp.f64x2_pmin : SimdOp.f32x4_pmin), this;
    const a = this.tmp();
    const b = this.tmp();
    this.f.set(b).set(a).get(b).get(a).get(b).get(a);
    this.cmp('<');
    this.f.op(Op.select);
    return this;
  }
  /** a < b ? b : a (one instruction in SIMD). @example L.pmax() */
  pmax(): this {
    if (this.info.simd) return this.f.simd(this.info.double ? SimdOp.f64x2_pmax : SimdOp.f32x4_pmax), this;
    const a = this.tmp();
    const b = this.tmp();
    this.f.set(b).set(a).get(b).get(a).get(a).get(b);
    this.cmp('<');
    this.f.op(Op.select);
    return this;
  }
  /**
   * Clamps the value on the stack to `[lo, hi]`, keeping NaN (cheap bound for internal use).
   *
   * @example
   * L.clampConst(-110, 89)
   */
  clampConst(lo: number, hi: number): this {
    if (this.info.simd) {
      this.num(hi).pmin();
      return this.num(lo).pmax();
    }
    this.num(hi).min();
    return this.num(lo).max();
  }

  /** Comparison of two values, giving a mask. @example L.cmp('>') */
  cmp(op: CmpOp): this {
    switch (op) {
      case '<':
        return this.pick({ f32x4: SimdOp.f32x4_lt, f64x2: SimdOp.f64x2_lt, f32: Op.f32_lt, f64: Op.f64_lt });
      case '>':
        return this.pick({ f32x4: SimdOp.f32x4_gt, f64x2: SimdOp.f64x2_gt, f32: Op.f32_gt, f64: Op.f64_gt });
      case '<=':
        return this.pick({ f32x4: SimdOp.f32x4_le, f64x2: SimdOp.f64x2_le, f32: Op.f32_le, f64: Op.f64_le });
      case '>=':
        return this.pick({ f32x4: SimdOp.f32x4_ge, f64x2: SimdOp.f64x2_ge, f32: Op.f32_ge, f64: Op.f64_ge });
      case '==':
        return this.pick({ f32x4: SimdOp.f32x4_eq, f64x2: SimdOp.f64x2_eq, f32: Op.f32_eq, f64: Op.f64_eq });
      case '!=':
        return this.pick({ f32x4: SimdOp.f32x4_ne, f64x2: SimdOp.f64x2_ne, f32: Op.f32_ne, f64: Op.f64_ne });
    }
  }
  /** Mask and. @example L.and() */
  and(): this {
    if (this.info.simd) this.f.simd(SimdOp.v128_and);
    else this.f.op(Op.i32_and);
    return this;
  }
  /** Mask or. @example L.or() */
  or(): this {
    if (this.info.simd) this.f.simd(SimdOp.v128_or);
    else this.f.op(Op.i32_or);
    return this;
  }
  /** Mask not. @example L.not() */
  not(): this {
    if (this.info.simd) this.f.simd(SimdOp.v128_not);
    else this.f.op(Op.i32_eqz);
    return this;
  }
  /**
   * Stack [a, b, mask] → mask ? a : b, lane by lane (values, masks or integer lanes alike).
   *
   * @example
   * L.num(1); L.num(0); f.get(mask); L.select()
   */
  select(): this {
    if (this.info.simd) this.f.simd(SimdOp.v128_bitselect);
    else this.f.op(Op.select);
    return this;
  }
  /** Mask → 1 or 0 as a value. @example L.toNum() */
  toNum(): this {
    if (this.info.simd) {
      this.num(1);
      this.f.simd(SimdOp.v128_and);
    } else this.f.op(this.info.double ? Op.f64_convert_i32_u : Op.f32_convert_i32_s);
    return this;
  }
  /**
   * Replaces subnormal lanes of the value on the stack by +0 (wasm has no flush-to-zero mode, and
   * subnormal arithmetic is 10–100× slower on x86).
   *
   * @example
   * L.flushSubnormal()
   */
  flushSubnormal(): this {
    const x = this.tmp();
    const tiny = this.info.double ? 2 ** -1022 : 2 ** -126;
    this.f.set(x);
    if (this.info.simd) {
      this.f.get(x).get(x);
      this.abs().num(tiny).cmp('<');
      this.f.simd(SimdOp.v128_andnot);
    } else {
      this.num(0);
      this.f.get(x).get(x);
      this.abs().num(tiny).cmp('<');
      this.select();
    }
    return this;
  }

  /** Value → mask of lanes that are non-zero and not NaN (JavaScript truthiness). @example L.truthy() */
  truthy(): this {
    const x = this.tmp();
    this.f.tee(x);
    this.num(0).cmp('<');
    this.f.get(x);
    this.num(0).cmp('>');
    return this.or();
  }
  /** Mask → i32 with bit k set when lane k is true (scalar: the 0/1 mask itself). @example L.bitmask() */
  bitmask(): this {
    if (this.kind === 'f32x4') this.f.simd(SimdOp.i32x4_bitmask);
    else if (this.kind === 'f64x2') this.f.simd(SimdOp.i64x2_bitmask);
    return this;
  }

  /** Loads the lanes at byte address (stack) + `offset`. @example f.get(addr); L.load(4096) */
  load(offset: number): this {
    if (this.info.simd) this.f.simdMem(SimdOp.v128_load, 4, offset);
    else this.f.mem(this.info.double ? Op.f64_load : Op.f32_load, this.info.double ? 3 : 2, offset);
    return this;
  }
  /** Stores stack [address, value] at address + `offset`. @example L.store(4096) */
  store(offset: number): this {
    if (this.info.simd) this.f.simdMem(SimdOp.v128_store, 4, offset);
    else this.f.mem(this.info.double ? Op.f64_store : Op.f32_store, this.info.double ? 3 : 2, offset);
    return this;
  }

  // ---- integer lanes (same width as the float lanes) -----------------------------------------
  /** Pushes an integer constant in every integer lane. @example L.iconst(127) */
  iconst(v: number | bigint): this {
    switch (this.t) {
      case 'f32x4':
        this.f.i32x4(Number(v));
        break;
      case 'f64x2':
        this.f.i64x2(BigInt(v));
        break;
      case 'f32':
        this.f.i32(Number(v));
        break;
      case 'f64':
        this.f.i64(BigInt(v));
        break;
    }
    return this;
  }
  /** Reinterprets float lanes as integer lanes. @example L.asInt() */
  asInt(): this {
    if (this.t === 'f32') this.f.op(Op.i32_reinterpret_f32);
    else if (this.t === 'f64') this.f.op(Op.i64_reinterpret_f64);
    return this;
  }
  /** Reinterprets integer lanes as float lanes. @example L.asFloat() */
  asFloat(): this {
    if (this.t === 'f32') this.f.op(Op.f32_reinterpret_i32);
    else if (this.t === 'f64') this.f.op(Op.f64_reinterpret_i64);
    return this;
  }
  /** Integer a + b. @example L.iadd() */
  iadd(): this {
    return this.pick({ f32x4: SimdOp.i32x4_add, f64x2: SimdOp.i64x2_add, f32: Op.i32_add, f64: Op.i64_add });
  }
  /** Integer a − b. @example L.isub() */
  isub(): this {
    return this.pick({ f32x4: SimdOp.i32x4_sub, f64x2: SimdOp.i64x2_sub, f32: Op.i32_sub, f64: Op.i64_sub });
  }
  /** Integer a & b. @example L.iand() */
  iand(): this {
    if (this.info.simd) this.f.simd(SimdOp.v128_and);
    else this.f.op(this.t === 'f64' ? Op.i64_and : Op.i32_and);
    return this;
  }
  /** Integer a | b. @example L.ior() */
  ior(): this {
    if (this.info.simd) this.f.simd(SimdOp.v128_or);
    else this.f.op(this.t === 'f64' ? Op.i64_or : Op.i32_or);
    return this;
  }
  /** Integer shift left by a constant. @example L.ishl(23) */
  ishl(k: number): this {
    if (this.t === 'f64') this.f.i64(BigInt(k));
    else this.f.i32(k);
    return this.pick({ f32x4: SimdOp.i32x4_shl, f64x2: SimdOp.i64x2_shl, f32: Op.i32_shl, f64: Op.i64_shl });
  }
  /** Integer arithmetic shift right by a constant. @example L.ishrS(1) */
  ishrS(k: number): this {
    if (this.t === 'f64') this.f.i64(BigInt(k));
    else this.f.i32(k);
    return this.pick({ f32x4: SimdOp.i32x4_shr_s, f64x2: SimdOp.i64x2_shr_s, f32: Op.i32_shr_s, f64: Op.i64_shr_s });
  }
  /** Integer lanes + (mask ? 1 : 0). @example L.iaddMask() */
  iaddMask(): this {
    if (this.info.simd) return this.isub(); // a true lane is −1
    if (this.t === 'f64') this.f.op(Op.i64_extend_i32_u);
    return this.iadd();
  }
}

/** Options of an {@link ExprCompiler}. */
export interface ExprCompilerOptions {
  /** What each symbol is. Throw for an unknown one. */
  readonly resolve: (name: string) => Operand;
  /** The local (i32) holding the byte offset of the current neuron's element: index × element bytes. */
  readonly addrLocal: number;
  /**
   * Reuse the value of a repeated sub-expression (same tree, same resolved symbols) instead of
   * recomputing it. On by default; call {@link ExprCompiler.forget} whenever a local that a
   * symbol resolves to is reassigned, or when leaving a conditional block.
   */
  readonly cse?: boolean;
  /**
   * Divide by a constant as a multiplication by its reciprocal (results may differ by 1 ulp from
   * a true division). Off by default; division by a power of two is exact either way.
   */
  readonly reciprocalDivision?: boolean;
}

/**
 * Compiles expressions to code that leaves one lane value (or mask) on the wasm stack.
 *
 * @example
 * const m = new ModuleBuilder(); m.importMemory({ initial: 1 });
 * const f = m.addFunction('g', [ValType.i32], []);          // param 0: byte address
 * const c = new ExprCompiler(f, 'f32x4', { addrLocal: 0, resolve: (n) => ({ kind: 'array', offset: n === 'x' ? 0 : 16 }) });
 * f.get(0); c.value(parseExpr('exp(x) * y')); c.lanes.store(32); // z = exp(x)·y, four lanes
 */
export class ExprCompiler {
  readonly f: FunctionBuilder;
  readonly lanes: Lanes;
  private resolver: (name: string) => Operand;
  private readonly addr: number;
  private readonly cse: boolean;
  private readonly reciprocal: boolean;
  private cache = new Map<string, { local: number; mask: boolean }>();
  private keys = new WeakMap<Expr, string>();

  constructor(f: FunctionBuilder, kind: LaneKind, opts: ExprCompilerOptions) {
    this.f = f;
    this.lanes = new Lanes(f, kind);
    this.resolver = opts.resolve;
    this.addr = opts.addrLocal;
    this.cse = opts.cse ?? true;
    this.reciprocal = opts.reciprocalDivision ?? false;
  }

  /**
   * What symbols stand for. Changing it keeps the reusable values (they are keyed by what the
   * symbols resolved to, not by name).
   *
   * @example
   * c.resolve = (n) => (n === 'v' ? { kind: 'local', index: vNew } : other(n));
   */
  get resolve(): (name: string) => Operand {
    return this.resolver;
  }
  set resolve(fn: (name: string) => Operand) {
    this.resolver = fn;
    this.keys = new WeakMap();
  }

  /**
   * Forgets the reusable values (after a local they depend on changed, or at the end of a block).
   *
   * @example
   * c.forget();
   */
  forget(): void {
    this.cache.clear();
    this.keys = new WeakMap();
  }

  /**
   * Pushes the value of `e` (a mask used as a number is 1 or 0).
   *
   * @example
   * c.value(parseExpr('-(v - El)/tau'))
   */
  value(e: Expr): void {
    if (this.emit(e)) this.lanes.toNum();
  }

  /**
   * Pushes `e` as a mask (a number is true when non-zero and not NaN).
   *
   * @example
   * c.mask(parseExpr('v > Vth'))
   */
  mask(e: Expr): void {
    if (!this.emit(e)) this.lanes.truthy();
  }

  /**
   * Pushes the value of `e` and stores it into a new local, returning the local.
   *
   * @example
   * const k1 = c.valueToLocal(rhs);
   */
  valueToLocal(e: Expr): number {
    this.value(e);
    const l = this.lanes.tmp();
    this.f.set(l);
    return l;
  }

  private key(e: Expr): string {
    let k = this.keys.get(e);
    if (k !== undefined) return k;
    switch (e.k) {
      case 'num':
        k = `#${e.v}`;
        break;
      case 'sym': {
        const o = this.resolve(e.name);
        k = o.kind === 'array' ? `@${o.offset}` : o.kind === 'local' ? `%${o.index}` : `#${o.value}`;
        break;
      }
      case 'bin':
      case 'cmp':
      case 'logic':
        k = `(${e.op} ${this.key(e.a)} ${this.key(e.b)})`;
        break;
      case 'neg':
      case 'not':
        k = `(${e.k} ${this.key(e.a)})`;
        break;
      case 'call':
        k = `(${e.fn} ${e.args.map((a) => this.key(a)).join(' ')})`;
        break;
    }
    this.keys.set(e, k);
    return k;
  }

  /** Emits `e`; returns true when what was pushed is a mask. */
  private emit(e: Expr): boolean {
    if (e.k === 'num') {
      this.lanes.num(e.v);
      return false;
    }
    if (e.k === 'sym') {
      const o = this.resolve(e.name);
      if (o.kind === 'const') {
        this.lanes.num(o.value);
        return false;
      }
      if (o.kind === 'local') {
        this.f.get(o.index);
        return false;
      }
    }
    if (!this.cse) return this.emitNode(e);
    const k = this.key(e);
    const hit = this.cache.get(k);
    if (hit) {
      this.f.get(hit.local);
      return hit.mask;
    }
    const mask = this.emitNode(e);
    const local = mask ? this.lanes.mtmp() : this.lanes.tmp();
    this.f.tee(local);
    this.cache.set(k, { local, mask });
    return mask;
  }

  private emitNode(e: Expr): boolean {
    const L = this.lanes;
    const f = this.f;
    switch (e.k) {
      case 'num':
        L.num(e.v);
        return false;
      case 'sym': {
        const o = this.resolve(e.name);
        if (o.kind === 'array') {
          f.get(this.addr);
          L.load(o.offset);
        } else if (o.kind === 'local') f.get(o.index);
        else L.num(o.value);
        return false;
      }
      case 'neg': {
        // −(a − b) = b − a and −(c·x) = (−c)·x exactly (up to the sign of a zero result): no
        // negation instruction (three instructions on x64)
        const a = e.a;
        if (a.k === 'bin' && a.op === '-') {
          this.value(a.b);
          this.value(a.a);
          L.sub();
          return false;
        }
        if (a.k === 'bin' && a.op === '*' && a.a.k === 'num') {
          L.num(-a.a.v);
          this.value(a.b);
          L.mul();
          return false;
        }
        if (a.k === 'bin' && a.op === '/' && a.b.k === 'num' && this.reciprocal && a.b.v !== 0 && Number.isFinite(1 / a.b.v)) {
          this.value(a.a);
          L.num(-1 / a.b.v);
          L.mul();
          return false;
        }
        if (a.k === 'bin' && a.op === '/' && a.b.k === 'num') {
          this.value(a.a);
          L.num(-a.b.v);
          L.div();
          return false;
        }
        this.value(a);
        L.neg();
        return false;
      }
      case 'bin':
        // a + (−b) = a − b, (−a) + b = b − a, a − (−b) = a + b: exact rewrites
        if (e.op === '+' && e.b.k === 'neg') {
          this.value(e.a);
          this.value(e.b.a);
          L.sub();
          return false;
        }
        if (e.op === '+' && e.a.k === 'neg') {
          this.value(e.b);
          this.value(e.a.a);
          L.sub();
          return false;
        }
        if (e.op === '-' && e.b.k === 'neg') {
          this.value(e.a);
          this.value(e.b.a);
          L.add();
          return false;
        }
        if (e.op === '^') {
          this.pow(e.a, e.b);
          return false;
        }
        if (e.op === '/' && this.reciprocal && e.b.k === 'num' && e.b.v !== 0 && Number.isFinite(1 / e.b.v)) {
          // x / c → x · (1/c): one rounding more (≤ 1 ulp), several times the throughput
          this.value(e.a);
          L.num(1 / e.b.v);
          L.mul();
          return false;
        }
        this.value(e.a);
        this.value(e.b);
        if (e.op === '+') L.add();
        else if (e.op === '-') L.sub();
        else if (e.op === '*') L.mul();
        else L.div();
        return false;
      case 'cmp':
        this.value(e.a);
        this.value(e.b);
        L.cmp(e.op);
        return true;
      case 'logic':
        this.mask(e.a);
        this.mask(e.b);
        if (e.op === 'and') L.and();
        else L.or();
        return true;
      case 'not':
        this.mask(e.a);
        L.not();
        return true;
      case 'call':
        return this.call(e.fn, e.args);
    }
  }

  private pow(a: Expr, b: Expr): void {
    const L = this.lanes;
    const f = this.f;
    if (b.k === 'num' && Number.isInteger(b.v) && Math.abs(b.v) <= 64) {
      const k = Math.abs(b.v);
      if (k === 0) {
        L.num(1);
        return;
      }
      this.value(a);
      const x = L.tmp();
      f.set(x);
      if (k <= 4) {
        // multiplied out left to right, as the JavaScript code generator does
        f.get(x);
        for (let j = 1; j < k; j++) {
          f.get(x);
          L.mul();
        }
      } else {
        // binary powering
        let result = -1;
        let base = x;
        let rem = k;
        while (rem > 0) {
          if (rem & 1) {
            if (result < 0) result = base;
            else {
              f.get(result).get(base);
              L.mul();
              result = L.tmp();
              f.set(result);
            }
          }
          rem >>= 1;
          if (rem > 0) {
            f.get(base).get(base);
            L.mul();
            base = L.tmp();
            f.set(base);
          }
        }
        f.get(result);
      }
      if (b.v < 0) {
        const p = L.tmp();
        f.set(p);
        L.num(1);
        f.get(p);
        L.div();
      }
      return;
    }
    if (b.k === 'num' && b.v === 0.5) {
      this.value(a);
      L.sqrt();
      return;
    }
    // general case: exp(b·log a), defined for a > 0 (a = 0 gives 0 for b > 0, ∞ for b < 0)
    if (a.k === 'num' && a.v > 0) {
      this.value(b);
      L.num(Math.log(a.v));
      L.mul();
      this.exp();
      return;
    }
    this.value(a);
    this.log();
    this.value(b);
    L.mul();
    this.exp();
  }

  private call(fn: string, args: readonly Expr[]): boolean {
    const L = this.lanes;
    const f = this.f;
    const one = () => this.value(args[0]);
    switch (fn) {
      case 'exp':
        one();
        this.exp();
        return false;
      case 'expm1':
        one();
        this.expm1();
        return false;
      case 'exprel':
        one();
        this.exprel();
        return false;
      case 'log':
        one();
        this.log();
        return false;
      case 'dexprel':
      case 'd2exprel':
        one();
        this.dexprel(fn === 'd2exprel');
        return false;
      case 'log10':
        one();
        this.log();
        L.num(1 / Math.LN10).mul();
        return false;
      case 'log1p': {
        // log1p(x) = log(u)·x/(u−1) with u = 1 + x (exact when u = 1: x)
        one();
        const x = L.tmp();
        const u = L.tmp();
        f.tee(x);
        L.num(1).add();
        f.tee(u);
        this.log();
        f.get(x);
        L.mul();
        f.get(u);
        L.num(1).sub().div();
        f.get(x);
        f.get(u);
        L.num(1).cmp('==');
        const r = L.tmp();
        // stack: [log(u)·x/(u−1), x, (u == 1)] → select needs [a=x, b=expr, m]
        const m = L.mtmp();
        f.set(m).set(r);
        const v = L.tmp();
        f.set(v).get(r).get(v).get(m);
        L.select();
        return false;
      }
      case 'tanh': {
        // tanh|x| = e/(e+2), e = expm1(2 min(|x|, c)), c beyond which tanh rounds to 1; sign restored
        one();
        const x = L.tmp();
        f.tee(x);
        L.abs().num(L.info.double ? 20 : 10).pmin().num(2).mul();
        this.expm1();
        const e = L.tmp();
        f.tee(e);
        f.get(e);
        L.num(2).add().div();
        const y = L.tmp();
        f.tee(y);
        L.neg();
        f.get(y).get(x);
        L.num(0).cmp('<');
        L.select();
        return false;
      }
      case 'sinh': {
        // sinh|x| = (e + e/(e+1))/2, e = expm1(|x|) (no cancellation near 0); sign restored
        one();
        const x = L.tmp();
        f.tee(x);
        L.abs();
        this.expm1();
        const e = L.tmp();
        f.tee(e);
        L.num(0.5).mul();
        L.num(1);
        f.get(e).get(e);
        L.num(1).add().div();
        L.pmin(); // e/(e+1) is NaN when e = ∞: then 1
        L.num(0.5).mul().add();
        const y = L.tmp();
        f.tee(y);
        L.neg();
        f.get(y).get(x);
        L.num(0).cmp('<');
        L.select();
        return false;
      }
      case 'cosh': {
        one();
        L.abs();
        this.exp();
        const e = L.tmp();
        f.tee(e);
        L.num(0.5).mul().num(0.5);
        f.get(e);
        L.div().add();
        return false;
      }
      case 'sigmoid':
        L.num(1).num(1);
        one();
        L.neg();
        this.exp();
        L.add().div();
        return false;
      case 'sqrt':
        one();
        L.sqrt();
        return false;
      case 'abs':
        one();
        L.abs();
        return false;
      case 'floor':
        one();
        L.floor();
        return false;
      case 'ceil':
        one();
        L.ceil();
        return false;
      case 'sign': {
        // x > 0 ? 1 : x < 0 ? −1 : x (keeps ±0 and NaN, as Math.sign)
        one();
        const x = L.tmp();
        f.set(x);
        L.num(1).num(-1);
        f.get(x);
        f.get(x);
        L.num(0).cmp('<');
        L.select();
        f.get(x);
        L.num(0).cmp('>');
        L.select();
        return false;
      }
      case 'heaviside':
        one();
        L.num(0).cmp('>');
        return true;
      case 'min':
        this.value(args[0]);
        this.value(args[1]);
        L.min();
        return false;
      case 'max':
        this.value(args[0]);
        this.value(args[1]);
        L.max();
        return false;
      case 'clip':
        // x < lo ? lo : x > hi ? hi : x, as the JavaScript helper
        this.value(args[0]);
        this.value(args[1]);
        L.pmax();
        this.value(args[2]);
        L.pmin();
        return false;
      default:
        throw new WasmUnsupportedError(`function '${fn}' has no WebAssembly implementation`);
    }
  }

  // ---- elementary functions: consume the value on the stack, push the result -----------------

  /**
   * Range reduction shared by exp and expm1: x = n ln2 + r, |r| ≤ ln2/2, after clamping x to
   * [lo, hi]. Returns locals: em1r = expm1(r), s1 and s2 with s1·s2 = 2^n (each a normal number),
   * nf = n as a float.
   */
  private reduce(lo: number, hi: number): { em1r: number; s1: number; s2: number; nf: number; xc: number } {
    const L = this.lanes;
    const f = this.f;
    const dbl = L.info.double;
    const MAGIC = dbl ? 6755399441055744 : 12582912; // 1.5·2^52, 1.5·2^23: adding it rounds to an integer
    const MAGIC_BITS = dbl ? 0x4338000000000000n : 0x4b400000;
    const MANT = dbl ? 52 : 23;
    const BIAS = dbl ? 1023 : 127;
    const x = L.tmp();
    L.clampConst(lo, hi);
    f.set(x);
    const t = L.tmp();
    const nf = L.tmp();
    f.get(x);
    L.num(Math.LOG2E).mul().num(MAGIC).add();
    f.tee(t);
    L.num(MAGIC).sub();
    f.set(nf);
    const ni = L.itmp();
    f.get(t);
    L.asInt().iconst(MAGIC_BITS).isub();
    f.set(ni);
    // r = (x − n·ln2hi) − n·ln2lo
    const r = L.tmp();
    f.get(x).get(nf);
    L.num(dbl ? LN2_HI_F64 : LN2_HI_F32).mul().sub();
    f.get(nf);
    L.num(dbl ? LN2_LO_F64 : LN2_LO_F32).mul().sub();
    f.set(r);
    // expm1(r) = r + r²·Q(r)
    const Q = dbl ? EXPM1_Q_F64 : EXPM1_Q_F32;
    f.get(r);
    f.get(r).get(r);
    L.mul();
    this.horner(r, Q);
    L.mul().add();
    const em1r = L.tmp();
    f.set(em1r);
    // 2^n = s1·s2 with n1 = n >> 1, n2 = n − n1
    const n1 = L.itmp();
    const s1 = L.tmp();
    const s2 = L.tmp();
    f.get(ni);
    L.ishrS(1);
    f.tee(n1);
    L.iconst(BIAS).iadd().ishl(MANT).asFloat();
    f.set(s1);
    f.get(ni).get(n1);
    L.isub().iconst(BIAS).iadd().ishl(MANT).asFloat();
    f.set(s2);
    return { em1r, s1, s2, nf, xc: x };
  }

  /** Pushes c0 + r(c1 + r(c2 + …)). */
  private horner(r: number, c: readonly number[]): void {
    const L = this.lanes;
    L.num(c[c.length - 1]);
    for (let k = c.length - 2; k >= 0; k--) {
      this.f.get(r);
      L.mul().num(c[k]).add();
    }
  }

  /**
   * eˣ of the value on the stack: 0 below the underflow bound, ∞ above the overflow bound, NaN for NaN.
   *
   * @example
   * c.value(parseExpr('-v/VT')); c.exp();
   */
  exp(): void {
    const L = this.lanes;
    const dbl = L.info.double;
    const { em1r, s1, s2 } = this.reduce(dbl ? -750 : -110, dbl ? 710 : 89);
    this.f.get(em1r);
    L.num(1).add();
    this.f.get(s1);
    L.mul();
    this.f.get(s2);
    L.mul();
  }

  /**
   * eˣ − 1 of the value on the stack, without cancellation near 0; −1 for large negative x.
   *
   * @example
   * c.value(parseExpr('x')); c.expm1();
   */
  expm1(): void {
    this.expm1Over(false);
  }

  /**
   * (eˣ − 1)/x of the value on the stack, 1 at x = 0; finite up to x ≈ 93 in float32 (where eˣ
   * alone overflows), ∞ at ∞.
   *
   * @example
   * c.value(parseExpr('B*dt')); c.exprel();
   */
  exprel(): void {
    const L = this.lanes;
    const f = this.f;
    const x = L.tmp();
    f.tee(x);
    this.expm1Over(true, x);
    const q = L.tmp();
    f.set(q);
    L.num(1);
    f.get(q).get(x);
    L.num(0).cmp('==');
    L.select();
  }

  /**
   * expm1 of the value on the stack, divided by local `div` when `divide` (before the last
   * scaling, so that exprel does not overflow where eˣ does).
   */
  private expm1Over(divide: boolean, div = -1): void {
    const L = this.lanes;
    const f = this.f;
    const dbl = L.info.double;
    // hi: beyond it eˣ/x overflows too (so that exprel(∞) = ∞)
    const { em1r, s1, s2, nf, xc } = this.reduce(dbl ? -40 : -30, dbl ? 720 : 95);
    // n ≤ 100: em1r·2^n + (2^n − 1); larger n: e^x (the −1 is below an ulp), scaled in two steps
    const s = L.tmp();
    f.get(s1).get(s2);
    L.mul();
    f.tee(s);
    f.get(em1r);
    L.mul();
    f.get(s);
    L.num(1).sub().add();
    if (divide) {
      f.get(div);
      L.div();
    }
    f.get(em1r);
    L.num(1).add();
    f.get(s1);
    L.mul();
    if (divide) {
      f.get(xc); // = div where this branch is taken, except div = ∞
      L.div();
    }
    f.get(s2);
    L.mul();
    const big = L.mtmp();
    f.get(nf);
    L.num(100).cmp('>');
    f.set(big);
    // stack: [small, large]; want big ? large : small
    const large = L.tmp();
    const small = L.tmp();
    f.set(large).set(small).get(large).get(small).get(big);
    L.select();
  }

  /**
   * exprel'(u) = ((u − 1)eᵘ + 1)/u² (or, `second`, exprel''(u) = ((u² − 2u + 2)eᵘ − 2)/u³) of the
   * value on the stack: the formula, or its Taylor series for |u| < 10⁻² where the formula cancels
   * (the same split as `dexprel` / `d2exprel` in src/equations/symbolic.ts). The reverse pass of
   * exponential Euler needs them.
   *
   * @example
   * c.value(parseExpr('B*dt')); c.dexprel(false);
   */
  dexprel(second: boolean): void {
    const L = this.lanes;
    const f = this.f;
    const u = L.tmp();
    f.set(u);
    const series = second ? [1 / 3, 1 / 4, 1 / 10, 1 / 36, 1 / 168] : [1 / 2, 1 / 3, 1 / 8, 1 / 30, 1 / 144, 1 / 840];
    L.num(series[series.length - 1]);
    for (let j = series.length - 2; j >= 0; j--) {
      f.get(u);
      L.mul().num(series[j]).add();
    }
    const near = L.tmp();
    f.set(near);
    f.get(u);
    this.exp();
    const e = L.tmp();
    f.set(e);
    if (second) {
      f.get(u).get(u);
      L.mul();
      f.get(u);
      L.num(2).mul().sub().num(2).add();
      f.get(e);
      L.mul().num(2).sub();
      f.get(u).get(u);
      L.mul();
      f.get(u);
      L.mul().div();
    } else {
      f.get(u);
      L.num(1).sub();
      f.get(e);
      L.mul().num(1).add();
      f.get(u).get(u);
      L.mul().div();
    }
    const far = L.tmp();
    f.set(far);
    f.get(near).get(far).get(u);
    L.abs().num(1e-2).cmp('<');
    L.select();
  }

  /**
   * Natural logarithm of the value on the stack: −∞ at 0, NaN below 0 and for NaN, ∞ at ∞;
   * subnormal inputs handled.
   *
   * @example
   * c.value(parseExpr('x')); c.log();
   */
  log(): void {
    const L = this.lanes;
    const f = this.f;
    const dbl = L.info.double;
    const MANT = dbl ? 52 : 23;
    const BIAS = dbl ? 1023 : 127;
    const ONE_BITS = dbl ? 0x3ff0000000000000n : 0x3f800000;
    const MANT_MASK = dbl ? 0x000fffffffffffffn : 0x007fffff;
    const MIN_NORMAL = dbl ? 2 ** -1022 : 2 ** -126;
    const x = L.tmp();
    f.set(x);
    // subnormal inputs: scale up by 2^MANT, remember the exponent shift
    const sub = L.mtmp();
    f.get(x);
    L.num(MIN_NORMAL).cmp('<');
    f.set(sub);
    const xs = L.tmp();
    f.get(x);
    L.num(2 ** MANT).mul();
    f.get(x).get(sub);
    L.select();
    f.set(xs);
    // e = exponent − bias (− MANT if scaled), m ∈ [1, 2)
    const bits = L.itmp();
    const e = L.itmp();
    f.get(xs);
    L.asInt();
    f.tee(bits);
    L.ishrS(MANT).iconst(BIAS).isub();
    L.iconst(MANT);
    L.iconst(0);
    f.get(sub);
    L.select();
    L.isub();
    f.set(e);
    const m = L.tmp();
    f.get(bits);
    L.iconst(MANT_MASK).iand().iconst(ONE_BITS).ior().asFloat();
    f.set(m);
    // m > √2: m/2, e + 1 → m ∈ [√2/2, √2)
    const big = L.mtmp();
    f.get(m);
    L.num(Math.SQRT2).cmp('>');
    f.set(big);
    f.get(m);
    L.num(0.5).mul();
    f.get(m).get(big);
    L.select();
    f.set(m);
    f.get(e).get(big);
    L.iaddMask();
    f.set(e);
    // log m = 2s + s·z·P(z), s = f/(2+f), f = m − 1, z = s²
    const s = L.tmp();
    const z = L.tmp();
    f.get(m);
    L.num(1).sub();
    const fl = L.tmp();
    f.tee(fl);
    L.num(2);
    f.get(fl);
    L.add().div();
    f.tee(s);
    f.get(s);
    L.mul();
    f.set(z);
    const lm = L.tmp();
    f.get(s);
    L.num(2).mul();
    f.get(s).get(z);
    L.mul();
    this.horner(z, dbl ? LOG_P_F64 : LOG_P_F32);
    L.mul().add();
    f.set(lm);
    // e·ln2hi + (e·ln2lo + log m)
    const ef = L.tmp();
    f.get(e);
    this.intToFloat();
    f.set(ef);
    f.get(ef);
    L.num(dbl ? LN2_HI_F64 : LN2_HI_F32).mul();
    f.get(ef);
    L.num(dbl ? LN2_LO_F64 : LN2_LO_F32).mul();
    f.get(lm);
    L.add().add();
    // special values: +∞ → ∞, 0 → −∞, x < 0 or NaN → NaN
    const res = L.tmp();
    f.set(res);
    L.num(Infinity);
    f.get(res).get(x);
    L.num(Infinity).cmp('==');
    L.select();
    f.set(res);
    L.num(-Infinity);
    f.get(res).get(x);
    L.num(0).cmp('==');
    L.select();
    f.set(res);
    L.num(NaN);
    f.get(res).get(x);
    L.num(0).cmp('>=');
    L.not();
    L.select();
  }

  /** Integer lanes (small values) → float lanes. */
  private intToFloat(): void {
    const L = this.lanes;
    switch (L.kind) {
      case 'f32x4':
        this.f.simd(SimdOp.f32x4_convert_i32x4_s);
        break;
      case 'f32':
        this.f.op(Op.f32_convert_i32_s);
        break;
      case 'f64':
        this.f.op(Op.i32_wrap_i64).op(Op.f64_convert_i32_s);
        break;
      case 'f64x2': {
        // the values are small: add them to the bits of 1.5·2^52 (ulp 1) and subtract 1.5·2^52
        L.iconst(0x4338000000000000n).iadd().asFloat();
        L.num(1.5 * 2 ** 52).sub();
        break;
      }
    }
  }
}
