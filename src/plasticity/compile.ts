/**
 * Compiles a plasticity rule attached to a projection: traces become extra states of the pre- and
 * post-synaptic populations, per-synapse variables become arrays in CSR order, and the statements
 * become code inside the network kernel (event-driven on spiking rows and columns, or clock-driven).
 */
import { type Expr, num, sym, substitute } from '../equations/ast.js';
import { type Assignment, parseStatements } from '../equations/parser.js';
import { parseEquations } from '../equations/equations.js';
import { inferDim } from '../equations/dims.js';
import { simplify } from '../equations/symbolic.js';
import { emitJS } from '../equations/codegen.js';
import { parseQuantity, quantityIn, SECOND } from '../equations/quantity.js';
import { type Dim, DIMENSIONLESS, UNITS, dimEq, dimDiv, formatDim } from '../math/units.js';
import { BuildError } from '../lang/errors.js';
import { type NeuronModel } from '../model/model.js';
import { type PlasticityRule } from './index.js';
import { isLinearIn } from '../integrators/index.js';

/** What a population gets from a rule: extra states (traces). */
export interface TraceHost {
  readonly synStates: { name: string; rhs: Expr; dim: Dim; init?: number; exact?: boolean }[];
}

/** A rule resolved for one projection. */
export interface PlasticityPlan {
  readonly rule: PlasticityRule;
  /** Per-synapse variables (besides w), arrays in CSR order. */
  readonly synVars: { readonly name: string; readonly array: Float64Array }[];
  readonly onPre: Assignment[];
  readonly onPost: Assignment[];
  readonly every: Assignment[];
  readonly everySteps: number;
  /** Trace updates on a pre (post) spike, in canonical names. */
  readonly preSpike: Assignment[];
  readonly postSpike: Assignment[];
  /** Names of the pre (post) neuron arrays that the statements read: trace arrays and neuron variables. */
  readonly preArrays: Set<string>;
  readonly postArrays: Set<string>;
  /** Statements of `Projection.modulate`, with the signals as symbols `sig$<name>`. */
  readonly modulation: Assignment[];
  readonly signals: readonly string[];
  /** The traces this rule added to the pre (post) population: array key and right-hand side (in that key). */
  readonly preTraces: readonly { readonly name: string; readonly rhs: Expr }[];
  readonly postTraces: readonly { readonly name: string; readonly rhs: Expr }[];
}

// Canonical symbol names inside compiled statements (the '$' cannot appear in user names).
const W = 'w$';
const SYN = 's$';
const PRE = 'pre$';
const POST = 'post$';
const SIG = 'sig$';

/**
 * Resolves a rule for projection number `k`: checks dimensions, adds traces to the populations,
 * allocates per-synapse variables.
 *
 * @example
 * const pre: TraceHost = { synStates: [] }, post: TraceHost = { synStates: [] };
 * const plan = planPlasticity(STDP({ A_plus: '0.01 nS', A_minus: '0.0105 nS', wmax: '1 nS' }), 0, { where: 'In→P', preModel: LIF, postModel: LIF, weightDim: unitByName('nS')!.dim, nSyn: 1000, dt: 1e-4, pre, post });
 * pre.synStates[0].name // 'pl0$apre': the pre trace is now a state of the pre population
 */
