/**
 * Folding synapse models into a neuron model: one declaration whose equations contain the
 * neuron, its synaptic states and their outputs. A projection without `syn` then targets a
 * synaptic state directly (its weight is the increment), in simulation and in training alike,
 * so every built-in synapse model can be trained and gradient-checked as a neuron parameter set.
 */
import { type Expr, show, substitute, sym, bin } from '../equations/ast.js';
import { defineNeuron, type NeuronModel } from '../core/model.js';
import { type QuantityLike } from '../equations/quantity.js';
import { type SynapseDynamics, type SynapseOutput } from './index.js';
import { BuildError } from '../core/errors.js';

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
export function withSynapses(base: NeuronModel, synapses: readonly FoldedSynapse[], name = `${base.name}+${synapses.map((s) => s.syn.kind).join('+')}`): NeuronModel {
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
