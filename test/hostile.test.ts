/**
 * Hostile input at every public entry: names and expression trees that would be code if they
 * reached a generated kernel as text, objects with getters, cycles, prototype tricks and JSON with
 * "__proto__" keys. Each one either builds and runs harmlessly or is refused with a BuildError;
 * at the end no payload has run and Object.prototype is unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  NeuronGroup,
  defineNeuron,
  defineRule,
  withSynapses,
  LIF,
  FixedProb,
  One2One,
  All2All,
  Expon,
  DualExpon,
  Alpha,
  AMPA,
  NMDA,
  COBA,
  CUBA,
  MgBlock,
  STP,
  STDP,
  RewardSTDP,
  Oja,
  BCM,
  Hebbian,
  PoissonInput,
  SpikeGeneratorGroup,
  SpikeMonitor,
  timed,
  values,
  normal,
  parseExpr,
  checkExpr,
  solveModel,
  BuildError,
  type SynapseDynamics,
  type SynapseOutput,
  type PlasticityRule,
  type NeuronModel,
} from '../src/index.js';

const PROTO_BEFORE = Object.getOwnPropertyNames(Object.prototype).sort();
const ARRAY_PROTO_BEFORE = Object.getOwnPropertyNames(Array.prototype).sort();
const G = globalThis as Record<string, unknown>;

/** Names that would run code, or reach a prototype, if used as text or as a key. */
const HOSTILE_NAMES = ['x;globalThis.pwned=1;//', '__proto__', 'constructor', 'a]=0;(()=>{globalThis.pwned=1})();//', 'prototype', 'toString', '1x', '', 'a b'];

