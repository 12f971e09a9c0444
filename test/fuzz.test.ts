/**
 * Property-based fuzzing (fast-check) of every entry where declarations come in: the expression
 * parser, expression trees, neuron models, groups, network options, projections, parameter files
 * and state files. Random and adversarial inputs — hostile names, prototype keys, trees whose
 * fields have the wrong types, huge and non-finite numbers — either build (and run) harmlessly or
 * are refused with a BuildError (the parser: a ParseError). None runs a payload, changes
 * Object.prototype or Array.prototype, or writes a file.
 *
 * The seed is fixed (BRAINTS_FUZZ_SEED overrides it) so that a failure can be replayed; run counts
 * are kept small so that the whole file takes seconds (BRAINTS_FUZZ_SCALE multiplies them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  Network,
  NeuronGroup,
  defineNeuron,
  LIF,
  One2One,
  FixedProb,
  Expon,
  CUBA,
  SpikeMonitor,
  parseExpr,
  checkExpr,
  show,
  BuildError,
  ParseError,
  DivergenceError,
  type Expr,
  type NeuronModel,
} from '../src/index.js';

const SEED = Number(process.env.BRAINTS_FUZZ_SEED ?? 20261203);
/** Multiplies every run count (BRAINTS_FUZZ_SCALE=10 for a longer search). */
const SCALE = Number(process.env.BRAINTS_FUZZ_SCALE ?? 1);
const PROTO = Object.getOwnPropertyNames(Object.prototype).sort().join();
const ARRAY_PROTO = Object.getOwnPropertyNames(Array.prototype).sort().join();
const G = globalThis as Record<string, unknown>;
const CWD_FILES = readdirSync('.').sort().join();
const dir = mkdtempSync(join(tmpdir(), 'braints-fuzz-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A payload that marks the world if it ever runs as code. */
const PAYLOAD = `globalThis.pwned=1;process.getBuiltinModule('node:fs').writeFileSync('PWNED','x')`;
const HOSTILE: string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  `x;${PAYLOAD};//`,
  `a]=0;(()=>{${PAYLOAD}})();//`,
  '`${globalThis.pwned=1}`',
  '1x',
  '',
  'a b',
  'v\nw',
  '\u2028',
  'Infinity',
  'NaN',
];

/** Nothing ran, nothing changed. */
function untouched(): void {
  assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(), PROTO, 'Object.prototype changed');
  assert.equal(Object.getOwnPropertyNames(Array.prototype).sort().join(), ARRAY_PROTO, 'Array.prototype changed');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(G.pwned, undefined, 'a payload ran');
  assert.ok(!existsSync('PWNED'), 'a payload wrote a file');
  assert.equal(readdirSync('.').sort().join(), CWD_FILES, 'a file appeared in the working directory');
}

/** Runs `fn`; any error must be one of `allowed`. */
function harmless<T = unknown>(fn: () => T, allowed: (abstract new (...a: never[]) => Error)[] = [BuildError]): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!allowed.some((C) => err instanceof C)) throw new Error(`unexpected ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
    return undefined;
  }
}

function run<T extends [unknown, ...unknown[]]>(prop: fc.IProperty<T>, numRuns: number): void {
  fc.assert(prop, { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) });
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/);
const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('v', 'w', 'tau', 'I', 'El', 'g', 'x') }, { weight: 2, arbitrary: identifier }, { weight: 2, arbitrary: fc.constantFrom(...HOSTILE) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
const weirdNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, 1e308, -1e308, 5e-324, 0, -0, 2 ** 53, 2 ** 31, -(2 ** 31), 1e400 as number),
  fc.integer(),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdNumber,
  fc.string({ maxLength: 10 }),
  fc.constantFrom(...HOSTILE),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant([]),
  fc.constant({}),
  fc.constant(() => {
    G.pwned = 1;
  }),
);

/** Well-formed expression trees over a few names. */
const goodExpr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((v) => ({ k: 'num', v }) as Expr),
    fc.constantFrom('v', 'tau', 'I', 'El', 't').map((n) => ({ k: 'sym', name: n }) as Expr),
    tie('e').map((a) => ({ k: 'neg', a }) as Expr),
    fc.tuple(fc.constantFrom('+', '-', '*', '/', '^'), tie('e'), tie('e')).map(([op, a, b]) => ({ k: 'bin', op, a, b }) as Expr),
    fc.tuple(fc.constantFrom('exp', 'sin', 'sqrt', 'abs', 'tanh', 'log'), tie('e')).map(([fn, a]) => ({ k: 'call', fn, args: [a] }) as Expr),
  ),
})).e;

/** Tree-shaped objects whose kinds, fields and types are anything. */
const wildExpr: fc.Arbitrary<unknown> = fc.letrec<{ e: unknown }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    anyValue,
    fc.record({ k: fc.constantFrom('num', 'sym', 'neg', 'not', 'bin', 'cmp', 'and', 'or', 'call', 'js', '__proto__'), v: anyValue, name: fc.oneof(name, anyValue), op: fc.oneof(fc.constantFrom('+', '*', '<', '&&', '+;x', '__proto__'), anyValue), a: tie('e'), b: tie('e'), fn: fc.oneof(fc.constantFrom('exp', 'eval', 'constructor', 'rand'), anyValue), args: fc.oneof(fc.array(tie('e'), { maxLength: 3 }), anyValue) }, { requiredKeys: ['k'] }),
    fc.tuple(name, anyValue, tie('e')).map(([key, val, inner]) => ({ ...(inner as object), [key]: val })),
    fc.constantFrom('{"k":"sym","name":"v","__proto__":{"polluted":1}}', '{"__proto__":{"k":"num","v":1}}', '{"k":"num","v":1,"constructor":{"prototype":{"polluted":1}}}').map((j) => JSON.parse(j) as unknown),
  ),
})).e;

/** Text for the parser: tokens of the language mixed with everything else. */
const exprText = fc.oneof(
  fc.array(fc.constantFrom('v', 'tau', '+', '-', '*', '/', '**', '^', '(', ')', ',', '<', '>=', '==', '&&', '||', '!', 'exp', 'rand', 'xi', '1e400', '1e-400', '2.5', '.5', '__proto__', 'constructor', '.', ';', '`', '$', '{', '}', '"', "'", '=', '\n', 'mV', 'ms', 'not', 'and'), { maxLength: 16 }).map((a) => a.join(' ')),
  fc.string({ maxLength: 30 }),
  goodExpr.map((e) => show(e)),
);

