/**
 * Reverse-mode differentiation of straight-line programs of expression trees.
 *
 * A program is a list of assignments `name = expr` where every expression reads earlier names,
 * inputs or constants. Its adjoint walks the list last to first and, for each symbol `x` an
 * assignment reads, adds `a_name · ∂expr/∂x` to `a_x`; the partial derivative comes from the
 * symbolic `diff` and is emitted with `emitJS`. Every name here is minted by the compiler (the
 * step IR renames user variables before a program is built), so generated code never contains a
 * user's text.
 */
import { type Expr, symbolsOf } from '../equations/ast.js';
import { emitJS } from '../equations/codegen.js';
import { diff } from '../equations/symbolic.js';

/** One assignment of a straight-line program. */
export interface Assign {
  readonly name: string;
  readonly expr: Expr;
}

const isZero = (e: Expr) => e.k === 'num' && e.v === 0;

/** Symbols without an adjoint: the refractory gate, time and the time of the last spike. */
function differentiable(name: string): boolean {
  return name !== 'nr' && name !== 't' && name !== 'lastspike';
}

function resolve(n: string, known: Set<string>): string {
  if (!known.has(n)) throw new Error(`internal error: unresolved symbol '${n}' in a generated kernel`);
  return n;
}

/**
 * Emits `const name = expr;` for each assignment; `known` names what the code may read and grows.
 *
 * @example
 * const known = new Set(['c_s0']);
 * emitForward([{ name: 'n_s0', expr: parseExpr('c_s0 * 0.9') }], known) // ['const n_s0 = c_s0 * 0.9;']
 */
export function emitForward(assigns: readonly Assign[], known: Set<string>): string[] {
  const out: string[] = [];
  for (const a of assigns) {
    out.push(`const ${a.name} = ${emitJS(a.expr, (n) => resolve(n, known))};`);
    known.add(a.name);
  }
  return out;
}

/**
 * Reverse-mode statements for a straight-line program. The caller declares every adjoint named in
 * `adjoints` (`let a_<name> = 0`) before the code runs. Partials that simplify to 0 emit nothing.
 *
 * @example
 * const adj = new Set<string>();
 * emitReverse([{ name: 'n_s0', expr: parseExpr('c_s0 * 0.9') }], new Set(['c_s0', 'n_s0']), adj) // ['a_c_s0 += a_n_s0 * 0.9;']
 */
export function emitReverse(assigns: readonly Assign[], known: Set<string>, adjoints: Set<string>): string[] {
  return reverseTerms(assigns, adjoints).map(({ target, from, d }) =>
    d.k === 'num' && d.v === 1 ? `a_${target} += a_${from};` : `a_${target} += a_${from} * ${emitJS(d, (n) => resolve(n, known))};`,
  );
}

/** One statement of an adjoint program: a_target += a_from · d. */
export interface AdjointTerm {
  readonly target: string;
  readonly from: string;
  /** ∂(from's expression)/∂target, a tree over the program's names. */
  readonly d: Expr;
}

/**
 * The adjoint program of a straight-line program as trees, last assignment first: every lowering
 * (generated JavaScript, WebAssembly) emits these same statements. `adjoints` collects every name
 * that gets or gives an adjoint.
 *
 * @example
 * reverseTerms([{ name: 'n_s0', expr: parseExpr('c_s0 * 0.9') }], new Set()) // [{ target: 'c_s0', from: 'n_s0', d: 0.9 }]
 */
export function reverseTerms(assigns: readonly Assign[], adjoints: Set<string>): AdjointTerm[] {
  const out: AdjointTerm[] = [];
  for (let j = assigns.length - 1; j >= 0; j--) {
    const a = assigns[j];
    for (const s of symbolsOf(a.expr)) {
      if (!differentiable(s)) continue;
      const d = diff(a.expr, s);
      if (isZero(d)) continue;
      adjoints.add(s);
      adjoints.add(a.name);
      out.push({ target: s, from: a.name, d });
    }
  }
  return out;
}

/**
 * The derivative of a threshold difference h with respect to each symbol it reads.
 *
 * @example
 * thresholdPartials(parseExpr('n_s0 - p_s1')) // [['n_s0', 1], ['p_s1', -1]] as trees
 */
export function thresholdPartials(h: Expr): [string, Expr][] {
  const out: [string, Expr][] = [];
  for (const s of symbolsOf(h)) {
    if (!differentiable(s)) continue;
    const d = diff(h, s);
    if (!isZero(d)) out.push([s, d]);
  }
  return out;
}
