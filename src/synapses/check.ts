/**
 * Checks of synapse declarations handed in as objects. The factories (Expon, COBA, ...) build
 * well-formed ones, but a projection also accepts any object of the same shape, e.g. one read from
 * JSON; its state names and expression trees are checked and copied here before the network
 * compiles them.
 */
import { type Expr } from '../equations/ast.js';
import { parseStatements } from '../equations/parser.js';
import { type QuantityLike, checkQuantityLike } from '../equations/quantity.js';
import { BuildError } from '../lang/errors.js';
import { checkRecordKeys, checkLabel, checkIdentifier, checkExpr, checkArray, checkNames, checkText, knownNames, describe } from '../equations/validate.js';
import type { SynapseDynamics, SynapseOutput, ShortTermPlasticity } from './index.js';

/** Parameters of a synapse: names to quantities. */
function checkParams(value: unknown, where: string, field: string, allowed?: readonly string[]): Readonly<Record<string, QuantityLike>> {
  const params = checkRecordKeys(value, where, field, allowed);
  for (const [k, v] of Object.entries(params)) params[k] = checkQuantityLike(v, where, `${field}.${k}`);
  return Object.freeze(params as Record<string, QuantityLike>);
}

/**
 * Synaptic dynamics (`syn`), checked and copied: state names are identifiers, right-hand sides
 * and outputs are well-formed trees, the spike target and statements name states.
 *
 * @example
 * checkSynapseDynamics(Expon({ tau: '5 ms' }), "projection 'E→P'", 'syn') // a checked copy
 */
export function checkSynapseDynamics(value: unknown, where: string, field: string): SynapseDynamics {
  const f = checkRecordKeys(value, where, field, ['kind', 'params', 'equations', 'onSpike', 'spikeScale', 'output', 'positive', 'align', 'onPreSpike'], 'a synapse declares');
  const kind = checkLabel(f.kind, where, `${field}.kind`);
  const params = checkParams(f.params ?? {}, where, `${field}.params`);
  const equations = checkArray(f.equations, where, `${field}.equations`).map((pair, i): readonly [string, Expr] => {
    const at = `${field}.equations[${i}]`;
    const [name, rhs, ...rest] = checkArray(pair, where, at);
    if (rest.length > 0) throw new BuildError(where, at, `must be a pair [state, right-hand side], got ${rest.length + 2} elements`);
    return Object.freeze([checkIdentifier(name, where, `${at}[0]`), checkExpr(rhs, where, `${at}[1]`)] as const);
  });
  if (equations.length === 0) throw new BuildError(where, `${field}.equations`, 'a synapse needs at least one state', "give [['g', parseExpr('-g/tau')]]");
  const states = equations.map(([n]) => n);
  states.forEach((n, i) => {
    if (states.indexOf(n) !== i) throw new BuildError(where, `${field}.equations`, `state '${n}' is declared twice`, 'give each state one equation');
    if (Object.hasOwn(params, n)) throw new BuildError(where, `${field}.params.${n}`, `'${n}' is both a state and a parameter`, 'rename one of them');
  });
  const onSpike = checkIdentifier(f.onSpike, where, `${field}.onSpike`);
  if (!states.includes(onSpike)) throw new BuildError(where, `${field}.onSpike`, `'${onSpike}' is not a state of ${kind}`, knownNames(onSpike, states, 'states'));
  const output = checkExpr(f.output, where, `${field}.output`);
  const positive = checkNames(f.positive ?? [], where, `${field}.positive`, Object.keys(params));
  const align = f.align;
  if (align !== undefined && align !== 'pre' && align !== 'post') throw new BuildError(where, `${field}.align`, `must be 'pre' or 'post', got ${describe(align)}`);
  const out: { -readonly [K in keyof SynapseDynamics]: SynapseDynamics[K] } = { kind, params, equations: Object.freeze(equations), onSpike, output, positive: Object.freeze(positive) };
  if (f.spikeScale !== undefined) out.spikeScale = checkExpr(f.spikeScale, where, `${field}.spikeScale`);
  if (align !== undefined) out.align = align;
  if (f.onPreSpike !== undefined) {
    const text = checkText(f.onPreSpike, where, `${field}.onPreSpike`);
    let list;
    try {
      list = parseStatements(text);
    } catch (err) {
      throw new BuildError(where, `${field}.onPreSpike`, (err as Error).message, "write statements such as 'x += 1'");
    }
    for (const st of list) if (!states.includes(st.target)) throw new BuildError(where, `${field}.onPreSpike`, `assigns '${st.target}', which is not a state of ${kind}`, knownNames(st.target, states, 'states'));
    out.onPreSpike = text;
  }
  return Object.freeze(out);
}

/**
 * A synaptic output (`out`), checked and copied: its expression is a well-formed tree and the
 * post-synaptic variables it reads are names.
 *
 * @example
 * checkSynapseOutput(COBA({ E: '0 mV' }), "projection 'E→P'", 'out') // a checked copy
 */
export function checkSynapseOutput(value: unknown, where: string, field: string): SynapseOutput {
  const f = checkRecordKeys(value, where, field, ['kind', 'params', 'expr', 'postVars'], 'an output declares');
  const kind = checkLabel(f.kind, where, `${field}.kind`);
  const params = checkParams(f.params ?? {}, where, `${field}.params`);
  const expr = checkExpr(f.expr, where, `${field}.expr`);
  const postVars = Object.freeze(checkNames(f.postVars ?? [], where, `${field}.postVars`));
  return Object.freeze({ kind, params, expr, postVars });
}

/**
 * Short-term plasticity (`stp`), checked and copied.
 *
 * @example
 * checkShortTerm(STP({ U: 0.5, tau_f: '20 ms', tau_d: '500 ms' }), "projection 'E→P'", 'stp') // a checked copy
 */
export function checkShortTerm(value: unknown, where: string, field: string): ShortTermPlasticity {
  const f = checkRecordKeys(value, where, field, ['kind', 'params']);
  if (f.kind !== 'STP') throw new BuildError(where, `${field}.kind`, `must be 'STP', got ${describe(f.kind)}`, 'build it with STP({ U, tau_f, tau_d })');
  const p = checkParams(f.params, where, `${field}.params`, ['U', 'tau_f', 'tau_d']);
  for (const k of ['U', 'tau_f', 'tau_d']) if (p[k] === undefined) throw new BuildError(where, `${field}.params`, `'${k}' is missing`, 'give U, tau_f and tau_d');
  return Object.freeze({ kind: 'STP', params: p as ShortTermPlasticity['params'] });
}
