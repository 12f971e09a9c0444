/**
 * Element-wise evaluation of one expression over arrays in WebAssembly: out[i] = e(x[i], y[i], …).
 * Used by the tests and benchmarks of the expression compiler, and handy for vectorized
 * evaluation of a formula over many points (f–I curves, nullclines).
 */
import { type Expr, symbolsOf } from '../equations/ast.js';
import { ModuleBuilder, Op, ValType } from './encoder.js';
import { ExprCompiler, type LaneKind, laneInfo } from './expr.js';
import { wasmApi, newMemory } from './runtime.js';

/** A compiled element-wise evaluator. */
export interface ExprEvaluator {
  /** The symbols, in the order of `inputs` (sorted by name). */
  readonly symbols: readonly string[];
  /** Lanes per instruction. */
  readonly width: number;
  /** Input arrays by symbol (write your points here), and the output. */
  readonly inputs: Readonly<Record<string, Float32Array | Float64Array>>;
  readonly output: Float32Array | Float64Array;
  /** Evaluates points 0 … count−1 (count is rounded up to a multiple of width; ≤ capacity). */
  run(count: number): void;
}

/**
 * Compiles `e` for element-wise evaluation of up to `capacity` points in lane type `kind`.
 * `constants` gives values to symbols that are the same for every point.
 *
 * @example
 * const ev = buildExprEvaluator(parseExpr('exprel(x)'), 'f32x4', 1024);
 * ev.inputs.x.set(xs); ev.run(xs.length); // ev.output[i] ≈ exprel(xs[i])
 */
export function buildExprEvaluator(e: Expr, kind: LaneKind, capacity: number, constants: Readonly<Record<string, number>> = {}): ExprEvaluator {
  const info = laneInfo(kind);
  const symbols = [...symbolsOf(e)].filter((s) => constants[s] === undefined).sort();
  const cap = Math.ceil(Math.max(capacity, 1) / info.width) * info.width;
  const bytes = cap * info.bytes;
  const offsets = new Map(symbols.map((s, k) => [s, k * bytes]));
  const outOff = symbols.length * bytes;
  const pages = Math.ceil((outOff + bytes) / 65536) || 1;
  const m = new ModuleBuilder();
  m.importMemory({ initial: pages });
  const f = m.addFunction('run', [ValType.i32], []);
  const i = f.local(ValType.i32);
  const addr = f.local(ValType.i32);
  const c = new ExprCompiler(f, kind, {
    addrLocal: addr,
    resolve: (n) => {
      const k = constants[n];
      if (k !== undefined) return { kind: 'const', value: k };
      const o = offsets.get(n);
      if (o === undefined) throw new Error(`unknown symbol '${n}'`);
      return { kind: 'array', offset: o };
    },
  });
  f.i32(0).set(i);
  f.block().get(i).get(0).op(Op.i32_ge_s).br_if(0).loop();
  f.get(i).i32(info.bytes === 8 ? 3 : 2).op(Op.i32_shl).tee(addr);
  c.value(e);
  c.lanes.store(outOff);
  f.get(i).i32(info.width).op(Op.i32_add).tee(i).get(0).op(Op.i32_lt_s).br_if(0);
  f.end().end();
  const api = wasmApi();
  const memory = newMemory(pages);
  const inst = new api.Instance(new api.Module(m.toBytes()), { env: { memory } });
  const run = inst.exports.run as (n: number) => void;
  const A = info.double ? Float64Array : Float32Array;
  const inputs: Record<string, Float32Array | Float64Array> = {};
  for (const s of symbols) inputs[s] = new A(memory.buffer, offsets.get(s)!, cap);
  const output = new A(memory.buffer, outOff, cap);
  return {
    symbols,
    width: info.width,
    inputs,
    output,
    run(count: number) {
      if (count > cap) throw new RangeError(`count ${count} exceeds the capacity ${cap}`);
      run(count);
    },
  };
}