export function planPlasticity(
  rule: PlasticityRule,
  k: number,
  ctx: { where: string; preModel: NeuronModel; postModel: NeuronModel; weightDim: Dim; nSyn: number; dt: number; pre: TraceHost; post: TraceHost },
): PlasticityPlan {
  const where = `${ctx.where}: plasticity ${rule.name}`;
  const prefix = `pl${k}$`;
  // Parameters.
  const params = new Map<string, { value: number; dim: Dim }>();
  for (const [pn, pv] of Object.entries(rule.params)) {
    try {
      params.set(pn, parseQuantity(pv));
    } catch (err) {
      throw new BuildError(where, `params.${pn}`, `cannot read ${JSON.stringify(pv)}: ${(err as Error).message}`);
    }
    if (!Number.isFinite(params.get(pn)!.value)) throw new BuildError(where, `params.${pn}`, `must be finite, got ${JSON.stringify(pv)}`);
    if (pn.startsWith('tau') && !(params.get(pn)!.value > 0)) throw new BuildError(where, `params.${pn}`, `must be positive, got ${JSON.stringify(pv)}`, "give a time such as '20 ms'");
  }
  // Traces.
  const preLines = rule.pre ? parseEquations(rule.pre.equations, where) : [];
  const postLines = rule.post ? parseEquations(rule.post.equations, where) : [];
  const synLines = rule.synapse ? parseEquations(rule.synapse, where) : [];
  for (const l of [...preLines, ...postLines]) if (l.kind !== 'diff') throw new BuildError(where, 'traces', `'${l.name}' must be a differential equation`);
  for (const l of synLines) if (l.kind !== 'value') throw new BuildError(where, 'synapse', `'${l.name}' must be declared as 'name : unit'`);
  const preTrace = new Map(preLines.map((l) => [l.name, l.dim]));
  const postTrace = new Map(postLines.map((l) => [l.name, l.dim]));
  const synVar = new Map(synLines.map((l) => [l.name, l.dim]));

  // Dimensions of every name a statement may use.
  const signals = rule.modulation?.signals ?? [];
  const dimOf = (n: string): Dim | undefined => {
    if (n === 'w') return ctx.weightDim;
    if (signals.includes(n)) return DIMENSIONLESS;
    if (synVar.has(n)) return synVar.get(n);
    if (preTrace.has(n)) return preTrace.get(n);
    if (postTrace.has(n)) return postTrace.get(n);
    if (params.has(n)) return params.get(n)!.dim;
    if (n === 't' || n === 'dt') return SECOND;
    if (n.endsWith('_pre')) return ctx.preModel.dimOf(n.slice(0, -4));
    if (n.endsWith('_post')) return ctx.postModel.dimOf(n.slice(0, -5));
    return UNITS.get(n)?.dim;
  };
  const preArrays = new Set<string>();
  const postArrays = new Set<string>();
  // Renaming into canonical names, parameters and units folded to numbers.
  const canon = (e: Expr): Expr =>
    simplify(
      substitute(e, (n) => {
        if (n === 'w') return sym(W);
        if (signals.includes(n)) return sym(SIG + n);
        if (synVar.has(n)) return sym(SYN + n);
        if (preTrace.has(n)) return preArrays.add(prefix + n), sym(PRE + prefix + n);
        if (postTrace.has(n)) return postArrays.add(prefix + n), sym(POST + prefix + n);
        if (params.has(n)) return num(params.get(n)!.value);
        if (n === 'dt') return num(ctx.dt);
        if (n.endsWith('_pre') && ctx.preModel.dimOf(n.slice(0, -4))) return preArrays.add(n.slice(0, -4)), sym(PRE + n.slice(0, -4));
        if (n.endsWith('_post') && ctx.postModel.dimOf(n.slice(0, -5))) return postArrays.add(n.slice(0, -5)), sym(POST + n.slice(0, -5));
        if (n === 't') return undefined;
        const u = UNITS.get(n);
        if (u) return num(u.value);
        throw new BuildError(where, 'statements', `unknown name '${n}'`, `use w, ${[...synVar.keys(), ...preTrace.keys(), ...postTrace.keys(), ...params.keys()].join(', ')}, or a neuron variable with _pre/_post`);
      }),
    );
  const statements = (text: string | undefined, field: string, writable: (n: string) => boolean): Assignment[] => {
    if (!text) return [];
    let list: Assignment[];
    try {
      list = parseStatements(text);
    } catch (err) {
      throw new BuildError(where, field, (err as Error).message);
    }
    return list.map((a) => {
      if (!writable(a.target)) throw new BuildError(where, field, `cannot assign '${a.target}' here`, 'assign w, a per-synapse variable or a trace of the spiking side');
      let d: Dim;
      try {
        d = inferDim(a.value, dimOf);
      } catch (err) {
        throw new BuildError(where, field, `${(err as Error).message} in '${a.target} ${a.op} ...'`);
      }
      const want = dimOf(a.target)!;
      const ok = a.op === '*=' || a.op === '/=' ? dimEq(d, DIMENSIONLESS) : dimEq(d, want);
      if (!ok) throw new BuildError(where, field, `'${a.target} ${a.op} ...' gives ${formatDim(d)} where ${formatDim(want)} is needed`);
      const target = (canon({ k: 'sym', name: a.target }) as { name: string }).name;
      return { target, op: a.op, value: canon(a.value) };
    });
  };
  const synapseSide = (n: string) => n === 'w' || synVar.has(n);
  const onPre = statements(rule.onPre, 'onPre', (n) => synapseSide(n));
  const onPost = statements(rule.onPost, 'onPost', (n) => synapseSide(n));
  const every = statements(rule.every?.statements, 'every', (n) => synapseSide(n));
  const preSpike = statements(rule.pre?.onSpike, 'pre.onSpike', (n) => preTrace.has(n));
  const postSpike = statements(rule.post?.onSpike, 'post.onSpike', (n) => postTrace.has(n));
  const modulation = statements(rule.modulation?.statements, 'modulation', (n) => synapseSide(n));
  const everySteps = rule.every?.period === undefined ? 1 : Math.max(1, Math.round(quantityIn(rule.every.period, SECOND) / ctx.dt));

  // Trace equations live on their populations; X_pre / X_post there mean the population's own X.
  const traceRhs = (e: Expr, own: Map<string, Dim>, suffix: string): Expr =>
    simplify(
      substitute(e, (n) => {
        if (own.has(n)) return sym(prefix + n);
        if (params.has(n)) return num(params.get(n)!.value);
        if (n.endsWith(suffix)) return sym(n.slice(0, -suffix.length));
        const u = UNITS.get(n);
        return u ? num(u.value) : undefined;
      }),
    );
  const preTraces: { name: string; rhs: Expr }[] = [];
  const postTraces: { name: string; rhs: Expr }[] = [];
  for (const [lines, own, host, suffix, model, added] of [
    [preLines, preTrace, ctx.pre, '_pre', ctx.preModel, preTraces],
    [postLines, postTrace, ctx.post, '_post', ctx.postModel, postTraces],
  ] as const) {
    for (const l of lines) {
      try {
        const d = inferDim(l.expr!, (n) => own.get(n) ?? params.get(n)?.dim ?? (n.endsWith(suffix) ? model.dimOf(n.slice(0, -suffix.length)) : undefined) ?? UNITS.get(n)?.dim);
        if (!dimEq(d, dimDiv(l.dim, SECOND))) throw new Error(`d${l.name}/dt has dimension ${formatDim(d)}, needs ${formatDim(dimDiv(l.dim, SECOND))}`);
      } catch (err) {
        throw new BuildError(where, 'traces', (err as Error).message);
      }
      // A trace linear in itself is integrated by exponential Euler whatever its host group's method:
      // exact (exp(−dt/τ) per step) for linear traces, as Brian2's event-driven traces.
      const rhs = traceRhs(l.expr!, own, suffix);
      host.synStates.push({ name: prefix + l.name, rhs, dim: l.dim, exact: isLinearIn(rhs, prefix + l.name) });
      added.push({ name: prefix + l.name, rhs });
    }
  }
  return {
    rule,
    synVars: synLines.map((l) => ({ name: l.name, array: new Float64Array(ctx.nSyn) })),
    onPre,
    onPost,
    every,
    everySteps,
    preSpike,
    postSpike,
    preArrays,
    postArrays,
    modulation,
    signals,
    preTraces,
    postTraces,
  };
}

