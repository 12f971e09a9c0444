/**
 * WebAssembly neuron-update kernels: one group's step (integration, refractoriness, threshold,
 * reset, spike list) generated from the same expression trees as the JavaScript kernel of
 * `src/core/network.ts`, with four neurons per instruction (f32x4) and a scalar tail.
 *
 * Semantics mirror `Network.buildGroup` exactly, neuron by neuron:
 *
 * ```
 * c_x = x[i]                                   (every state variable)
 * nr  = (n − lastspike[i]) >= refSteps         (when refSteps > 0)
 * n_x = c_x + (gated && nr ? increment : 0)    (the integrator's formulas)
 * if (nr && threshold(n_…)) { reset statements in order; lastspike[i] = n; spikes[count++] = i }
 * x[i] = n_x
 * ```
 *
 * All arrays live in one WebAssembly memory (see {@link WasmArena}); the kernel addresses them by
 * fixed byte offsets compiled in as constants. The generated function is
 * `update(n: i32, spikeOut: i32) → i32`: `n` is the step number, `spikeOut` the byte offset where
 * the indices of the neurons that spike are written (ascending), the result is their count.
 */
import { type Expr, isNoiseSymbol, num, substitute } from '../equations/ast.js';
import { type Assignment } from '../equations/parser.js';
import { noiseSymbols, type OdeVar } from '../integrators/index.js';
import { diff, simplify, dependsOn, applyFunction } from '../equations/symbolic.js';
import { ModuleBuilder, FunctionBuilder, Op, SimdOp, ValType, type MemoryImport } from './encoder.js';
import { ExprCompiler, type LaneKind, type Operand, laneInfo } from './expr.js';
import { randomFunctions, type RandomFunctions } from './random.js';
import { wasmApi, newMemory, type WasmMemory, type WasmModule } from './runtime.js';

/**
 * A random number a kernel's trees read as `symbol`: drawn once per neuron i and step n, before
 * the update, as KERNEL_HELPERS.uniform / normal(seed, stream, i, n) (float64; rounded to float32
 * for float32 lanes, a uniform one kept below 1). White-noise symbols (xi) are normal draws.
 */
export interface RandomDraw {
  readonly symbol: string;
  readonly kind: 'uniform' | 'normal';
  readonly seed: number;
  readonly stream: number;
}


/** The description of one group's update. */
export interface UpdateKernelSpec {
  /** Number of neurons. */
  readonly size: number;
  /** Lane type: 'f32x4' (default; Float32 state), 'f64x2' (Float64 state), or scalar 'f32' / 'f64'. */
  readonly lanes?: LaneKind;
  /** The state variables with their right-hand sides, as `buildGroup` passes them to the integrator. */
  readonly vars: readonly OdeVar[];
  readonly method: 'euler' | 'rk2' | 'rk4' | 'exp_euler' | 'euler_maruyama' | 'milstein';
  /** The random numbers (and white noise) the trees read. */
  readonly random?: readonly RandomDraw[];
  /** Time step in seconds. */
  readonly dt: number;
  /**
   * Byte offset of element 0 of every per-neuron array a symbol names: each state variable, and
   * any other per-neuron symbol (inputs `ext$I`, per-neuron parameters `p$tau`, synaptic states).
   * Elements are float32 (float64 for the f64 lane types).
   */
  readonly arrays: Readonly<Record<string, number>>;
  /** Named scalars (normally already folded into the trees). */
  readonly constants?: Readonly<Record<string, number>>;
  /**
   * Symbols read from one memory element (byte offset) shared by all neurons, loaded once per
   * call: e.g. an input array found uniform, so that the loop does not stream it.
   */
  readonly uniforms?: Readonly<Record<string, number>>;
  /** Spike condition on the new values, or null for a group without threshold. */
  readonly threshold?: Expr | null;
  /** Statements run on a spike, on the new values, in order. */
  readonly reset?: readonly Assignment[];
  /** Refractory period in steps (0: none). */
  readonly refSteps?: number;
  /** Byte offset of the Int32 `lastspike` array (initialized by the caller, e.g. to −2^30). */
  readonly lastSpikeOffset: number;
  /**
   * When given, the kernel writes an i32 here after each call: 1 when the sum of the new values
   * of some lane was not finite (the JavaScript kernel's divergence check), else 0.
   */
  readonly finiteFlagOffset?: number;
  /** Limits of the imported memory; the default `{ initial: 1 }` accepts any non-shared memory. */
  readonly memory?: MemoryImport;
  /**
   * How the spike list is written (all give identical results): 'branch' branches once per
   * vector on "some lane spiked" around a loop over the set bits; 'unrolled' does the same with
   * one test per lane; 'branchless' stores every lane's index and advances the count by its bit
   * (f32x4 only). 'auto' (default): 'branchless' for large update bodies, 'branch' for small ones.
   */
  readonly compaction?: 'auto' | 'branch' | 'branchless' | 'unrolled';
  /**
   * Replace subnormal new values by 0 (default: true for float32 lanes, false for float64).
   * Decaying variables (synaptic conductances without input) reach float32 subnormals after
   * ~90 time constants, and x86 processes subnormals 10–100× slower; wasm cannot set
   * flush-to-zero. Values below 1.2e-38 never matter to a neuron model.
   */
  readonly flushSubnormals?: boolean;
  /** Vectors per SIMD loop iteration (default 1: unrolling measured no gain in bench/wasm_kernels.ts); results do not change. */
  readonly unroll?: number;
  /** Keep vector constants in locals set before the loop (default true). */
  readonly hoistConstants?: boolean;
  /**
   * Divide by constants as multiplications by their reciprocals (≤ 1 ulp difference; default
   * true for float32 lanes, false for float64 ones, whose results then match JavaScript's).
   */
  readonly reciprocalDivision?: boolean;
}