// ---------------------------------------------------------------------------------------------

test('fuzz: the parser returns a valid tree (that prints and parses back to itself) or a ParseError', () => {
  run(
    fc.property(exprText, (text) => {
      const e = harmless(() => parseExpr(text), [ParseError, BuildError]) as Expr | undefined;
      if (e !== undefined) {
        // the parser reads any identifier; names every object has are refused where names are checked
        const checked = harmless(() => checkExpr(e, 'fuzz', 'expr'));
        if (checked === undefined) assert.throws(() => checkExpr(e, 'fuzz', 'expr'), /is reserved/);
        else assert.deepEqual(checked, e);
        // (compared as JSON: the printer writes -0 as 0)
        assert.equal(JSON.stringify(parseExpr(show(e))), JSON.stringify(e), `round trip of ${JSON.stringify(text)}`);
      }
      untouched();
    }),
    400,
  );
});

test('fuzz: checkExpr copies well-formed trees and refuses anything else with a BuildError', () => {
  run(
    fc.property(goodExpr, (e) => {
      const c = checkExpr(e, 'fuzz', 'expr');
      assert.deepEqual(c, e);
      assert.ok(Object.isFrozen(c));
    }),
    200,
  );
  run(
    fc.property(wildExpr, (e) => {
      harmless(() => checkExpr(e, 'fuzz', 'expr'));
      untouched();
    }),
    400,
  );
});

test('fuzz: random neuron models either build and run, or are refused with a BuildError', () => {
  const units = fc.constantFrom('1', 'volt', 'mV', 'amp', 'second', 'mV);x;(', '__proto__');
  const quantity = fc.oneof(weirdNumber, fc.tuple(weirdNumber, fc.constantFrom('ms', 'mV', 'pA', 'Mohm', 'Hz', '', 'banana', 'ms;x')).map(([x, u]) => `${x} ${u}`), anyValue);
  const model = fc.record({
    name: fc.oneof(fc.constant('Fuzz'), name),
    eqs: fc.array(fc.tuple(fc.boolean(), fc.oneof({ weight: 4, arbitrary: fc.constantFrom('v', 'w') }, { weight: 1, arbitrary: name }), goodExpr, units), { minLength: 1, maxLength: 3 }),
    params: fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('tau', 'El', 'I') }, { weight: 1, arbitrary: name }), quantity, { maxKeys: 3 }),
    threshold: fc.option(fc.oneof(fc.constantFrom('v > 1', 'v > tau', 'w >= 0.5'), exprText), { nil: undefined }),
    reset: fc.option(fc.oneof(fc.constantFrom('v = 0', 'w += 1', 'v = El'), exprText), { nil: undefined }),
    method: fc.option(fc.oneof(fc.constantFrom('euler', 'rk2', 'rk4', 'exp_euler', 'auto'), name), { nil: undefined }),
    dt: fc.oneof(fc.constantFrom('0.1 ms', '1 ms', '1e400 ms', '0 ms', 'NaN ms'), anyValue),
  });
  run(
    fc.property(model, (m) => {
      const equations = m.eqs.map(([diff, n, e, u]) => (diff ? `d${n}/dt = ${show(e)} : ${u}` : `${n} = ${show(e)} : ${u}`)).join('\n');
      const spec: Record<string, unknown> = { name: m.name, equations, params: m.params };
      if (m.threshold !== undefined) spec.threshold = m.threshold;
      if (m.reset !== undefined) spec.reset = m.reset;
      if (m.method !== undefined) spec.method = m.method;
      const M = harmless(() => defineNeuron(spec as never)) as ReturnType<typeof defineNeuron> | undefined;
      if (M) {
        harmless(() => {
          const net = new Network({ dt: m.dt as never, seed: 1, checkDivergence: true });
          const P = net.add(new NeuronGroup(3, M));
          net.add(new SpikeMonitor(P));
          net.run('0.5 ms');
        }, [BuildError, DivergenceError]);
      }
      untouched();
    }),
    150,
  );
});

