/**
 * Two neuron updates used by the tests and benchmarks of the WebAssembly kernels, written as the
 * network would hand them over (sub-expressions inlined, parameters and units folded to numbers):
 * the COBA LIF of the Vogels–Abbott benchmark (forward Euler) and the Traub–Miles
 * Hodgkin–Huxley neuron of the COBAHH benchmark (exponential Euler, Brette et al. 2007,
 * `shared/peers/brian2_cobahh.py`).
 */
import { type Expr, substitute, num, sym } from '../equations/ast.js';
import { parseExpr, parseStatements } from '../equations/parser.js';
import { simplify } from '../equations/symbolic.js';
import { type OdeVar } from '../integrators/index.js';
import { type UpdateKernelSpec } from './kernel.js';
import { type LaneKind } from './expr.js';
import { WasmArena } from './kernel.js';
import { Rng } from '../math/rng.js';

/** A model instance in an arena: the kernel spec and the views to initialize and read. */
export interface KernelModel {
  readonly spec: UpdateKernelSpec;
  readonly arena: WasmArena;
  /** Views on the state and input arrays, by symbol. */
  readonly views: Readonly<Record<string, Float32Array | Float64Array>>;
  readonly lastSpike: Int32Array;
  /** Byte offset of the spike list (size neurons). */
  readonly spikeOffset: number;
  readonly spikes: Int32Array;
}

const fold = (text: string, values: Readonly<Record<string, number>>, subs: Readonly<Record<string, Expr>> = {}): Expr =>
  simplify(substitute(parseExpr(text), (n) => subs[n] ?? (values[n] !== undefined ? num(values[n]) : undefined)));

function layout(size: number, lanes: LaneKind, arrays: readonly string[]) {
  const arena = new WasmArena();
  const bytes = lanes === 'f64' || lanes === 'f64x2' ? 8 : 4;
  const offsets: Record<string, number> = {};
  for (const a of arrays) offsets[a] = arena.reserve(size * bytes);
  const ls = arena.reserve(size * 4);
  const sp = arena.reserve(size * 4);
  return { arena, offsets, ls, sp, bytes };
}

function finish(size: number, lanes: LaneKind, l: ReturnType<typeof layout>, spec: Omit<UpdateKernelSpec, 'arrays' | 'lastSpikeOffset' | 'size' | 'lanes'>): KernelModel {
  const views: Record<string, Float32Array | Float64Array> = {};
  for (const [k, off] of Object.entries(l.offsets)) views[k] = l.bytes === 8 ? l.arena.f64(off, size) : l.arena.f32(off, size);
  const lastSpike = l.arena.i32(l.ls, size).fill(-0x40000000);
  return {
    spec: { ...spec, size, lanes, arrays: l.offsets, lastSpikeOffset: l.ls },
    arena: l.arena,
    views,
    lastSpike,
    spikeOffset: l.sp,
    spikes: l.arena.i32(l.sp, size),
  };
}

/**
 * The COBA LIF group of the Vogels–Abbott benchmark (4000 neurons at scale 1): v with conductances
 * `syn0$g` (excitatory) and `syn1$g` (inhibitory) and input `ext$I`, forward Euler, dt 0.1 ms,
 * refractory 5 ms. Initial v ~ N(−55 mV, 5 mV); inputs spread over [150, 300] pA so that neurons
 * fire regularly without synapses; conductances drawn as in the network.
 *
 * @example
 * const m = lifModel(4000, 'f32x4', 1);
 * const update = buildUpdateKernel(m.spec).instantiate(m.arena.memory());
 */