/** A compiled update kernel. */
export interface UpdateKernel {
  /** The binary module. */
  readonly bytes: Uint8Array;
  readonly module: WasmModule;
  /** Instantiates on `memory`; returns `update(n, spikeOut) → spike count`. */
  instantiate(memory: WasmMemory): (n: number, spikeOut: number) => number;
}

/**
 * Generates the update kernel of one group.
 *
 * @example
 * const arena = new WasmArena();
 * const v = arena.reserve(N * 4), ls = arena.reserve(N * 4), sp = arena.reserve(N * 4);
 * const k = buildUpdateKernel({ size: N, vars: [{ name: 'v', rhs: parseExpr('(-0.06 - v)/0.02'), gated: true }],
 *   method: 'euler', dt: 1e-4, arrays: { v }, threshold: parseExpr('v > -0.05'),
 *   reset: parseStatements('v = -0.06'), refSteps: 50, lastSpikeOffset: ls });
 * const update = k.instantiate(arena.memory());
 * const count = update(0, sp);
 */
export function buildUpdateKernel(spec: UpdateKernelSpec): UpdateKernel {
  const m = new ModuleBuilder();
  m.importMemory(spec.memory ?? { initial: 1 });
  emitUpdateFunction(m, spec, 'update', false);
  const bytes = m.toBytes();
  const api = wasmApi();
  const module = new api.Module(bytes);
  return {
    bytes,
    module,
    instantiate(memory: WasmMemory) {
      const inst = new api.Instance(module, { env: { memory } });
      return inst.exports.update as (n: number, spikeOut: number) => number;
    },
  };
}

/**
 * Adds one group's update to module `m` (which imports the memory) and returns its function index.
 *
 * Unranged: `update(n, spikeOut) → count` over all neurons, the divergence flag stored at
 * `spec.finiteFlagOffset`. Ranged (for worker threads): `update(n, spikeOut, lo, hi, flagAddr) →
 * count` over neurons [lo, hi), where `lo` is a multiple of the lane width (so that each neuron
 * is computed by the same instructions whatever the partition), the flag stored at `flagAddr`
 * when `spec.finiteFlagOffset` is given.
 *
 * @example
 * const m = new ModuleBuilder();
 * m.importMemory(arena.limits());
 * const fn = emitUpdateFunction(m, spec, null, true);
 */