test('fuzz: plausible random models (dimensionless right-hand sides over a time constant) build and run', () => {
  // goodExpr over v, El, I only: dimensionless, so that most of these build and run
  const dimless: fc.Arbitrary<Expr> = goodExpr.map(function strip(e: Expr): Expr {
    switch (e.k) {
      case 'sym':
        return e.name === 'tau' || e.name === 't' ? { k: 'sym', name: 'v' } : e;
      case 'neg':
        return { k: 'neg', a: strip(e.a) };
      case 'bin':
        return { ...e, a: strip(e.a), b: strip(e.b) } as Expr;
      case 'call':
        return { ...e, args: e.args.map(strip) } as Expr;
      default:
        return e;
    }
  });
  let ran = 0;
  let diverged = 0;
  run(
    fc.property(dimless, dimless, weirdNumber, fc.constantFrom('euler', 'rk2', 'rk4', 'auto'), fc.constantFrom<'js' | 'auto'>('js', 'auto'), (f, g, el, method, backend) => {
      const M = harmless<NeuronModel>(() =>
        defineNeuron({ name: 'Plausible', equations: `dv/dt = (${show(f)})/tau : 1\ndw/dt = (${show(g)} - w)/tau : 1\nI : 1 (input)`, params: { tau: '10 ms', El: el }, threshold: 'v > 1', reset: 'v = 0; w += 0.1', method }),
      );
      if (M) {
        const r = harmless(() => {
          const net = new Network({ dt: '0.1 ms', seed: 1, backend });
          const P = net.add(new NeuronGroup(5, M));
          P.setInput('I', 0.5);
          net.add(new SpikeMonitor(P));
          net.run('1 ms');
          return true;
        }, [BuildError, DivergenceError]);
        if (r) ran++;
        else diverged++;
      }
      untouched();
    }),
    120,
  );
  assert.ok(ran > 20, `${ran} of 120 random models ran (${diverged} refused or diverged)`);
});

test('fuzz: random group, network, projection and input options build harmlessly or are refused', () => {
  const record = fc.dictionary(name, anyValue, { maxKeys: 4 });
  run(
    fc.property(record, record, record, fc.constantFrom('params', 'init', 'method', 'name', 'train'), (groupOpts, netOpts, projOpts, key) => {
      harmless(() => new NeuronGroup(3, LIF, { [key]: groupOpts } as never));
      harmless(() => new NeuronGroup(3, LIF, groupOpts as never));
      harmless(() => {
        const net = new Network(netOpts as never);
        net.add(new NeuronGroup(3, LIF));
        net.run('0.2 ms');
      });
      harmless(() => {
        const net = new Network();
        const A = net.add(new NeuronGroup(3, LIF));
        net.connect(A, A, { comm: new One2One(), weight: '1 mV', target: 'v', ...projOpts } as never);
        net.run('0.2 ms');
      });
      harmless(() => {
        const net = new Network();
        const A = net.add(new NeuronGroup(3, LIF));
        net.connect(A, A, { comm: new FixedProb(0.5), weight: '1 pA', syn: Expon({ tau: (projOpts as { tau?: never }).tau ?? '5 ms' }), out: CUBA(), ...projOpts } as never);
        A.setInput('I', (groupOpts as { I?: never }).I ?? '100 pA');
        net.run('0.2 ms');
      });
      untouched();
    }),
    120,
  );
});