function refused(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BuildError, `expected a BuildError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

/** An object whose own key is `name` (a computed key makes even '__proto__' an own property). */
function keyed(name: string, value: unknown, rest: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...rest, [name]: value };
}

const sym = (name: string) => ({ k: 'sym', name });
const g = sym('g');

/** Malformed expression trees: a factory (each call a fresh object) and what the refusal says. */
const BAD_EXPRS: [string, () => unknown, RegExp][] = [
  ['a number node holding code', () => ({ k: 'num', v: '1);globalThis.pwned=1;(' }), /finite number/],
  ['a number node holding NaN', () => ({ k: 'num', v: NaN }), /finite number/],
  ['a symbol that is not a name', () => ({ k: 'sym', name: 'a+b' }), /not a valid name/],
  ['a symbol holding code', () => ({ k: 'sym', name: 'g;globalThis.pwned=1;//' }), /not a valid name/],
  ['a symbol named __proto__', () => ({ k: 'sym', name: '__proto__' }), /reserved/],
  ['an operator holding code', () => ({ k: 'bin', op: '+;evil', a: g, b: g }), /unknown operator/],
  ['a comparison with an arithmetic operator', () => ({ k: 'cmp', op: '+', a: g, b: g }), /unknown operator/],
  ['a call of constructor', () => ({ k: 'call', fn: 'constructor', args: [] }), /unknown function/],
  ['a call of a global', () => ({ k: 'call', fn: 'eval', args: [g] }), /unknown function/],
  ['a call with array-like args', () => ({ k: 'call', fn: 'exp', args: { 0: g, length: 1 } }), /must be an array/],
  ['a call with the wrong number of args', () => ({ k: 'call', fn: 'exp', args: [] }), /takes 1 argument/],
  ['an unknown node kind', () => ({ k: 'js', code: 'globalThis.pwned=1' }), /unknown node kind/],
  ['an extra field', () => ({ k: 'sym', name: 'g', code: 'globalThis.pwned=1' }), /no field 'code'/],
  [
    'a getter that changes its answer',
    () => {
      let n = 0;
      return { k: 'sym', get name() { return n++ === 0 ? 'g' : 'g;globalThis.pwned=1;//'; } };
    },
    /getter/,
  ],
  [
    'a cycle',
    () => {
      const e: Record<string, unknown> = { k: 'neg' };
      e.a = e;
      return e;
    },
    /cycle/,
  ],
  ['an inherited node (prototype trick)', () => Object.create({ k: 'sym', name: 'g' }), /plain object/],
  ['a class instance', () => new (class { k = 'sym'; name = 'g'; })(), /plain object/],
  ['a JSON node with a "__proto__" key', () => JSON.parse('{"k":"sym","name":"g","__proto__":{"polluted":1}}'), /__proto__/],
  [
    'a tree nested too deep',
    () => {
      let e: unknown = g;
      for (let i = 0; i < 2000; i++) e = { k: 'neg', a: e };
      return e;
    },
    /nested more than/,
  ],
  [
    'a shared tree that writes out to 2^40 nodes',
    () => {
      let e: unknown = g;
      for (let i = 0; i < 40; i++) e = { k: 'bin', op: '+', a: e, b: e };
      return e;
    },
    /nodes once written out/,
  ],
];

/** A rate-free neuron with a current input, for the networks below. */
const Decay = defineNeuron({
  name: 'Decay',
  equations: 'dv/dt = (R*I - v)/tau : volt\nI : amp (input)',
  params: { tau: '10 ms', R: '100 Mohm', Vth: '10 mV' },
  threshold: 'v > Vth',
  reset: 'v = 0*mV',
  init: { v: '0 mV' },
});

/** A hand-written exponential synapse, as a user (or a JSON file) would give it. */
function mySyn(over: Partial<Record<keyof SynapseDynamics, unknown>> = {}): SynapseDynamics {
  return { kind: 'MyExpon', params: { tau: '5 ms' }, equations: [['g', parseExpr('-g/tau')]], onSpike: 'g', output: parseExpr('g'), positive: ['tau'], ...over } as SynapseDynamics;
}
function myOut(over: Partial<Record<keyof SynapseOutput, unknown>> = {}): SynapseOutput {
  return { kind: 'MyCUBA', params: {}, expr: parseExpr('g'), postVars: [], ...over } as SynapseOutput;
}

/** Connects two small Decay groups with the given options (refusals happen here, at declaration). */
function connectWith(options: Record<string, unknown>) {
  const net = new Network({ dt: '0.1 ms' });
  const A = net.add(new NeuronGroup(4, Decay, { name: 'A' }));
  const B = net.add(new NeuronGroup(4, Decay, { name: 'B' }));
  net.connect(A, B, { comm: new One2One(), weight: '10 pA', ...options } as never);
  return net;
}

test('checkExpr refuses every malformed tree and copies a good one', () => {
  for (const [what, make, pattern] of BAD_EXPRS) {
    assert.throws(() => checkExpr(make(), 'test', 'expr'), (e: unknown) => e instanceof BuildError && pattern.test(e.message), what);
  }
  const good = { k: 'bin', op: '/', a: { k: 'neg', a: g }, b: sym('tau') };
  const copy = checkExpr(good, 'test', 'expr');
  assert.deepEqual(copy, good);
  assert.notEqual(copy, good);
  assert.ok(Object.isFrozen(copy));
});

test('defineNeuron: hostile variable, parameter and initial-value names are refused', () => {
  for (const name of HOSTILE_NAMES) {
    refused(() => defineNeuron({ name: 'M', equations: `d${name}/dt = -${name}/tau : 1`, params: { tau: '10 ms' } }));
    refused(() => defineNeuron({ name: 'M', equations: `${name} : 1` }));
    refused(() => defineNeuron({ name: 'M', equations: 'dv/dt = -v/tau : 1', params: keyed(name, '1 ms', { tau: '10 ms' }) as never }), /params/);
    refused(() => defineNeuron({ name: 'M', equations: 'dv/dt = -v/tau : 1', params: { tau: '10 ms' }, init: keyed(name, 1) as never }), /init/);
    refused(() => defineNeuron({ name: 'M', equations: 'dv/dt = -v/tau : 1', params: { tau: '10 ms' }, positive: [name] }), /positive/);
  }
  // a parameter may not take a name the equation language reserves
  refused(() => defineNeuron({ name: 'M', equations: 'dv/dt = -v/tau : 1', params: { tau: '10 ms', dt: '1 ms' } }), /params\.dt/, /reserved/);
});

test('defineNeuron: code in threshold, reset, units, method and quantities is refused', () => {
  const base = { name: 'M', equations: 'dv/dt = -v/tau : volt', params: { tau: '10 ms', Vth: '1 mV' } };
  refused(() => defineNeuron({ ...base, threshold: 'v > Vth; globalThis.pwned = 1' }), /threshold/);
  refused(() => defineNeuron({ ...base, reset: 'v = 0*mV; globalThis.pwned = 1' }), /reset/);
  refused(() => defineNeuron({ ...base, reset: 'v = 0*mV\n__proto__ = 1' }), /reset/);
  refused(() => defineNeuron({ ...base, equations: 'dv/dt = -v/tau : volt);globalThis.pwned=1;(' }), /unit/);
  refused(() => defineNeuron({ ...base, equations: 'dv/dt = -v/tau : volt\nw : mV; globalThis.pwned=1' }), /unit/);
  refused(() => defineNeuron({ ...base, method: 'constructor' as never }), /method/, /unknown integrator/);
  refused(() => defineNeuron({ ...base, method: '__proto__' as never }), /method/);
  refused(() => defineNeuron({ ...base, params: { tau: { value: '1);globalThis.pwned=1;(', dim: [0, 0, 1, 0, 0, 0, 0] } as never } }), /params\.tau\.value/, /must be a number/);
  refused(() => defineNeuron({ ...base, params: { tau: { value: 0.01, dim: [0, 0, '1);x', 0, 0, 0, 0] } as never } }), /dim\[2\]/);
  refused(() => defineNeuron({ ...base, init: { v: { dist: 'normal', mean: '0 mV', std: '1 mV', run: 'globalThis.pwned=1' } as never } }), /no field 'run'/);
  refused(() => defineNeuron({ ...base, init: { v: values([1], '1);globalThis.pwned=1;(') } }), /unit/);
  refused(() => defineNeuron({ ...base, name: 'two\nlines' }), /name/);
  refused(() => defineNeuron({ ...base, name: { toString: () => 'M' } as never }), /name/);
  refused(() => defineNeuron({ ...base, equations: ['dv/dt = -v/tau : volt'] as never }), /equations/, /must be text/);
  refused(() => defineNeuron({ ...base, thresold: 'v > Vth' } as never), /thresold/, /did you mean 'threshold'/);
});

test('defineNeuron: getters, foreign prototypes and JSON "__proto__" keys are refused', () => {
  let reads = 0;
  refused(() => defineNeuron({ name: 'M', get equations() { return reads++ === 0 ? 'dv/dt = -v/tau : 1' : 'x;globalThis.pwned=1'; }, params: { tau: '10 ms' } } as never), /getter/);
  refused(() => defineNeuron({ name: 'M', equations: 'dv/dt = -v/tau : 1', params: new Map([['tau', '10 ms']]) as never }), /params/, /plain object/);
  refused(() => defineNeuron(Object.create({ name: 'M', equations: 'dv/dt = -v/tau : 1' })), /plain object/);
  const cyclic: Record<string, unknown> = { tau: '10 ms' };
  cyclic.self = cyclic;
  refused(() => defineNeuron({ name: 'M', equations: 'dv/dt = -v/tau : 1', params: cyclic as never }), /params\.self/);
  const json = (extra: string) => JSON.parse(`{"name":"J","equations":"dv/dt = -v/tau : volt","params":{"tau":"10 ms"${extra}}}`);
  refused(() => defineNeuron(json(',"__proto__":{"polluted":1}')), /__proto__/);
  refused(() => defineNeuron(JSON.parse('{"name":"J","equations":"dv/dt = -v/tau : volt","__proto__":{"polluted":1}}')), /__proto__/);
  refused(() => defineNeuron(JSON.parse('{"name":"J","equations":"dv/dt = -v/tau : volt","params":{"tau":"10 ms"},"init":{"__proto__":"1 mV"}}')), /init/);
  // the same model without the hostile key builds and runs
  const M = defineNeuron(json(''));
  const net = new Network();
  net.add(new NeuronGroup(3, M));
  net.run('5 ms');
});

test('display names with code in them build and run harmlessly (they never reach generated code)', () => {
  const evil = 'x;globalThis.pwned=1;//';
  const M = defineNeuron({ name: evil, equations: 'dv/dt = (R*I - v)/tau : volt\nI : amp (input)', params: { tau: '10 ms', R: '100 Mohm', Vth: '5 mV' }, threshold: 'v > Vth', reset: 'v = 0*mV' });
  const net = new Network({ name: evil });
  const A = net.add(new NeuronGroup(5, M, { name: evil }));
  A.setInput('I', '100 pA');
  const rule: PlasticityRule = { ...STDP({ A_plus: '1 pA', A_minus: '1 pA', wmax: '100 pA' }), name: evil };
  net.connect(A, A, { name: evil, comm: new All2All(), weight: '10 pA', syn: { ...Expon({ tau: '5 ms' }), kind: evil }, out: { ...CUBA(), kind: evil }, plasticity: rule });
  const gen = net.add(new SpikeGeneratorGroup(2, { indices: [0, 1], times: [1, 2], unit: 'ms', name: evil }));
  net.connect(gen, A, { comm: new All2All(), weight: '1 mV', target: 'v' });
  net.add(new PoissonInput(A, { num: 10, rate: '10 Hz', weight: '0.1 mV', target: 'v', name: evil }));
  const sm = net.add(new SpikeMonitor(A));
  net.run('5 ms');
  assert.ok(sm.numSpikes > 0);
});

test('NeuronGroup: overrides must name parameters and variables of the model', () => {
  refused(() => new NeuronGroup(3, LIF, { params: { tua: '10 ms' } as never }), /params\.tua/, /did you mean 'tau'/);
  refused(() => new NeuronGroup(3, LIF, { init: { V: '1 mV' } as never }), /init\.V/, /did you mean 'v'/);
  for (const name of HOSTILE_NAMES) {
    refused(() => new NeuronGroup(3, LIF, { params: keyed(name, '10 ms') as never }), /params/);
    refused(() => new NeuronGroup(3, LIF, { init: keyed(name, '1 mV') as never }), /init/);
    refused(() => new NeuronGroup(3, LIF).setInput(name, '1 pA'), /input/);
  }
  refused(() => new NeuronGroup(3, LIF, JSON.parse('{"params":{"__proto__":{"polluted":1}}}')), /__proto__/);
  refused(() => new NeuronGroup(3, LIF, JSON.parse('{"__proto__":{"polluted":1}}')), /__proto__/);
  refused(() => new NeuronGroup(3, LIF, { method: 'constructor' as never }), /method/);
  refused(() => new NeuronGroup(3, LIF, { params: { tau: { value: '1);globalThis.pwned=1;(', dim: [0, 0, 1, 0, 0, 0, 0] } } as never }), /value/);
  refused(() => new NeuronGroup(3, LIF, { init: { v: normal('-65 mV);globalThis.pwned=1;(', '1 mV') } }), /init\.v/);
  refused(() => new NeuronGroup(3, LIF, { nmae: 'P' } as never), /did you mean 'name'/);
  // a time-varying input forged by hand, with code where numbers and a unit belong
  const P = new NeuronGroup(3, LIF);
  refused(() => P.setInput('I', { kind: 'timed', values: new Float64Array([1]), dt: '1);globalThis.pwned=1;(', unit: 'pA', perNeuron: 1 } as never), /dt/);
  refused(() => P.setInput('I', { kind: 'timed', values: new Float64Array([1]), dt: 1e-4, unit: 'pA);globalThis.pwned=1;(', perNeuron: 1 } as never), /unit/);
  refused(() => P.setInput('I', { kind: 'timed', values: [1], dt: 1e-4, unit: 'pA', perNeuron: 1 } as never), /values/);
  refused(() => timed([1, 2], { dt: '0.1 ms', unit: 'pA);globalThis.pwned=1;(' }), /unit/);
  refused(() => P.setInput('I', values([1, 2, 3], 'pA;globalThis.pwned=1')), /unit/);
});

test('a model forged as a plain object is refused wherever a model is taken', () => {
  const forged = { name: 'F', spec: {}, lines: [], params: new Map(), threshold: undefined, reset: [], stateNames: () => [], inputNames: () => [], dimOf: () => undefined };
  refused(() => new NeuronGroup(3, forged as unknown as NeuronModel), /model/, /defineNeuron/);
  refused(() => withSynapses(forged as unknown as NeuronModel, []), /defineNeuron/);
  refused(() => solveModel(forged as unknown as NeuronModel, { duration: '1 ms' } as never), /defineNeuron/);
});

test('synapse factories: unknown option keys and names are refused', () => {
  refused(() => Expon({ tua: '5 ms' } as never), /did you mean 'tau'/);
  refused(() => DualExpon({ tauRise: '1 ms', tau_decay: '5 ms' } as never), /tau_decay/, /did you mean 'tauDecay'/);
  refused(() => Alpha(JSON.parse('{"tau":"2 ms","__proto__":{"polluted":1}}')), /__proto__/);
  refused(() => AMPA({ alpha: { value: '1);x', dim: [0, 0, 0, 0, 0, 0, 0] } } as never), /alpha\.value/);
  refused(() => NMDA({ constructor: '1 ms' } as never), /constructor/);
  refused(() => STP({ U: 0.5, tau_f: '20 ms', tau_d: '500 ms', code: 'globalThis.pwned=1' } as never), /code/);
  for (const name of HOSTILE_NAMES) {
    refused(() => COBA({ E: '0 mV', V: name }), /\bV\b/);
    refused(() => MgBlock({ E: '0 mV', V: name }), /\bV\b/);
  }
});

test('projections: hand-written synapses with hostile state names or bad trees are refused', () => {
  for (const name of HOSTILE_NAMES) {
    refused(() => connectWith({ syn: mySyn({ equations: [[name, parseExpr('-g/tau')]] }), out: myOut() }), /syn\.equations/);
    refused(() => connectWith({ syn: mySyn({ onSpike: name }), out: myOut() }), /syn\.onSpike/);
    refused(() => connectWith({ syn: mySyn({ params: keyed(name, '5 ms') }), out: myOut() }), /syn\.params/);
    refused(() => connectWith({ syn: mySyn(), out: myOut({ postVars: [name] }) }), /out\.postVars/);
    refused(() => connectWith({ syn: mySyn(), out: myOut({ params: keyed(name, '0 mV') }) }), /out\.params/);
  }
  for (const [what, make, pattern] of BAD_EXPRS) {
    for (const [field, options] of [
      ['syn.equations', () => ({ syn: mySyn({ equations: [['g', make()]] }), out: myOut() })],
      ['syn.output', () => ({ syn: mySyn({ output: make() }), out: myOut() })],
      ['syn.spikeScale', () => ({ syn: mySyn({ spikeScale: make() }), out: myOut() })],
      ['out.expr', () => ({ syn: mySyn(), out: myOut({ expr: make() }) })],
    ] as const) {
      assert.throws(() => connectWith(options()), (e: unknown) => e instanceof BuildError && e.message.includes(field) && pattern.test(e.message), `${what} in ${field}`);
    }
  }
  refused(() => connectWith({ syn: mySyn({ equations: { 0: ['g', parseExpr('-g/tau')], length: 1 } }), out: myOut() }), /must be an array/);
  refused(() => connectWith({ syn: mySyn({ equations: [['g', parseExpr('-g/tau'), 'globalThis.pwned=1']] }), out: myOut() }), /pair/);
  refused(() => connectWith({ syn: mySyn({ onPreSpike: 'g += 1; globalThis.pwned = 1' }), out: myOut() }), /onPreSpike/);
  refused(() => connectWith({ syn: mySyn({ align: 'sideways' }), out: myOut() }), /align/);
  refused(() => connectWith({ syn: mySyn({ run: 'globalThis.pwned=1' } as never), out: myOut() }), /syn\.run/);
  refused(() => connectWith({ syn: mySyn(), out: myOut(), stp: { kind: 'STP', params: JSON.parse('{"U":0.5,"tau_f":"20 ms","tau_d":"500 ms","__proto__":{}}') } }), /stp/);
});

test('projections: hostile target, source and gap names and option keys are refused', () => {
  for (const name of HOSTILE_NAMES) {
    for (const key of ['target', 'source', 'gap']) refused(() => connectWith({ [key]: name }), new RegExp(key));
  }
  refused(() => connectWith({ wieght: '1 pA' }), /did you mean 'weight'/);
  refused(() => connectWith(JSON.parse('{"target":"v","__proto__":{"polluted":1}}')), /__proto__/);
  refused(() => connectWith({ target: 'v', weight: { value: '1);globalThis.pwned=1;(', dim: [2, 1, -3, -1, 0, 0, 0] } }), /weight/);
  refused(() => connectWith({ target: 'v', comm: { build: 'globalThis.pwned=1' } }), /comm/);
  refused(() => connectWith({ target: 'v', jit: 'yes' }), /jit/);
  // quantity text is parsed where it enters: a unit with code in it is refused there
  refused(() => COBA({ E: '0 mV);globalThis.pwned=1;(' }), /COBA/, /\bE\b/);
  refused(() => connectWith({ target: 'v', weight: '1 mV;globalThis.pwned=1' }), /weight/);
  refused(() => connectWith({ target: 'v', delay: '1 ms);globalThis.pwned=1;(' }), /delay/);
});

test('a hand-written synapse read from JSON builds and runs', () => {
  const syn = JSON.parse(
    '{"kind":"MyExpon","params":{"tau":"5 ms"},"equations":[["g",{"k":"bin","op":"/","a":{"k":"neg","a":{"k":"sym","name":"g"}},"b":{"k":"sym","name":"tau"}}]],"onSpike":"g","output":{"k":"sym","name":"g"},"positive":["tau"]}',
  );
  const out = JSON.parse('{"kind":"MyCUBA","params":{},"expr":{"k":"sym","name":"g"},"postVars":[]}');
  const net = connectWith({ syn, out, weight: '500 pA' });
  net.run('5 ms');
});

test('an expression behind a proxy is read once: the network compiles what was checked', () => {
  let reads = 0;
  const node = new Proxy({ k: 'sym', name: 'g' } as Record<string, unknown>, {
    getOwnPropertyDescriptor(target, key) {
      const d = Reflect.getOwnPropertyDescriptor(target, key);
      if (key === 'name' && d) d.value = reads++ === 0 ? 'g' : 'g;globalThis.pwned=1;//';
      return d;
    },
    get(target, key) {
      return key === 'name' ? 'g;globalThis.pwned=1;//' : Reflect.get(target, key);
    },
  });
  const net = connectWith({ syn: mySyn({ output: node }), out: myOut() });
  net.run('5 ms');
  assert.equal(reads, 1);
});

test('withSynapses: hostile prefixes, targets, units and trees are refused', () => {
  const fold = (over: Record<string, unknown>) => withSynapses(LIF, [{ name: 'e', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }), unit: 'nS', ...over } as never]);
  for (const name of HOSTILE_NAMES) {
    refused(() => fold({ name }), /name/);
    refused(() => fold({ target: name }), /target/);
  }
  refused(() => fold({ unit: 'nS\ndv2/dt = 0 : 1' }), /unit/);
  refused(() => fold({ unit: 'nS (constant)' }), /unit/);
  refused(() => fold({ unit: 'nS # globalThis.pwned=1' }), /unit/);
  for (const [what, make, pattern] of BAD_EXPRS) {
    assert.throws(() => fold({ syn: mySyn({ equations: [['g', make()]] }) }), (e: unknown) => e instanceof BuildError && pattern.test(e.message), what);
  }
  refused(() => withSynapses(LIF, { length: 1, 0: {} } as never), /synapses/);
  // the folded model builds and runs
  const M = fold({});
  const net = new Network();
  const P = net.add(new NeuronGroup(4, M));
  net.connect(P, P, { comm: new All2All(), weight: '1 nS', target: 'e_g' });
  net.run('5 ms');
});

test('plasticity: hostile parameter and signal names, rate names and statements are refused', () => {
  const base = RewardSTDP({ A_plus: 1, A_minus: 1, eta: '1 pA', wmax: '100 pA' });
  for (const name of HOSTILE_NAMES) {
    refused(() => defineRule({ ...base, params: keyed(name, 1, base.params) as never }), /params/);
    refused(() => defineRule({ ...base, modulation: { statements: 'w += eta*e', signals: [name] } }), /signals/);
    refused(() => Oja({ eta: '1 Hz', rate: name }), /rate/);
    refused(() => BCM({ eta: '1 Hz', rate: name }), /rate/);
    refused(() => Hebbian({ eta: '1 Hz', rate: name }), /rate/);
    refused(() => connectWith({ syn: Expon({ tau: '5 ms' }), out: CUBA(), plasticity: { ...base, modulation: { statements: 'w += eta*e', signals: [name] } } }), /signals/);
  }
  refused(() => Hebbian({ eta: '1 Hz', sign: '1)*0;globalThis.pwned=1;(1' as never }), /sign/);
  refused(() => Hebbian({ eta: '1 Hz', sign: 2 as never }), /sign/);
  refused(() => STDP({ A_plus: '1 pA', A_minus: '1 pA', wmax: '1 nA', multiplicative: 'yes' as never }), /multiplicative/);
  refused(() => defineRule({ ...base, onPre: ['e -= 1'] as never }), /onPre/);
  refused(() => defineRule(JSON.parse('{"name":"R","params":{},"every":{"statements":"w += 0"},"__proto__":{"polluted":1}}')), /__proto__/);
  refused(() => defineRule({ ...base, pre: { equations: 'dapre/dt = -apre/tau_plus : 1', onSpike: 'apre += 1', run: 'x' } as never }), /run/);
  // statements with code in them are parsed, never copied: the build refuses them
  const net = connectWith({ syn: Expon({ tau: '5 ms' }), out: CUBA(), plasticity: defineRule({ ...base, onPre: 'e -= A_minus*apost; globalThis.pwned = 1' }) });
  refused(() => net.build(), /onPre/);
  const net2 = connectWith({ syn: Expon({ tau: '5 ms' }), out: CUBA(), plasticity: defineRule({ ...base, synapse: 'constructor : 1' }) });
  refused(() => net2.build(), /constructor/);
});

test('modulate: signal names and values are checked before the kernel reads them', () => {
  const net = new Network({ dt: '0.1 ms' });
  const A = net.add(new NeuronGroup(4, Decay));
  const B = net.add(new NeuronGroup(4, Decay));
  const proj = net.connect(A, B, { comm: new All2All(), weight: '10 pA', syn: Expon({ tau: '5 ms' }), out: CUBA(), plasticity: RewardSTDP({ A_plus: 1, A_minus: 1, eta: '1 pA', wmax: '100 pA' }) });
  net.run('5 ms');
  for (const name of HOSTILE_NAMES) refused(() => proj.modulate(keyed(name, 1) as never), /modulate/);
  refused(() => proj.modulate({ R: '1);globalThis.pwned=1;(' } as never), /modulate\.R/);
  refused(() => proj.modulate(JSON.parse('{"R":1,"__proto__":{"polluted":1}}')), /__proto__/);
  proj.modulate({ R: 1 });
  net.run('5 ms');
});

test('inputs: PoissonInput and SpikeGeneratorGroup refuse hostile names, units and synapses', () => {
  const P = new NeuronGroup(3, LIF);
  for (const name of HOSTILE_NAMES) refused(() => new PoissonInput(P, { num: 5, rate: '5 Hz', weight: '1 mV', target: name }), /target/);
  refused(() => new PoissonInput(P, { num: 5, rate: '5 Hz', weight: '1 nS', syn: mySyn({ equations: [['g;globalThis.pwned=1;//', parseExpr('-g/tau')]] }), out: COBA({ E: '0 mV' }) }), /syn\.equations/);
  refused(() => new PoissonInput(P, { num: 5, rate: '5 Hz', weight: '1 nS', syn: mySyn({ output: { k: 'num', v: '1);globalThis.pwned=1;(' } }), out: COBA({ E: '0 mV' }) }), /syn\.output/);
  refused(() => new PoissonInput(P, JSON.parse('{"num":5,"rate":"5 Hz","weight":"1 mV","target":"v","__proto__":{}}')), /__proto__/);
  refused(() => new SpikeGeneratorGroup(2, { indices: [0], times: [1], unit: 'ms);globalThis.pwned=1;(' }), /unit/);
  refused(() => new SpikeGeneratorGroup(2, { indices: [0], times: [1], unit: 'mV' }), /unit/);
  refused(() => new SpikeGeneratorGroup(2, { indices: { length: 1, 0: 0 }, times: [1] } as never), /indices/);
  refused(() => new SpikeGeneratorGroup(2, { indices: [0], times: [1], unti: 'ms' } as never), /did you mean 'unit'/);
});

test('train (Network): a syn object with a hostile state name is refused before any kernel (connect checks options.syn)', async () => {
  const { Network, NeuronGroup, InputGroup, FixedProb, COBA } = await import('../src/index.js');
  const M = defineNeuron({ name: 'CobaLIF', equations: 'dv/dt = (El - v + R*g_in*(E - v)) / tau : volt\ng_in : siemens (input)', params: { El: '-65 mV', E: '0 mV', R: '100 Mohm', tau: '10 ms', Vth: '0 mV' }, threshold: 'v > Vth', reset: 'v = El', init: { v: '-65 mV' } });
  const evil = 'g=0;globalThis.pwnedTodo=1;//';
  const syn = { ...AMPA(), equations: [[evil, { k: 'bin', op: '*', a: { k: 'num', v: -1 }, b: { k: 'sym', name: evil } }]], onSpike: evil, output: { k: 'sym', name: evil } } as unknown as SynapseDynamics;
  try {
    const net = new Network({ dt: '0.1 ms', dtype: 'float64', seed: 2 });
    const L = net.add(new NeuronGroup(2, M, { name: 'L' }));
    const x = net.add(new InputGroup(2, 'x'));
    refused(() => {
      net.connect(x, L, { name: 'W', comm: new FixedProb(1), syn, out: COBA({ E: '0 mV' }), weight: '1 nS', train: ['weight'] });
      net.build();
      net.forward({ steps: 5, batch: 1, inputs: [[x, { ptr: new Int32Array(6), idx: new Int32Array(0) }]] });
    });
  } finally {
    assert.equal(G.pwnedTodo, undefined, 'the state name ran as code in the training kernel');
    delete G.pwnedTodo;
  }
});

test('train (Network): an object shaped like a NeuronModel is refused by NeuronGroup (only models from defineNeuron)', async () => {
  const { Network, NeuronGroup } = await import('../src/index.js');
  const evil = 'v=0;globalThis.pwnedTodo=1;//';
  const forged = {
    name: 'F', spec: {}, threshold: undefined, reset: [], params: new Map(),
    lines: [{ kind: 'diff', name: evil, expr: parseExpr('0'), unit: '1', dim: [0, 0, 0, 0, 0, 0, 0], flags: [], source: '' }],
    stateNames: () => [evil], inputNames: () => [], dimOf: () => [0, 0, 0, 0, 0, 0, 0],
  };
  try {
    refused(() => {
      const net = new Network({ dt: '0.1 ms', dtype: 'float64', seed: 2 });
      net.add(new NeuronGroup(2, forged as unknown as NeuronModel, { name: 'L', trainInit: [evil] }));
      net.build();
      net.forward({ steps: 5, batch: 1 });
    });
  } finally {
    assert.equal(G.pwnedTodo, undefined, 'the variable name ran as code in the training kernel');
    delete G.pwnedTodo;
  }
});

test('train (Network): hostile trainable names, surrogates and spike modes are refused; a JSON synapse with trained parameters trains harmlessly', async () => {
  const { Network, NeuronGroup, LIF, InputGroup, FixedProb, Expon, COBA, mse, atan } = await import('../src/index.js');
  for (const bad of [['x;globalThis.pwned=1;//'], ['__proto__'], ['constructor'], 'tau', [1]]) {
    refused(() => new NeuronGroup(2, LIF, { train: bad as unknown as string[] }));
    refused(() => new NeuronGroup(2, LIF, { trainInit: bad as unknown as string[] }));
  }
  // a surrogate is rebuilt from its name and sharpness: a forged one's code never reaches a kernel
  const forged = { name: 'atan', alpha: 2, gradCode: () => 'globalThis.pwned=1', softCode: () => 'globalThis.pwned=1', grad: () => 0, soft: () => 0 };
  const sg = new NeuronGroup(2, LIF, { surrogate: forged as never, spikeMode: 'soft' });
  assert.notEqual(sg.options.surrogate, forged);
  assert.equal(sg.options.surrogate!.gradCode('h'), atan(2).gradCode('h'));
  refused(() => new NeuronGroup(2, LIF, { surrogate: { ...forged, name: 'x' } as never }));
  refused(() => new NeuronGroup(2, LIF, { surrogate: { ...forged, alpha: Number.NaN } as never }));
  refused(() => new NeuronGroup(2, LIF, { spikeMode: 'x;globalThis.pwned=1' as never }));
  const json = JSON.parse('{"kind":"Expon","params":{"tau":"5 ms"},"equations":[["g",{"k":"bin","op":"*","a":{"k":"num","v":-1},"b":{"k":"bin","op":"/","a":{"k":"sym","name":"g"},"b":{"k":"sym","name":"tau"}}}]],"onSpike":"g","output":{"k":"sym","name":"g"},"positive":["tau"]}');
  const net = new Network({ dt: '0.1 ms', dtype: 'float64', batch: 1 });
  const x = net.add(new InputGroup(2, 'x'));
  const P = net.add(new NeuronGroup(2, LIF, { name: 'P', train: ['tau'], trainInit: ['v'] }));
  for (const bad of [['x;globalThis.pwned=1;//'], ['__proto__'], ['toString'], ['nope']]) {
    refused(() => {
      const n2 = new Network({ dt: '0.1 ms' });
      const x2 = n2.add(new InputGroup(2, 'x'));
      n2.connect(x2, n2.add(new NeuronGroup(2, LIF)), { comm: new FixedProb(1), weight: '1 nS', syn: json, out: COBA({ E: '0 mV' }), train: bad });
      n2.build();
    });
  }
  net.connect(x, P, { comm: new FixedProb(1), weight: '1 nS', syn: json, out: COBA({ E: '0 mV' }), train: ['weight', 'tau'] });
  void Expon;
  net.forward({ steps: 5, batch: 1, inputs: [[x, { ptr: Int32Array.of(0, 2, 2, 2, 2, 2), idx: Int32Array.of(0, 1) }]] });
  mse(net.trace(P, 'v'), [-0.065, -0.065]);
  net.backward();
  assert.deepEqual(net.parameters().map((p) => p.name).sort(), ['P.init.v', 'P.tau', 'x→P.syn.tau', 'x→P.weight'].sort());
});

test('after every hostile input: no payload ran and no prototype changed', () => {
  assert.equal(G.pwned, undefined);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTO_BEFORE);
  assert.deepEqual(Object.getOwnPropertyNames(Array.prototype).sort(), ARRAY_PROTO_BEFORE);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
});
