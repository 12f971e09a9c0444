/**
 * What a model file may name: the built-in neuron models, synapse dynamics and outputs, and
 * connectivity. Each entry maps the file's fields onto the public constructor a program would
 * call, and back (for {@link toModelFile}).
 */
import { type NeuronModel } from '../model/model.js';
import { LIF, ExpIF, AdEx, QIF, AdQIF, GIF, Izhikevich, HH, HHTraubMiles, MorrisLecar, FitzHughNagumo, HindmarshRose, WilsonCowan, ThresholdLinear, MPR, StuartLandau } from '../neurons/index.js';
import { Expon, DualExpon, Alpha, AMPA, GABAa, NMDA, CUBA, COBA, MgBlock, STP, type SynapseDynamics, type SynapseOutput, type ShortTermPlasticity } from '../synapses/index.js';
import { FixedProb, All2All, One2One, FromPairs, FixedPreNum, FixedPostNum, FixedTotalNum, type Connector } from '../connect/index.js';
import { type QuantityLike } from '../equations/quantity.js';
import { show } from '../equations/ast.js';
import { formatDim } from '../math/units.js';
import type { ModelFileConnector, ModelFileOutput, ModelFileSynapse } from './schema.js';

/** The built-in neuron models, by the name a model file uses. */
export const NEURON_MODELS: ReadonlyMap<string, NeuronModel> = new Map(
  [LIF, ExpIF, AdEx, QIF, AdQIF, GIF, Izhikevich, HH, HHTraubMiles, MorrisLecar, FitzHughNagumo, HindmarshRose, WilsonCowan, ThresholdLinear, MPR, StuartLandau].map((m) => [m.name, m]),
);

/** The name under which a model is built in, if it is one of the library's own objects. */
export function builtinName(model: NeuronModel): string | undefined {
  const m = NEURON_MODELS.get(model.name);
  return m === model ? model.name : undefined;
}

/** Drops the fields a file left out, so constructors see only what was given. */
function given<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'type' && v !== undefined) out[k] = v;
  return out as T;
}

/** The synapse dynamics a file's `syn` describes. */
export function makeSynapse(s: ModelFileSynapse): SynapseDynamics {
  switch (s.type) {
    case 'Expon':
      return Expon({ tau: s.tau });
    case 'DualExpon':
      return DualExpon({ tauRise: s.tauRise, tauDecay: s.tauDecay });
    case 'Alpha':
      return Alpha({ tau: s.tau });
    case 'AMPA':
      return AMPA(given(s));
    case 'GABAa':
      return GABAa(given(s));
    case 'NMDA':
      return NMDA(given(s));
  }
}

/** The synaptic output a file's `out` describes. */
export function makeOutput(o: ModelFileOutput): SynapseOutput {
  switch (o.type) {
    case 'CUBA':
      return CUBA();
    case 'COBA':
      return COBA(given(o));
    case 'MgBlock':
      return MgBlock(given(o));
  }
}

/** The connectivity a file's `comm` describes. */
export function makeConnector(c: ModelFileConnector): Connector {
  switch (c.type) {
    case 'FixedProb':
      return new FixedProb(c.prob, given({ allowSelf: c.allowSelf, seed: c.seed }));
    case 'All2All':
      return new All2All(given({ allowSelf: c.allowSelf }));
    case 'One2One':
      return new One2One();
    case 'FromPairs':
      return new FromPairs(c.pre, c.post);
    case 'FixedPreNum':
      return new FixedPreNum(c.num, given({ allowSelf: c.allowSelf, allowMulti: c.allowMulti, seed: c.seed }));
    case 'FixedPostNum':
      return new FixedPostNum(c.num, given({ allowSelf: c.allowSelf, allowMulti: c.allowMulti, seed: c.seed }));
    case 'FixedTotalNum':
      return new FixedTotalNum(c.num, given({ seed: c.seed }));
  }
}

export function makeStp(s: { U: QuantityLike; tau_f: QuantityLike; tau_d: QuantityLike }): ShortTermPlasticity {
  return STP(s);
}

