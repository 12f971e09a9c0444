/**
 * Checks of plasticity rules handed in as objects (built-in, from defineRule, or read from JSON):
 * names are identifiers, statements and equations are text (parsed when the projection is
 * compiled), the modulation's signals are names. Returns a checked copy.
 */
import { type QuantityLike, checkQuantityLike } from '../equations/quantity.js';
import { BuildError } from '../lang/errors.js';
import { checkRecordKeys, checkLabel, checkText, checkNames } from '../equations/validate.js';
import type { PlasticityRule } from './rule.js';

/**
 * A plasticity rule, checked and copied.
 *
 * @example
 * checkRule(STDP({ A_plus: '0.01 nS', A_minus: '0.0105 nS', wmax: '1 nS' }), "projection 'In→P'", 'plasticity') // a checked copy
 */
export function checkRule(value: unknown, where: string, field: string): PlasticityRule {
  const f = checkRecordKeys(value, where, field, ['name', 'params', 'pre', 'post', 'synapse', 'onPre', 'onPost', 'every', 'modulation'], 'a rule declares');
  const name = checkLabel(f.name, where, `${field}.name`);
  const at = `${where}: plasticity ${name}`;
  const params = checkRecordKeys(f.params ?? {}, at, 'params');
  for (const [k, v] of Object.entries(params)) params[k] = checkQuantityLike(v, at, `params.${k}`);
  const out: { -readonly [K in keyof PlasticityRule]: PlasticityRule[K] } = { name, params: Object.freeze(params as Record<string, QuantityLike>) };
  for (const side of ['pre', 'post'] as const) {
    if (f[side] === undefined) continue;
    const t = checkRecordKeys(f[side], at, side, ['equations', 'onSpike'], 'a trace declares');
    out[side] = Object.freeze({
      equations: checkText(t.equations, at, `${side}.equations`),
      ...(t.onSpike !== undefined ? { onSpike: checkText(t.onSpike, at, `${side}.onSpike`) } : {}),
    });
  }
  for (const key of ['synapse', 'onPre', 'onPost'] as const) if (f[key] !== undefined) out[key] = checkText(f[key], at, key);
  if (f.every !== undefined) {
    const e = checkRecordKeys(f.every, at, 'every', ['period', 'statements'], 'every declares');
    out.every = Object.freeze({
      statements: checkText(e.statements, at, 'every.statements'),
      ...(e.period !== undefined ? { period: checkQuantityLike(e.period, at, 'every.period') } : {}),
    });
  }
  if (f.modulation !== undefined) {
    const m = checkRecordKeys(f.modulation, at, 'modulation', ['statements', 'signals'], 'a modulation declares');
    // signal names become property reads of the object handed to modulate()
    const signals = checkNames(m.signals ?? [], at, 'modulation.signals');
    for (const s of signals) if (Object.hasOwn(params, s)) throw new BuildError(at, 'modulation.signals', `'${s}' is both a signal and a parameter`, 'rename one of them');
    out.modulation = Object.freeze({ statements: checkText(m.statements, at, 'modulation.statements'), signals: Object.freeze(signals) });
  }
  return Object.freeze(out);
}