test('fuzz: parameter and state files with random content are refused atomically', () => {
  const net = new Network({ seed: 2 });
  const P = net.add(new NeuronGroup(4, LIF, { train: ['tau'] }));
  P.setInput('I', '200 pA');
  net.run('2 ms');
  const saved = net.saveParams();
  net.store({ file: join(dir, 'good.bts') });
  const snapshot = () => JSON.stringify([net.saveParams(), Array.from(P.get('v')), net.stepIndex]);
  const before = snapshot();
  const jsonish = fc.jsonValue({ maxDepth: 3 });
  run(
    fc.property(fc.oneof(jsonish, fc.record({ format: fc.constant('braints-network-params'), version: fc.constant(1), params: fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(saved.params)), name), fc.oneof(fc.array(weirdNumber, { maxLength: 5 }), anyValue)) })), (x) => {
      const r = harmless(() => net.loadParams(x));
      if (r === undefined) assert.equal(snapshot(), before);
      untouched();
    }),
    200,
  );
  assert.equal(snapshot(), before);
  let k = 0;
  run(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, at) => {
      const f = join(dir, `s${k++}.bts`);
      const mixed = new Uint8Array([...new TextEncoder().encode('BRAINTS-STATE\n'), ...bytes]);
      writeFileSync(f, at % 2 ? mixed : bytes);
      harmless(() => net.restore({ file: f }));
      assert.equal(snapshot(), before);
      untouched();
    }),
    100,
  );
});

/** Dimensionless trees over the given names (for rules and training). */
function over(names: readonly string[]): fc.Arbitrary<Expr> {
  return goodExpr.map(function rename(e: Expr): Expr {
    switch (e.k) {
      case 'sym':
        return { k: 'sym', name: names[e.name.length % names.length] };
      case 'neg':
        return { k: 'neg', a: rename(e.a) };
      case 'bin':
        return { ...e, a: rename(e.a), b: rename(e.b) } as Expr;
      case 'call':
        return { ...e, args: e.args.map(rename) } as Expr;
      default:
        return e;
    }
  });
}

const Unit = defineNeuron({ name: 'Unit', equations: 'dv/dt = (El - v + I)/tau : 1\nI : 1 (input)', params: { tau: '10 ms', El: 0.2 }, threshold: 'v > 1', reset: 'v = 0' });

test('fuzz: random plasticity statements compile and run, or are refused with a BuildError', () => {
  const statement = fc.oneof(
    { weight: 3, arbitrary: over(['apre', 'apost', 'w', 'A']).map((e) => `w = clip(w + 0.01*(${show(e)}), 0, 1)`) },
    { weight: 1, arbitrary: exprText.map((t) => `w = ${t}`) },
    { weight: 1, arbitrary: fc.tuple(name, exprText).map(([n, t]) => `${n} += ${t}`) },
  );
  let ran = 0;
  run(
    fc.property(statement, statement, fc.oneof(fc.constant(0.01), weirdNumber, anyValue), (onPre, onPost, A) => {
      const ok = harmless(() => {
        const net = new Network({ seed: 3, backend: 'js' });
        const P = net.add(new NeuronGroup(6, Unit));
        P.setInput('I', 1.5);
        const rule = { name: 'Fuzzed', params: { A, tau_plus: '20 ms', tau_minus: '20 ms' }, pre: { equations: 'dapre/dt = -apre/tau_plus : 1', onSpike: 'apre += 1' }, post: { equations: 'dapost/dt = -apost/tau_minus : 1', onSpike: 'apost += 1' }, onPre, onPost };
        net.connect(P, P, { comm: new FixedProb(0.5), weight: 0.1, target: 'v', plasticity: rule as never });
        net.run('5 ms');
        return true;
      }, [BuildError, DivergenceError]);
      if (ok) ran++;
      untouched();
    }),
    100,
  );
  assert.ok(ran > 10, `${ran} of 100 random rules ran`);
});

test('fuzz: training (forward and backward) on random models runs harmlessly or is refused; most give finite gradients', () => {
  let trained = 0;
  run(
    fc.property(over(['v', 'El', 'I']), fc.double({ min: -2, max: 2, noNaN: true }), (f, el) => {
      const M = harmless<NeuronModel>(() => defineNeuron({ name: 'Trainable', equations: `dv/dt = (${show(f)} - v)/tau : 1\nI : 1 (input)`, params: { tau: '10 ms', El: el }, threshold: 'v > 1', reset: 'v = 0' }));
      if (M) {
        const ok = harmless(() => {
          const net = new Network({ seed: 1, backend: 'js' });
          const P = net.add(new NeuronGroup(4, M, { train: ['El'] }));
          P.setInput('I', 0.5);
          net.forward({ steps: 20, batch: 2 });
          const tr = net.trace(P, 'v');
          tr.grad.fill(1);
          net.backward();
          return net.parameters().every((p) => Array.from(p.grad).every((g) => Number.isFinite(g)));
        }, [BuildError, DivergenceError]);
        if (ok) trained++;
      }
      untouched();
    }),
    60,
  );
  assert.ok(trained > 5, `${trained} of 60 random models trained with finite gradients`);
});
