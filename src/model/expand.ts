/**
 * From a model declaration to plain expressions: dimension checks of the whole model, and the
 * expansion that inlines sub-expressions and summed inputs and folds parameters and units into
 * numbers. The network compiler, the training code and the analysis tools all start from here,
 * so a model means the same thing everywhere.
 */
import { type Expr, num, sym, bin, substitute } from '../equations/ast.js';
import { inferDim, DimensionError } from '../equations/dims.js';
import { simplify } from '../equations/symbolic.js';
import { SECOND } from '../equations/quantity.js';
import { type Dim, DIMENSIONLESS, UNITS, dimDiv, dimEq, formatDim } from '../math/units.js';
import { type NeuronModel } from './model.js';
import { BuildError } from '../lang/errors.js';
import { type OdeVar } from '../integrators/index.js';

/**
 * The dimension of any symbol a model's expressions may use (variables, params, t, dt, units).
 *
 * @example
 * formatDim(modelDimOf(LIF)('v')!) // 'volt'; unknown names give undefined
 */
export function modelDimOf(model: NeuronModel): (name: string) => Dim | undefined {
  return (n: string): Dim | undefined => {
    const l = model.lines.find((x) => x.name === n);
    if (l) return l.dim;
    if (model.params.has(n)) return model.params.get(n)!.dim;
    if (n === 't' || n === 'dt' || n === 'lastspike') return SECOND;
    if (n === 'pi' || n === 'inf') return DIMENSIONLESS;
    return UNITS.get(n)?.dim;
  };
}

/**
 * Checks the dimensions of every equation, the threshold and the reset of a model.
 * Throws a {@link BuildError} naming `where`, the field and the offending line.
 *
 * @example
 * checkModelDimensions(QIF, "model 'QIF'"); // throws a BuildError if e.g. dv/dt is not in volt/second
 */
export function checkModelDimensions(model: NeuronModel, where: string): void {
  const dimOf = modelDimOf(model);
  for (const l of model.lines) {
    if (!l.expr) continue;
    try {
      const d = inferDim(l.expr, dimOf);
      const want = l.kind === 'diff' ? dimDiv(l.dim, SECOND) : l.dim;
      if (!dimEq(d, want)) {
        throw new DimensionError(`the right-hand side has dimension ${formatDim(d)} but ${l.kind === 'diff' ? `d${l.name}/dt` : l.name} needs ${formatDim(want)}`);
      }
    } catch (err) {
      throw new BuildError(where, 'equations', `${(err as Error).message} in '${l.source}'`, l.kind === 'diff' ? `make the right-hand side ${l.unit}/second (divide by a time constant?)` : `make both sides ${l.unit}`);
    }
  }
  if (model.threshold) {
    try {
      inferDim(model.threshold, dimOf);
    } catch (err) {
      throw new BuildError(where, 'threshold', (err as Error).message);
    }
  }
  for (const r of model.reset) {
    let d: Dim;
    try {
      d = inferDim(r.value, dimOf);
    } catch (err) {
      throw new BuildError(where, 'reset', (err as Error).message);
    }
    const want = dimOf(r.target)!;
    const ok = r.op === '*=' || r.op === '/=' ? dimEq(d, DIMENSIONLESS) : dimEq(d, want);
    if (!ok) throw new BuildError(where, 'reset', `'${r.target} ${r.op} ...' mixes ${formatDim(want)} with ${formatDim(d)}`);
  }
}

/** What the expansion needs to know about one population. */
export interface ExpandContext {
  readonly model: NeuronModel;
  /** Parameter values (SI) folded into the expressions as numbers. */
  readonly scalars: ReadonlyMap<string, number>;
  /** Parameters kept per neuron: they become the symbol `p$<name>`. */
  readonly perNeuron?: ReadonlySet<string>;
  /** Extra terms per summed input (projections' outputs); the external part `ext$<input>` always comes first. */
  readonly inputTerms?: ReadonlyMap<string, readonly Expr[]>;
  /** The time step, when `dt` may appear in expressions. */
  readonly dt?: number;
  readonly where: string;
}

/**
 * An expander: inlines sub-expressions and inputs, folds parameters, units and constants.
 *
 * @example
 * const expand = makeExpander({ model: LIF, scalars: new Map([['tau', 0.01], ...]), where: 'LIF' });
 * const rhs = expand(LIF.lines[0].expr!);
 */
export function makeExpander(ctx: ExpandContext): (e: Expr) => Expr {
  const { model, scalars, where } = ctx;
  const subs = new Map(model.lines.filter((l) => l.kind === 'sub').map((l) => [l.name, l]));
  const inputs = new Set(model.inputNames());
  const declared = new Set(model.lines.map((l) => l.name));
  const constants = (n: string): Expr | undefined => {
    if (scalars.has(n)) return num(scalars.get(n)!);
    if (ctx.perNeuron?.has(n)) return sym(`p$${n}`);
    if (n === 'dt' && ctx.dt !== undefined) return num(ctx.dt);
    if (n === 'pi') return num(Math.PI);
    if (n === 'inf') return num(Infinity);
    if (!declared.has(n) && !model.params.has(n)) {
      const u = UNITS.get(n);
      if (u) return num(u.value);
    }
    return undefined;
  };
  const expanding = new Set<string>();
  const expand = (e: Expr): Expr =>
    substitute(e, (n) => {
      const s = subs.get(n);
      if (s) {
        if (expanding.has(n)) throw new BuildError(where, 'equations', `sub-expression '${n}' depends on itself`, 'remove the circular definition');
        expanding.add(n);
        const r = expand(s.expr!);
        expanding.delete(n);
        return r;
      }
      if (inputs.has(n)) {
        const terms = [sym(`ext$${n}`), ...(ctx.inputTerms?.get(n) ?? [])];
        return expand(terms.reduce((a, b) => bin('+', a, b)));
      }
      return constants(n);
    });
  return expand;
}

/**
 * The model's differential equations, expanded and simplified, ready for an integrator.
 *
 * @example
 * const vars = expandedOdes({ model: LIF, scalars, where: 'LIF' }); // [{ name: 'v', rhs, gated: true }]
 */
export function expandedOdes(ctx: ExpandContext): OdeVar[] {
  const expand = makeExpander(ctx);
  return ctx.model.lines
    .filter((l) => l.kind === 'diff')
    .map((l) => ({ name: l.name, rhs: simplify(expand(l.expr!)), gated: l.flags.includes('unless refractory') }));
}