export function emitUpdateFunction(m: ModuleBuilder, spec: UpdateKernelSpec, exportName: string | null, ranged: boolean): number {
  const kind = spec.lanes ?? 'f32x4';
  const info = laneInfo(kind);
  const tailKind: LaneKind = info.double ? 'f64' : 'f32';
  const N = spec.size;
  if (!Number.isInteger(N) || N < 0) throw new RangeError(`size must be a non-negative integer, got ${N}`);
  const params = ranged ? [ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32] : [ValType.i32, ValType.i32];
  const f = m.addFunction(exportName, params, [ValType.i32]);
  const index = m.functionCount - 1;
  const P_N = 0;
  const P_OUT = 1;
  const i = f.local(ValType.i32);
  const addr = f.local(ValType.i32); // i · element bytes
  const addr4 = f.local(ValType.i32); // i · 4 (lastspike)
  const count = f.local(ValType.i32);
  const bm = f.local(ValType.i32);
  const idx = f.local(ValType.i32);
  f.i32(0).set(i).i32(0).set(count);
  const locals = { i, addr, addr4, count, bm, idx, n: P_N, out: P_OUT };

  const W = info.width;
  const flags: number[] = [];
  const rnd = spec.random?.length ? randomFunctions(m) : undefined;
  if (ranged) {
    // vector loop over [lo, vend), vend = lo + ((hi − lo) & −W); scalar tail over [vend, hi)
    const lo: Bound = { local: 2 };
    const hi: Bound = { local: 3 };
    const vend = f.local(ValType.i32);
    f.get(3).get(2).op(Op.i32_sub).i32(-W).op(Op.i32_and).get(2).op(Op.i32_add).set(vend);
    if (W > 1) {
      const acc = emitLoop(f, spec, kind, locals, lo, { local: vend }, rnd);
      if (acc !== null) flags.push(acc);
    }
    const acc = emitLoop(f, spec, tailKind, locals, W > 1 ? { local: vend } : lo, hi, rnd);
    if (acc !== null) flags.push(acc);
  } else {
    if (W > 1 && N >= W) {
      const acc = emitLoop(f, spec, kind, locals, 0, N - (N % W), rnd);
      if (acc !== null) flags.push(acc);
    }
    if (W === 1 || N % W !== 0) {
      const acc = emitLoop(f, spec, W === 1 ? kind : tailKind, locals, W === 1 ? 0 : N - (N % W), N, rnd);
      if (acc !== null) flags.push(acc);
    }
  }
  if (spec.finiteFlagOffset !== undefined) {
    if (ranged) f.get(4);
    else f.i32(0);
    f.i32(0);
    for (const g of flags) f.get(g).op(Op.i32_or);
    f.mem(Op.i32_store, 2, ranged ? 0 : spec.finiteFlagOffset);
  }
  f.get(count);
  return index;
}

/** A loop bound: a constant, or a local holding it. */
type Bound = number | { readonly local: number };
const pushBound = (f: FunctionBuilder, b: Bound): FunctionBuilder => (typeof b === 'number' ? f.i32(b) : f.get(b.local));

/** Update bodies larger than this (bytes of wasm code) use branchless spike compaction under 'auto'. */
const AUTO_BRANCHLESS_BYTES = 1500;

interface Locals {
  readonly i: number;
  readonly addr: number;
  readonly addr4: number;
  readonly count: number;
  readonly bm: number;
  readonly idx: number;
  readonly n: number;
  readonly out: number;
}

/**
 * Emits `for (i = from; i < to; i += width) body` in lane type `kind`. Returns the local (i32)
 * that is 1 when a non-finite value was produced (only with finiteFlagOffset), else null.
 */