/**
 * Emits statements for one synapse. `arr(side, name)` gives the code of a pre/post array;
 * `i` and `j` are the code of the pre and post indices; per-synapse values live in locals.
 *
 * @example
 * emitSynapseStatements(plan.onPre, (side, n) => `${side}_${n}`, 'i', 'j', plan)
 * // 'w = H.clip((w - (1.0500000000000001e-11 * post_pl0$apost[j])), 0, 1e-9);' for the STDP plan of {@link planPlasticity}
 */
export function emitSynapseStatements(list: readonly Assignment[], arr: (side: 'pre' | 'post', name: string) => string, i: string, j: string, plan: Pick<PlasticityPlan, 'synVars' | 'signals'>): string {
  // Per-synapse values and signals are named by their position: no rule name reaches the code.
  const resolve = (n: string): string => {
    if (n === W) return 'w';
    if (n.startsWith(SYN)) return `sv${indexOf(plan.synVars.map((v) => v.name), n.slice(SYN.length))}`;
    if (n.startsWith(PRE)) return `${arr('pre', n.slice(PRE.length))}[${i}]`;
    if (n.startsWith(POST)) return `${arr('post', n.slice(POST.length))}[${j}]`;
    if (n === 't') return 't';
    if (n.startsWith(SIG)) return `sig[${indexOf(plan.signals, n.slice(SIG.length))}]`;
    throw new Error('internal: an unresolved name in a plasticity statement');
  };
  return list.map((a) => `${resolve(a.target)} ${a.op} ${emitJS(a.value, resolve)};`).join('\n');
}

function indexOf(names: readonly string[], n: string): number {
  const k = names.indexOf(n);
  if (k < 0) throw new Error('internal: an unresolved name in a plasticity statement');
  return k;
}

/**
 * Loads and stores of the per-synapse locals around statements on synapse `s`.
 *
 * @example
 * const { load, store } = synapseLocals(plan, 'W', (k) => `S${k}`); // load: 'let w = W[s];', store: 'W[s] = w;'
 */
export function synapseLocals(plan: PlasticityPlan, weightArray: string, synArray: (index: number) => string): { load: string; store: string } {
  const load = [`let w = ${weightArray}[s];`, ...plan.synVars.map((_, k) => `let sv${k} = ${synArray(k)}[s];`)].join(' ');
  const store = [`${weightArray}[s] = w;`, ...plan.synVars.map((_, k) => `${synArray(k)}[s] = sv${k};`)].join(' ');
  return { load, store };
}

