/**
 * Folding synapse models into a neuron model: one declaration whose equations contain the
 * neuron, its synaptic states and their outputs. A projection without `syn` then targets a
 * synaptic state directly (its weight is the increment), in simulation and in training alike,
 * so every built-in synapse model can be trained and gradient-checked as a neuron parameter set.
 */
import { type Expr, show, substitute, sym, bin } from '../equations/ast.js';
import { defineNeuron, checkModel, type NeuronModel } from '../model/model.js';
import { type QuantityLike, unitDim, checkQuantityLike } from '../equations/quantity.js';
import { type SynapseDynamics, type SynapseOutput } from './index.js';
import { checkSynapseDynamics, checkSynapseOutput } from './check.js';
import { BuildError } from '../lang/errors.js';
import { checkArray, checkRecordKeys, checkIdentifier, checkLabel, checkText } from '../equations/validate.js';

/** One synapse to fold in: its dynamics, its output, and the unit of its state. */
export interface FoldedSynapse {
  /** Prefix of the synapse's states and parameters in the combined model, e.g. 'e' gives e_g, e_tau. */
  readonly name: string;
  readonly syn: SynapseDynamics;
  readonly out: SynapseOutput;
  /** Unit of the synaptic state: that of the weight ('nS' for COBA, 'pA' for CUBA, '1' for kinetics). */
  readonly unit: string;
  /** The input of the neuron that receives the output (default: its only input). */
  readonly target?: string;
  /**
   * A factor on the synaptic output before the output model, e.g. the maximal conductance
   * '1 nS' for dimensionless kinetics (NMDA's open fraction); it becomes the parameter `<name>_gmax`.
   */
  readonly gmax?: QuantityLike;
}

/**
 * A neuron model with synapses folded in.
 *
 * @example
 * const M = withSynapses(LIF, [{ name: 'e', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), unit: 'nS' }]);
 * net.connect(E, P, { comm: new FixedProb(0.02), weight: '6 nS', target: 'e_g' }); // spikes increment e_g
 */
export function withSynapses(base: NeuronModel, given: readonly FoldedSynapse[], name?: string): NeuronModel {
  checkModel(base, 'withSynapses', 'base');
  const synapses = checkArray(given, `withSynapses(${base.name})`, 'synapses').map((s, i) => checkFolded(s, `withSynapses(${base.name})`, `synapses[${i}]`));
  name = name === undefined ? `${base.name}+${synapses.map((s) => s.syn.kind).join('+')}` : checkLabel(name, `withSynapses(${base.name})`, 'name');
  const where = `model '${name}'`;
  const inputs = base.inputNames();
  const extra = new Map<string, Expr[]>();
  const lines: string[] = [];
  const params: Record<string, QuantityLike> = { ...(base.spec.params ?? {}) };
  for (const s of synapses) {
    if (s.syn.align === 'pre' && s.syn.equations.some(([, rhs]) => show(rhs).includes('lastspike'))) {
      throw new BuildError(where, `synapse ${s.name}`, `${s.syn.kind} is driven by the pre-synaptic spike times and cannot be folded into the post-synaptic neuron`, 'use it as a projection syn');
    }
    const target = s.target ?? (inputs.length === 1 ? inputs[0] : undefined);
    if (!target || !inputs.includes(target)) throw new BuildError(where, `synapse ${s.name}`, `no input '${target}' in ${base.name}`, `choose one of ${inputs.join(', ')}`);
    const states = new Set(s.syn.equations.map(([n]) => n));
    const rename = (n: string): Expr | undefined => (states.has(n) ? sym(`${s.name}_${n}`) : n in s.syn.params || n in s.out.params ? sym(`${s.name}_${n}`) : undefined);
    for (const [st, rhs] of s.syn.equations) lines.push(`d${s.name}_${st}/dt = ${show(substitute(rhs, rename))} : ${s.unit}`);
    for (const [k, v] of [...Object.entries(s.syn.params), ...Object.entries(s.out.params)]) params[`${s.name}_${k}`] = v;
    let g = substitute(s.syn.output, rename);
    if (s.gmax !== undefined) {
      params[`${s.name}_gmax`] = s.gmax;
      g = bin('*', sym(`${s.name}_gmax`), g);
    }
    const term = substitute(s.out.expr, (n) => (n === 'g' ? g : n in s.out.params ? sym(`${s.name}_${n}`) : undefined));
    extra.set(target, [...(extra.get(target) ?? []), term]);
  }
  // The neuron's own lines, with each input I replaced by (I + outputs) wherever it is read.
  for (const l of base.lines) {
    const flags = l.flags.length ? ` (${l.flags.join(', ')})` : '';
    if (!l.expr) {
      lines.push(`${l.name} : ${l.unit}${flags}`);
      continue;
    }
    const e = substitute(l.expr, (n) => (extra.has(n) ? extra.get(n)!.reduce((a, b) => bin('+', a, b), sym(n) as Expr) : undefined));
    lines.push(`${l.kind === 'diff' ? `d${l.name}/dt` : l.name} = ${show(e)} : ${l.unit}${flags}`);
  }
  return defineNeuron({
    ...base.spec,
    name,
    equations: lines.join('\n'),
    params,
    init: { ...(base.spec.init ?? {}) },
  });
}

/**
 * One synapse to fold, checked and copied: its prefix and target are names, its unit is one unit
 * expression (it is written into the combined equation text), its syn and out are well-formed.
 */
function checkFolded(value: unknown, where: string, field: string): FoldedSynapse {
  const f = checkRecordKeys(value, where, field, ['name', 'syn', 'out', 'unit', 'target', 'gmax'], 'a folded synapse declares');
  const unit = checkText(f.unit, where, `${field}.unit`);
  try {
    // the unit is written into the combined equations: it must not open a line, a comment or flags
    if (/[\n\r#:;]|\)\s*$/.test(unit)) throw new Error('a unit is one expression such as nS or 1, not ending in a parenthesis');
    unitDim(unit);
  } catch (err) {
    throw new BuildError(where, `${field}.unit`, `cannot read the unit ${JSON.stringify(unit.slice(0, 60))}: ${(err as Error).message}`, "give a unit such as 'nS', 'pA' or '1'");
  }
  return {
    name: checkIdentifier(f.name, where, `${field}.name`),
    syn: checkSynapseDynamics(f.syn, where, `${field}.syn`),
    out: checkSynapseOutput(f.out, where, `${field}.out`),
    unit,
    ...(f.target !== undefined ? { target: checkIdentifier(f.target, where, `${field}.target`) } : {}),
    ...(f.gmax !== undefined ? { gmax: checkQuantityLike(f.gmax, where, `${field}.gmax`) } : {}),
  };
}