function emitLoop(f: FunctionBuilder, spec: UpdateKernelSpec, kind: LaneKind, l: Locals, from: Bound, to: Bound, rnd: RandomFunctions | undefined): number | null {
  const info = laneInfo(kind);
  const W = info.width;
  const dbl = info.double;
  const vars = spec.vars;
  const names = new Set(vars.map((v) => v.name));
  const dt = spec.dt;
  const refSteps = spec.refSteps ?? 0;
  const consts = spec.constants ?? {};
  for (const v of vars) if (spec.arrays[v.name] === undefined) throw new Error(`state variable '${v.name}' has no array offset`);

  // Loop-invariant values: t = n·dt (and t + shifts for RK stages), n broadcast for the refractory test.
  const vt = info.vt;
  const tLocal = f.local(vt);
  f.get(l.n).op(Op.f64_convert_i32_s).f64(dt).op(Op.f64_mul);
  if (!dbl) f.op(Op.f32_demote_f64);
  if (info.simd) f.simd(dbl ? SimdOp.f64x2_splat : SimdOp.f32x4_splat);
  f.set(tLocal);
  const tShifted = new Map<number, number>();
  const tAt = (s: number): number => {
    if (s === 0) return tLocal;
    let loc = tShifted.get(s);
    if (loc === undefined) {
      loc = f.local(vt);
      tShifted.set(s, loc);
      // computed before the loop: the code is appended to the prologue list below
      prologue.push(() => {
        f.get(l.n).op(Op.f64_convert_i32_s).f64(dt).op(Op.f64_mul).f64(s).op(Op.f64_add);
        if (!dbl) f.op(Op.f32_demote_f64);
        if (info.simd) f.simd(dbl ? SimdOp.f64x2_splat : SimdOp.f32x4_splat);
        f.set(loc!);
      });
    }
    return loc;
  };
  const prologue: (() => void)[] = [];
  const nLanes = info.simd ? f.local(ValType.v128) : l.n;
  if (info.simd) {
    if (dbl) f.get(l.n).op(Op.i64_extend_i32_s).simd(SimdOp.i64x2_splat);
    else f.get(l.n).simd(SimdOp.i32x4_splat);
    f.set(nLanes);
  }
  const lsAddr = info.bytes === 8 ? l.addr4 : l.addr;
  const acc = spec.finiteFlagOffset !== undefined ? f.local(vt) : -1;
  if (acc >= 0) {
    if (info.simd) f.f32x4(0);
    else if (dbl) f.f64(0);
    else f.f32(0);
    f.set(acc);
  }

  // Stage locals are created while the body is generated; the body goes to a separate builder
  // so that loop invariants found on the way (t + shift) can be computed before the loop.
  const body = new FunctionBuilder(f.params, f.results);
  // share the local index space: locals declared through `body` land in f's list
  (body as { locals: ValType[] }).locals = f.locals;
  const c = new ExprCompiler(body, kind, {
    addrLocal: l.addr,
    resolve: () => ({ kind: 'const', value: 0 }),
    reciprocalDivision: spec.reciprocalDivision ?? !dbl,
  });
  const L = c.lanes;
  if (spec.hoistConstants ?? true) L.hoistConstants();
  const flush = spec.flushSubnormals ?? !dbl;
  // uniforms: one local each, loaded and broadcast before the loop
  const uniformLocals = new Map<string, number>();
  const uniformLocal = (name: string): number | undefined => {
    const off = spec.uniforms?.[name];
    if (off === undefined) return undefined;
    let loc = uniformLocals.get(name);
    if (loc === undefined) {
      const l = f.local(vt);
      loc = l;
      uniformLocals.set(name, l);
      prologue.push(() => {
        f.i32(0).mem(dbl ? Op.f64_load : Op.f32_load, dbl ? 3 : 2, off);
        if (info.simd) f.simd(dbl ? SimdOp.f64x2_splat : SimdOp.f32x4_splat);
        f.set(l);
      });
    }
    return loc;
  };
  // random draws: one per lane, each from its neuron's counter (i + lane, n), so that a neuron's
  // numbers do not depend on the lane or thread that computes it
  const drawn = new Map<string, number>();
  for (const r of spec.random ?? []) {
    const loc = L.tmp();
    for (let k = 0; k < W; k++) {
      if (info.simd && k > 0) body.get(loc);
      body.i32(r.seed).i32(r.stream).get(l.i);
      if (k > 0) body.i32(k).op(Op.i32_add);
      body.get(l.n).call(r.kind === 'normal' ? rnd!.normal : rnd!.uniform);
      if (!dbl) body.op(Op.f32_demote_f64);
      // a uniform draw rounded to float32 stays below 1 (1 − 2^-24 is the largest float32 below it)
      if (!dbl && r.kind === 'uniform') body.f32(1 - 2 ** -24).op(Op.f32_min);
      if (info.simd) {
        if (k === 0) body.simd(dbl ? SimdOp.f64x2_splat : SimdOp.f32x4_splat);
        else body.simd(dbl ? SimdOp.f64x2_replace_lane : SimdOp.f32x4_replace_lane, k);
      }
      body.set(loc);
    }
    drawn.set(r.symbol, loc);
  }
  const resolver = (stage: ReadonlyMap<string, number>, tLoc: number) => (name: string): Operand => {
    const s = stage.get(name);
    if (s !== undefined) return { kind: 'local', index: s };
    if (name === 't') return { kind: 'local', index: tLoc };
    const d = drawn.get(name);
    if (d !== undefined) return { kind: 'local', index: d };
    const u = uniformLocal(name);
    if (u !== undefined) return { kind: 'local', index: u };
    const off = spec.arrays[name];
    if (off !== undefined) return { kind: 'array', offset: off };
    const k = consts[name];
    if (k !== undefined) return { kind: 'const', value: k };
    throw new Error(`unresolved symbol '${name}' in a WebAssembly kernel`);
  };

  // c_x
  const cur = new Map<string, number>();
  for (const v of vars) {
    const loc = L.tmp();
    body.get(l.addr);
    L.load(spec.arrays[v.name]);
    body.set(loc);
    cur.set(v.name, loc);
  }
  // nr
  let nr = -1;
  if (refSteps > 0) {
    nr = L.mtmp();
    if (info.simd) {
      body.get(nLanes).get(lsAddr);
      if (dbl) {
        body.simdMem(SimdOp.v128_load64_zero, 3, spec.lastSpikeOffset).simd(SimdOp.i64x2_extend_low_i32x4_s);
        body.simd(SimdOp.i64x2_sub).i64x2(BigInt(refSteps)).simd(SimdOp.i64x2_ge_s);
      } else {
        body.simdMem(SimdOp.v128_load, 4, spec.lastSpikeOffset);
        body.simd(SimdOp.i32x4_sub).i32x4(refSteps).simd(SimdOp.i32x4_ge_s);
      }
    } else {
      body.get(l.n).get(lsAddr).mem(Op.i32_load, 2, spec.lastSpikeOffset).op(Op.i32_sub).i32(refSteps).op(Op.i32_ge_s);
    }
    body.set(nr);
  }
  // integration: n_x = c_x + gate(increment)
  const next = new Map<string, number>();
  const apply = (v: OdeVar, pushIncrement: () => void) => {
    body.get(cur.get(v.name)!);
    pushIncrement();
    if (v.gated && nr >= 0) {
      if (info.simd) {
        body.get(nr); // nr ? increment : 0 as a bit mask
        body.simd(SimdOp.v128_and);
      } else {
        L.num(0);
        body.get(nr);
        L.select();
      }
    }
    L.add();
    if (flush) L.flushSubnormal();
    const loc = L.tmp();
    body.set(loc);
    next.set(v.name, loc);
  };
  // Exact variables (plasticity traces) follow exponential Euler whatever the method; the stages
  // of the other variables read them at the start of the step.
  const exactVars = spec.method === 'exp_euler' ? [] : vars.filter((v) => v.exact);
  const mainVars = exactVars.length ? vars.filter((v) => !v.exact) : vars;
  const stage = (vals: ReadonlyMap<string, number>, tLoc: number): Map<string, number> => {
    c.resolve = resolver(vals, tLoc);
    const k = new Map<string, number>();
    for (const v of mainVars) k.set(v.name, c.valueToLocal(v.rhs));
    return k;
  };
  const advance = (base: ReadonlyMap<string, number>, k: ReadonlyMap<string, number>, h: number): Map<string, number> => {
    const out = new Map<string, number>();
    for (const v of exactVars) out.set(v.name, cur.get(v.name)!);
    for (const v of mainVars) {
      body.get(base.get(v.name)!);
      L.num(h);
      body.get(k.get(v.name)!);
      L.mul().add();
      const loc = L.tmp();
      body.set(loc);
      out.set(v.name, loc);
    }
    return out;
  };
  const mulBy = (h: number, k: number) => () => {
    L.num(h);
    body.get(k);
    L.mul();
  };
  const expEuler = (list: readonly OdeVar[]) => {
    c.resolve = resolver(cur, tLocal);
    for (const v of list) {
      const B = diff(v.rhs, v.name);
      if (dependsOn(B, v.name)) throw new Error(`exponential Euler needs d${v.name}/dt to be linear in ${v.name}`);
      const Bs = simplify(B);
      const fLoc = c.valueToLocal(v.rhs);
      if (Bs.k === 'num') {
        const factor = Bs.v === 0 ? dt : dt * applyFunction('exprel', [Bs.v * dt]);
        apply(v, mulBy(factor, fLoc));
      } else {
        // dt · exprel(B·dt) · f
        c.value(Bs);
        L.num(dt).mul();
        c.exprel();
        const ex = L.tmp();
        body.set(ex);
        apply(v, () => {
          L.num(dt);
          body.get(ex);
          L.mul();
          body.get(fLoc);
          L.mul();
        });
      }
    }
  };
  // dx = f dt + Σ g_z·√dt·Z_z (+ ½ g_z ∂g_z/∂x ((√dt Z_z)² − dt) for Milstein): the operations
  // of generateStep's JavaScript, in its order, so that float64 results are the same bits
  const stochastic = (milstein: boolean) => {
    c.resolve = resolver(cur, tLocal);
    const noise = noiseSymbols(mainVars);
    const sqdt = Math.sqrt(dt);
    const drift = new Map<string, number>();
    for (const v of mainVars) drift.set(v.name, c.valueToLocal(simplify(substitute(v.rhs, (n) => (isNoiseSymbol(n) ? num(0) : undefined)))));
    const dW = (z: string) => {
      const loc = drawn.get(z);
      if (loc === undefined) throw new Error(`the noise '${z}' has no random draw`);
      L.num(sqdt);
      body.get(loc);
      L.mul();
    };
    for (const v of mainVars) {
      apply(v, () => {
        L.num(dt);
        body.get(drift.get(v.name)!);
        L.mul();
        for (const z of noise) {
          const g = diff(v.rhs, z);
          if (g.k === 'num' && g.v === 0) continue;
          if (noise.some((zz) => dependsOn(g, zz))) throw new Error(`d${v.name}/dt must be linear in the noise ${z}`);
          c.value(g);
          dW(z);
          L.mul().add();
          const dg = milstein ? diff(g, v.name) : num(0);
          if (!(dg.k === 'num' && dg.v === 0)) {
            L.num(0.5);
            c.value(g);
            L.mul();
            c.value(dg);
            L.mul();
            dW(z);
            dW(z);
            L.mul().num(dt).sub().mul().add();
          }
        }
      });
    }
  };
  switch (spec.method) {
    case 'euler': {
      const k1 = stage(cur, tLocal);
      for (const v of mainVars) apply(v, mulBy(dt, k1.get(v.name)!));
      break;
    }
    case 'rk2': {
      const k1 = stage(cur, tLocal);
      const mid = advance(cur, k1, dt / 2);
      const k2 = stage(mid, tAt(dt / 2));
      for (const v of mainVars) apply(v, mulBy(dt, k2.get(v.name)!));
      break;
    }
    case 'rk4': {
      const k1 = stage(cur, tLocal);
      const a = advance(cur, k1, dt / 2);
      const k2 = stage(a, tAt(dt / 2));
      const b = advance(cur, k2, dt / 2);
      const k3 = stage(b, tAt(dt / 2));
      const e = advance(cur, k3, dt);
      const k4 = stage(e, tAt(dt));
      for (const v of mainVars) {
        apply(v, () => {
          // dt/6 · (k1 + 2 k2 + 2 k3 + k4)
          L.num(dt / 6);
          body.get(k1.get(v.name)!);
          L.num(2);
          body.get(k2.get(v.name)!);
          L.mul().add().num(2);
          body.get(k3.get(v.name)!);
          L.mul().add();
          body.get(k4.get(v.name)!);
          L.add().mul();
        });
      }
      break;
    }
    case 'exp_euler':
      expEuler(mainVars);
      break;
    case 'euler_maruyama':
    case 'milstein':
      stochastic(spec.method === 'milstein');
      break;
  }
  if (exactVars.length) {
    // values cached under the stages' resolvers do not hold at the start of the step
    c.forget();
    expEuler(exactVars);
  }

  // threshold, reset, spike list
  let afterStores: (() => void) | null = null;
  if (spec.threshold) {
    c.forget();
    c.resolve = resolver(next, tLocal);
    const spk = L.mtmp();
    c.mask(spec.threshold);
    if (nr >= 0) {
      body.get(nr);
      L.and();
    }
    body.set(spk);
    // 'auto': branchless for large bodies (measured: COBAHH 25 % faster), a branch for small ones
    // (measured: LIF 25 % faster); see bench/wasm_kernels.ts
    const mode = spec.compaction ?? 'auto';
    const branchless = info.simd && !dbl && (mode === 'branchless' || (mode === 'auto' && body.code.length > AUTO_BRANCHLESS_BYTES));
    const resets = () => {
      for (const r of spec.reset ?? []) {
        const target = next.get(r.target);
        const arr = spec.arrays[r.target];
        if (target === undefined && arr === undefined) throw new Error(`reset target '${r.target}' is not a state variable or array`);
        const pushOld = () => {
          if (target !== undefined) body.get(target);
          else {
            body.get(l.addr);
            L.load(arr);
          }
        };
        if (target === undefined) body.get(l.addr); // address for the store
        if (r.op === '=') c.value(r.value);
        else {
          pushOld();
          c.value(r.value);
          if (r.op === '+=') L.add();
          else if (r.op === '-=') L.sub();
          else if (r.op === '*=') L.mul();
          else L.div();
        }
        if (info.simd) {
          pushOld();
          body.get(spk);
          L.select();
        }
        if (target !== undefined) body.set(target);
        else L.store(arr);
        c.forget();
      }
    };
    const recordSpike = (pushIndex: () => void) => {
      // spikeOut[count] = index; lastspike[index] = n; count++
      body.get(l.out).get(l.count).i32(2).op(Op.i32_shl).op(Op.i32_add);
      pushIndex();
      body.tee(l.idx);
      body.mem(Op.i32_store, 2, 0);
      body.get(l.idx).i32(2).op(Op.i32_shl).get(l.n).mem(Op.i32_store, 2, spec.lastSpikeOffset);
      body.get(l.count).i32(1).op(Op.i32_add).set(l.count);
    };
    if (!info.simd) {
      body.get(spk).if();
      resets();
      recordSpike(() => body.get(l.i));
      body.end();
    } else if (!branchless) {
      // resets by lane selects; after the write-back, one branch on "some lane spiked" around
      // a loop over the set bits (spikes are rare: the branch is predictable and little is
      // live across it)
      resets();
      body.get(spk);
      L.bitmask();
      body.set(l.bm);
      afterStores = () => {
        body.get(l.bm).if();
        if (spec.compaction === 'unrolled') {
          for (let k = 0; k < W; k++) {
            body.get(l.bm).i32(1 << k).op(Op.i32_and).if();
            recordSpike(() => body.get(l.i).i32(k).op(Op.i32_add));
            body.end();
          }
        } else {
          body.loop();
          recordSpike(() => body.get(l.i).get(l.bm).op(Op.i32_ctz).op(Op.i32_add));
          body.get(l.bm).get(l.bm).i32(1).op(Op.i32_sub).op(Op.i32_and).tee(l.bm).br_if(0);
          body.end();
        }
        body.end();
      };
    } else {
      resets();
      body.get(spk);
      L.bitmask();
      body.set(l.bm);
      for (let k = 0; k < W; k++) {
        body.get(l.out).get(l.count).i32(2).op(Op.i32_shl).op(Op.i32_add);
        body.get(l.i).i32(k).op(Op.i32_add).mem(Op.i32_store, 2, 0);
        body.get(l.count).get(l.bm).i32(k).op(Op.i32_shr_u).i32(1).op(Op.i32_and).op(Op.i32_add).set(l.count);
      }
      // lastspike = spk ? n : lastspike
      body.get(lsAddr).get(nLanes).get(lsAddr).simdMem(SimdOp.v128_load, 4, spec.lastSpikeOffset).get(spk);
      L.select();
      body.simdMem(SimdOp.v128_store, 4, spec.lastSpikeOffset);
    }
    c.forget();
  }

  // write back, divergence check
  for (const v of vars) {
    body.get(l.addr).get(next.get(v.name)!);
    L.store(spec.arrays[v.name]);
  }
  if (afterStores) afterStores();
  if (acc >= 0 && vars.length > 0) {
    body.get(acc);
    body.get(next.get(vars[0].name)!);
    for (const v of vars.slice(1)) {
      body.get(next.get(v.name)!);
      L.add();
    }
    L.add();
    body.set(acc);
  }

  // assemble: invariants, then the loop
  for (const p of prologue) p();
  L.emitHoisted(f);
  pushBound(f, from).set(l.i);
  const once = () => {
    f.get(l.i).i32(shiftFor(info.bytes)).op(Op.i32_shl).set(l.addr);
    if (info.bytes === 8) f.get(l.i).i32(2).op(Op.i32_shl).set(l.addr4);
    for (const b of body.code) f.code.push(b);
    f.get(l.i).i32(W).op(Op.i32_add).set(l.i);
  };
  const unroll = info.simd ? spec.unroll ?? 1 : 1;
  f.block();
  if (unroll > 1) {
    // groups of `unroll` vectors (fewer loop branches and stack checks), then one at a time
    f.block().loop();
    pushBound(f.get(l.i).i32(unroll * W).op(Op.i32_add), to).op(Op.i32_gt_s).br_if(1);
    for (let u = 0; u < unroll; u++) once();
    f.br(0);
    f.end().end();
  }
  pushBound(f.get(l.i), to).op(Op.i32_ge_s).br_if(0);
  f.loop();
  once();
  pushBound(f.get(l.i), to).op(Op.i32_lt_s).br_if(0);
  f.end();
  f.end();

  if (acc < 0) return null;
  // 1 when some lane of acc is not finite: (acc − acc) != 0
  const flag = f.local(ValType.i32);
  const cf = new ExprCompiler(f, kind, { addrLocal: l.addr, resolve: () => ({ kind: 'local', index: acc }) });
  f.get(acc).get(acc);
  cf.lanes.sub();
  cf.lanes.num(0);
  cf.lanes.cmp('!=');
  cf.lanes.bitmask();
  if (info.simd) f.i32(0).op(Op.i32_ne);
  f.set(flag);
  return flag;
}