/** Raised when a network holds something the model-file format cannot express. */
export class NotWritableError extends Error {
  constructor(where: string, what: string, fix: string) {
    super(`${where}: ${what} cannot be written to a model file. Fix: ${fix}`);
    this.name = 'NotWritableError';
  }
}

/** SI unit symbols of the named dimensions. */
export const SI_UNITS: Record<string, string> = { volt: 'V', second: 's', hertz: 'Hz', siemens: 'S', amp: 'A', farad: 'F', ohm: 'ohm', coulomb: 'C', '1': '' };

/** A quantity as a file holds it: a number or a string with a unit. */
export function quantityToFile(q: QuantityLike, where: string): string | number {
  if (typeof q === 'number' || typeof q === 'string') return q;
  const unit = SI_UNITS[formatDim(q.dim)];
  if (unit === undefined) throw new NotWritableError(where, `a quantity of dimension ${formatDim(q.dim)}`, "give the value as a string with a unit, e.g. '10 ms'");
  return unit ? `${q.value} ${unit}` : q.value;
}

function fileParams(params: Readonly<Record<string, QuantityLike>>, where: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) out[k] = quantityToFile(v, `${where}.${k}`);
  return out;
}

/** The file form of a synapse-dynamics object made by one of the library's constructors. */
export function synapseToFile(s: SynapseDynamics, where: string): ModelFileSynapse {
  const p = fileParams(s.params, where);
  switch (s.kind) {
    case 'Expon':
      return { type: 'Expon', tau: p.tau };
    case 'DualExpon':
      return { type: 'DualExpon', tauRise: p.tau_rise, tauDecay: p.tau_decay };
    case 'Alpha':
      return { type: 'Alpha', tau: p.tau };
    case 'AMPA':
    case 'GABAa':
      return { type: s.kind, alpha: p.alpha, beta: p.beta, T: p.T, T_dur: p.T_dur };
    case 'NMDA':
      return { type: 'NMDA', a: p.a, tau_decay: p.tau_decay, tau_rise: p.tau_rise };
  }
  throw new NotWritableError(where, `synapse kind '${s.kind}'`, 'use one of Expon, DualExpon, Alpha, AMPA, GABAa, NMDA');
}

/** The file form of a synaptic output made by one of the library's constructors. */
export function outputToFile(o: SynapseOutput, where: string): ModelFileOutput {
  const p = fileParams(o.params, where);
  const V = o.postVars[0];
  switch (o.kind) {
    case 'CUBA':
      return { type: 'CUBA' };
    case 'COBA':
      return V && V !== 'v' ? { type: 'COBA', E: p.E, V } : { type: 'COBA', E: p.E };
    case 'MgBlock':
      return V && V !== 'v' ? { type: 'MgBlock', E: p.E, Mg: p.Mg, alpha: p.alpha, beta: p.beta, V } : { type: 'MgBlock', E: p.E, Mg: p.Mg, alpha: p.alpha, beta: p.beta };
  }
  throw new NotWritableError(where, `output kind '${o.kind}' (${show(o.expr)})`, 'use one of CUBA, COBA, MgBlock');
}

/** The file form of a connector made by one of the library's classes. */
export function connectorToFile(c: Connector, where: string): ModelFileConnector {
  if (c instanceof FixedProb) return { type: 'FixedProb', prob: c.prob, allowSelf: c.allowSelf, seed: c.seed };
  if (c instanceof All2All) return { type: 'All2All', allowSelf: c.allowSelf };
  if (c instanceof One2One) return { type: 'One2One' };
  if (c instanceof FromPairs) return { type: 'FromPairs', pre: Array.from(c.pre), post: Array.from(c.post) };
  if (c instanceof FixedPreNum || c instanceof FixedPostNum) {
    return { type: c instanceof FixedPreNum ? 'FixedPreNum' : 'FixedPostNum', num: c.num, allowSelf: c.allowSelf, allowMulti: c.allowMulti, seed: c.seed };
  }
  if (c instanceof FixedTotalNum) return { type: 'FixedTotalNum', num: c.num, seed: c.seed };
  throw new NotWritableError(where, `connectivity '${(c as { name?: string }).name ?? '?'}'`, 'use FixedProb, All2All, One2One, FromPairs, FixedPreNum, FixedPostNum or FixedTotalNum');
}