export function lifModel(size: number, lanes: LaneKind = 'f32x4', seed = 1): KernelModel {
  const arrays = ['v', 'syn0$g', 'syn1$g', 'ext$I'];
  const l = layout(size, lanes, arrays);
  const vars: OdeVar[] = [
    { name: 'v', rhs: fold('(-(v - El) + R*(I - g_e*v + g_i*(Ei - v))) / tau', { El: -0.06, R: 1e8, Ei: -0.08, tau: 0.02 }, { I: sym('ext$I'), g_e: sym('syn0$g'), g_i: sym('syn1$g') }), gated: true },
    { name: 'syn0$g', rhs: fold('-g / 0.005', {}, { g: sym('syn0$g') }), gated: false },
    { name: 'syn1$g', rhs: fold('-g / 0.01', {}, { g: sym('syn1$g') }), gated: false },
  ];
  const m = finish(size, lanes, l, {
    vars,
    method: 'euler',
    dt: 1e-4,
    threshold: parseExpr('v > -0.05'),
    reset: parseStatements('v = -0.06'),
    refSteps: 50,
  });
  const rng = new Rng(seed, 7);
  for (let i = 0; i < size; i++) {
    m.views.v[i] = -0.055 + 0.005 * rng.normal();
    m.views['syn0$g'][i] = 5e-9 * rng.uniform();
    m.views['syn1$g'][i] = 2e-8 * rng.uniform();
    m.views['ext$I'][i] = 150e-12 + 150e-12 * rng.uniform();
  }
  return m;
}

/**
 * The COBAHH neuron (Traub–Miles Hodgkin–Huxley with conductance synapses; the equations of
 * `brian2_cobahh.py`) plus an input current `ext$I` spread over [0, 1.5] nA so that most neurons
 * fire without synapses; exponential Euler, dt 0.1 ms, threshold v > −20 mV, refractory 3 ms,
 * no reset. Initial values as in the Brian2 script.
 *
 * @example
 * const m = cobahhModel(4000, 'f32x4', 1);
 */
export function cobahhModel(size: number, lanes: LaneKind = 'f32x4', seed = 1): KernelModel {
  const area = 20000e-12;
  const P: Record<string, number> = {
    Cm: 1e-2 * area, gl: 5e-5 * 1e4 * area, El: -0.06, EK: -0.09, ENa: 0.05,
    g_na: 100e-3 * 1e4 * area, g_kd: 30e-3 * 1e4 * area, VT: -0.063, taue: 0.005, taui: 0.01, Ee: 0, Ei: -0.08,
    mV: 1e-3, ms: 1e-3,
  };
  const rates: Record<string, Expr> = {};
  const rate = (name: string, text: string) => (rates[name] = fold(text, P));
  rate('alpha_m', '0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms');
  rate('beta_m', '0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms');
  rate('alpha_h', '0.128*exp((17*mV-v+VT)/(18*mV))/ms');
  rate('beta_h', '4./(1+exp((40*mV-v+VT)/(5*mV)))/ms');
  rate('alpha_n', '0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms');
  rate('beta_n', '.5*exp((10*mV-v+VT)/(40*mV))/ms');
  const ode = (text: string) => fold(text, P, { ...rates, I: sym('ext$I') });
  const vars: OdeVar[] = [
    { name: 'v', rhs: ode('(gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-g_na*(m*m*m)*h*(v-ENa)-g_kd*(n*n*n*n)*(v-EK) + I)/Cm'), gated: false },
    { name: 'm', rhs: ode('alpha_m*(1-m)-beta_m*m'), gated: false },
    { name: 'n', rhs: ode('alpha_n*(1-n)-beta_n*n'), gated: false },
    { name: 'h', rhs: ode('alpha_h*(1-h)-beta_h*h'), gated: false },
    { name: 'ge', rhs: ode('-ge*(1./taue)'), gated: false },
    { name: 'gi', rhs: ode('-gi*(1./taui)'), gated: false },
  ];
  const l = layout(size, lanes, ['v', 'm', 'n', 'h', 'ge', 'gi', 'ext$I']);
  const m = finish(size, lanes, l, { vars, method: 'exp_euler', dt: 1e-4, threshold: parseExpr('v > -0.02'), reset: [], refSteps: 30 });
  const rng = new Rng(seed, 11);
  for (let i = 0; i < size; i++) {
    m.views.v[i] = -0.06 + (rng.normal() * 5 - 5) * 1e-3;
    m.views.m[i] = 0;
    m.views.n[i] = 0;
    m.views.h[i] = 0;
    m.views.ge[i] = (rng.normal() * 1.5 + 4) * 10e-9;
    m.views.gi[i] = (rng.normal() * 12 + 20) * 10e-9;
    m.views['ext$I'][i] = 1.5e-9 * rng.uniform();
  }
  return m;
}