function shiftFor(bytes: number): number {
  return bytes === 8 ? 3 : 2;
}

/**
 * Plans byte offsets in one WebAssembly memory and creates it, with typed-array views on it.
 * Reserve everything first, then call `memory()` once: growing a memory detaches its views.
 *
 * @example
 * const arena = new WasmArena();
 * const v = arena.reserve(4000 * 4);
 * const mem = arena.memory();
 * const vView = arena.f32(v, 4000);
 */
export class WasmArena {
  private top = 0;
  private mem: WasmMemory | null = null;
  private readonly shared: boolean;

  /** `shared`: back the memory with a SharedArrayBuffer (for worker threads). */
  constructor(opts: { shared?: boolean } = {}) {
    this.shared = opts.shared ?? false;
  }

  /**
   * Reserves `bytes` bytes aligned to `align` (16 by default, one SIMD vector); returns the offset.
   *
   * @example
   * const off = arena.reserve(1024);
   */
  reserve(bytes: number, align = 16): number {
    if (this.mem) throw new Error('WasmArena: reserve everything before memory()');
    this.top = Math.ceil(this.top / align) * align;
    const off = this.top;
    this.top += Math.max(bytes, 0);
    return off;
  }

  /** Bytes reserved so far. @example arena.size */
  get size(): number {
    return this.top;
  }

  /**
   * The memory (created on the first call, large enough for everything reserved).
   *
   * @example
   * const update = kernel.instantiate(arena.memory());
   */
  memory(): WasmMemory {
    if (!this.mem) {
      const pages = Math.max(1, Math.ceil(this.top / 65536));
      this.mem = this.shared ? newMemory(pages, { maximum: pages, shared: true }) : newMemory(pages);
    }
    return this.mem;
  }

  /** The memory limits a kernel must import to accept this arena's memory. @example arena.limits() */
  limits(): MemoryImport {
    const pages = Math.max(1, Math.ceil(this.top / 65536));
    return this.shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages };
  }

  /** A Float32Array view. @example arena.f32(off, n) */
  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory().buffer, offset, length);
  }
  /** A Float64Array view. @example arena.f64(off, n) */
  f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.memory().buffer, offset, length);
  }
  /** An Int32Array view. @example arena.i32(off, n) */
  i32(offset: number, length: number): Int32Array {
    return new Int32Array(this.memory().buffer, offset, length);
  }
}
