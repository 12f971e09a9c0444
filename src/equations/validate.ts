/**
 * Checks at the entry boundary. Whatever a user hands in (a model read from JSON, an expression
 * tree built by hand, an options object) is checked here before it can reach code generation or a
 * property lookup: names must be identifiers of the equation language, expression trees must be
 * exactly the trees the parser makes, records must be plain data. Each check returns a fresh copy
 * built from values it read once, so a getter or proxy cannot show one value to the check and
 * another to the compiler.
 */
import { type Expr, type BinOp, type CmpOp, FUNCTIONS } from './ast.js';
import { BuildError } from '../lang/errors.js';

/** The identifier grammar of the equation parser (see parser.ts `tokenize`). */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Keys every JavaScript object answers to: used as names, they reach Object.prototype through
// lookups such as `spec.init[name]`. Listed by hand so that a polluted prototype changes nothing.
const OBJECT_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toString',
  'toLocaleString',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

// Trees deeper or larger than this are refused: the checks, the printer and the code generators
// recurse, and a shared sub-tree is printed once per use.
const MAX_DEPTH = 500;
const MAX_NODES = 100_000;

/**
 * Why `name` cannot be a name, or undefined when it can.
 *
 * @example
 * nameProblem('tau') // undefined
 * nameProblem('a+b') // "'a+b' is not a valid name (letters, digits and _, not starting with a digit)"
 */
export function nameProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) return `${quote(name)} is not a valid name (letters, digits and _, not starting with a digit)`;
  if (OBJECT_KEYS.has(name)) return `${quote(name)} is reserved (every JavaScript object has it)`;
  return undefined;
}

/**
 * A name the user chose (variable, parameter, state, input, key): an identifier of the equation
 * language that is not a key every JavaScript object already has.
 *
 * @example
 * checkIdentifier('tau_m', "model 'LIF'", 'params') // 'tau_m'
 * checkIdentifier('__proto__', "model 'LIF'", 'params') // throws BuildError
 */
export function checkIdentifier(name: unknown, where: string, field: string): string {
  if (typeof name !== 'string') throw new BuildError(where, field, `a name must be a string, got ${describe(name)}`, "write a name such as 'v' or 'tau'");
  const problem = nameProblem(name);
  if (problem) throw new BuildError(where, field, problem, `rename it, e.g. ${quote(suggestName(name))}`);
  return name;
}

/**
 * A display name (of a model, group, projection, rule or synapse kind): any printable text, never
 * part of generated code. Control characters are refused so that messages cannot be forged.
 *
 * @example
 * checkLabel('STDP (additive)', 'plasticity rule', 'name') // 'STDP (additive)'
 */
export function checkLabel(name: unknown, where: string, field: string): string {
  if (typeof name !== 'string') throw new BuildError(where, field, `must be a string, got ${describe(name)}`, "give a name such as 'E'");
  // eslint-disable-next-line no-control-regex
  if (name.length > 200 || /[\u0000-\u001f\u007f\u2028\u2029]/.test(name)) {
    throw new BuildError(where, field, `${quote(name)} is not a usable name (at most 200 printable characters)`, 'use a short name without line breaks or control characters');
  }
  return name;
}

/**
 * A string (equation text, statements, a unit), refused if it is anything else.
 *
 * @example
 * checkText('v = Vreset', "model 'LIF'", 'reset') // 'v = Vreset'
 */
export function checkText(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string') throw new BuildError(where, field, `must be text, got ${describe(value)}`, 'write it as a string');
  return value;
}

/**
 * A finite number.
 *
 * @example
 * checkFinite(0.5, 'STP', 'U') // 0.5
 * checkFinite(NaN, 'STP', 'U') // throws BuildError
 */
export function checkFinite(value: unknown, where: string, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BuildError(where, field, `must be a finite number, got ${describe(value)}`, 'give a number such as 1.5');
  return value;
}

/**
 * A plain object's own entries, each read once. Refuses anything but a plain object: arrays,
 * class instances, other prototypes, symbol or non-enumerable keys, getters and setters.
 *
 * @example
 * plainEntries({ tau: '10 ms' }, "model 'LIF'", 'params') // [['tau', '10 ms']]
 */
export function plainEntries(obj: unknown, where: string, field: string): [string, unknown][] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new BuildError(where, field, `must be a plain object, got ${describe(obj)}`, 'write it as { name: value, ... }');
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) throw new BuildError(where, field, 'must be a plain object, got an object with another prototype', 'write it as { name: value, ... }');
  const out: [string, unknown][] = [];
  for (const key of Reflect.ownKeys(obj)) {
    if (typeof key === 'symbol') throw new BuildError(where, field, 'has a symbol key', 'use names as keys');
    const d = Object.getOwnPropertyDescriptor(obj, key);
    if (!d) continue;
    if (!('value' in d)) throw new BuildError(where, `${field}.${safeKey(key)}`, 'is a getter or setter, not a value', 'give the value itself');
    if (!d.enumerable) throw new BuildError(where, `${field}.${safeKey(key)}`, 'is not an enumerable property', 'give it as an ordinary property');
    out.push([key, d.value]);
  }
  return out;
}

/**
 * A record of named values: a plain object whose keys are all names (see {@link checkIdentifier}).
 * With `allowed`, other keys are refused with the nearest allowed one and the list of them
 * (introduced by `list`). Returns a copy.
 *
 * @example
 * checkRecordKeys({ tau: '10 ms' }, "group 'P'", 'params', ['tau', 'Vth']) // { tau: '10 ms' }
 * checkRecordKeys({ tua: '10 ms' }, "group 'P'", 'params', ['tau', 'Vth']) // throws: did you mean 'tau'?
 */
export function checkRecordKeys<T = unknown>(obj: unknown, where: string, field: string, allowed?: readonly string[], list?: string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of plainEntries(obj, where, field)) {
    const problem = nameProblem(key);
    if (problem) throw new BuildError(where, `${field}.${safeKey(key)}`, `the key ${problem}`, allowed ? knownNames(key, allowed, list) : `rename it, e.g. ${quote(suggestName(key))}`);
    if (allowed && !allowed.includes(key)) throw new BuildError(where, `${field}.${key}`, `unknown key ${quote(key)}`, knownNames(key, allowed, list));
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A real array (not an array-like, not a subclass), each element read once. Returns a copy.
 *
 * @example
 * checkArray(['tau'], "model 'LIF'", 'positive') // ['tau']
 */
export function checkArray(value: unknown, where: string, field: string): unknown[] {
  if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) throw new BuildError(where, field, `must be an array, got ${describe(value)}`, 'write it as [ ... ]');
  const n = value.length;
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const d = Object.getOwnPropertyDescriptor(value, i);
    if (!d || !('value' in d)) throw new BuildError(where, `${field}[${i}]`, d ? 'is a getter, not a value' : 'is missing (a hole in the array)', 'give every element as a value');
    out.push(d.value);
  }
  return out;
}

/**
 * An array of names, each checked with {@link checkIdentifier}; with `allowed`, each must be one of them.
 *
 * @example
 * checkNames(['tau'], "model 'LIF'", 'positive', ['tau', 'Vth']) // ['tau']
 */
export function checkNames(value: unknown, where: string, field: string, allowed?: readonly string[]): string[] {
  return checkArray(value, where, field).map((x, i) => {
    const name = checkIdentifier(x, where, `${field}[${i}]`);
    if (allowed && !allowed.includes(name)) throw new BuildError(where, `${field}[${i}]`, `unknown name ${quote(name)}`, knownNames(name, allowed));
    return name;
  });
}

const KINDS = new Set(['num', 'sym', 'bin', 'neg', 'call', 'cmp', 'logic', 'not']);
const BIN_OPS: ReadonlySet<string> = new Set<BinOp>(['+', '-', '*', '/', '^']);
const CMP_OPS: ReadonlySet<string> = new Set<CmpOp>(['<', '>', '<=', '>=', '==', '!=']);
const LOGIC_OPS: ReadonlySet<string> = new Set(['and', 'or']);
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  num: ['k', 'v'],
  sym: ['k', 'name'],
  bin: ['k', 'op', 'a', 'b'],
  cmp: ['k', 'op', 'a', 'b'],
  logic: ['k', 'op', 'a', 'b'],
  neg: ['k', 'a'],
  not: ['k', 'a'],
  call: ['k', 'fn', 'args'],
};

/**
 * An expression tree handed in as an object: every node a plain object of a known kind with
 * exactly its fields, operators and functions from the language's tables, numbers finite, symbol
 * names identifiers, no cycles. Returns a frozen copy (shared sub-trees stay shared).
 *
 * @example
 * checkExpr({ k: 'bin', op: '/', a: { k: 'sym', name: 'g' }, b: { k: 'sym', name: 'tau' } }, 'synapse', 'equations.g') // a copy
 * checkExpr({ k: 'sym', name: 'a+b' }, 'synapse', 'output') // throws BuildError
 */
export function checkExpr(value: unknown, where: string, field: string): Expr {
  const done = new Map<object, { e: Expr; size: number }>();
  const path = new Set<object>();
  let total = 0;
  const visit = (x: unknown, at: string, depth: number): { e: Expr; size: number } => {
    if (typeof x !== 'object' || x === null) throw new BuildError(where, at, `an expression node must be an object, got ${describe(x)}`, "build trees with num(), sym(), bin(), call() or parseExpr('...')");
    const seen = done.get(x);
    if (seen) return seen;
    if (path.has(x)) throw new BuildError(where, at, 'the expression contains itself (a cycle)', 'build a tree: no node may be its own descendant');
    if (depth > MAX_DEPTH) throw new BuildError(where, at, `the expression is nested more than ${MAX_DEPTH} levels deep`, 'simplify the expression');
    path.add(x);
    const node = new Map(plainEntries(x, where, at));
    const k = node.get('k');
    if (typeof k !== 'string' || !KINDS.has(k)) throw new BuildError(where, `${at}.k`, `unknown node kind ${describe(k)}`, `use one of ${[...KINDS].join(', ')}`);
    for (const key of node.keys()) if (!FIELDS[k].includes(key)) throw new BuildError(where, `${at}.${safeKey(key)}`, `a '${k}' node has no field ${quote(key)}`, `give exactly ${FIELDS[k].join(', ')}`);
    for (const key of FIELDS[k]) if (!node.has(key)) throw new BuildError(where, at, `a '${k}' node needs the field '${key}'`, `give exactly ${FIELDS[k].join(', ')}`);
    const child = (key: string) => visit(node.get(key), `${at}.${key}`, depth + 1);
    const op = (ops: ReadonlySet<string>) => {
      const o = node.get('op');
      if (typeof o !== 'string' || !ops.has(o)) throw new BuildError(where, `${at}.op`, `unknown operator ${describe(o)} for a '${k}' node`, `use one of ${[...ops].join(' ')}`);
      return o;
    };
    let e: Expr;
    let size = 1;
    switch (k) {
      case 'num': {
        const v = node.get('v');
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new BuildError(where, `${at}.v`, `a number node needs a finite number, got ${describe(v)}`, "write the number itself, e.g. { k: 'num', v: 0.5 }");
        e = { k: 'num', v };
        break;
      }
      case 'sym':
        e = { k: 'sym', name: checkIdentifier(node.get('name'), where, `${at}.name`) };
        break;
      case 'neg':
      case 'not': {
        const a = child('a');
        size += a.size;
        e = { k, a: a.e };
        break;
      }
      case 'call': {
        const fn = node.get('fn');
        if (typeof fn !== 'string' || !Object.hasOwn(FUNCTIONS, fn)) throw new BuildError(where, `${at}.fn`, `unknown function ${describe(fn)}`, `use one of ${Object.keys(FUNCTIONS).join(', ')}`);
        const args = checkArray(node.get('args'), where, `${at}.args`);
        if (args.length !== FUNCTIONS[fn].arity) throw new BuildError(where, `${at}.args`, `'${fn}' takes ${FUNCTIONS[fn].arity} argument(s), got ${args.length}`, `give ${FUNCTIONS[fn].arity}`);
        const out = args.map((a, i) => visit(a, `${at}.args[${i}]`, depth + 1));
        for (const a of out) size += a.size;
        e = { k: 'call', fn, args: Object.freeze(out.map((a) => a.e)) };
        break;
      }
      default: {
        const o = op(k === 'bin' ? BIN_OPS : k === 'cmp' ? CMP_OPS : LOGIC_OPS);
        const a = child('a');
        const b = child('b');
        size += a.size + b.size;
        e = { k, op: o, a: a.e, b: b.e } as Expr;
      }
    }
    if (size > MAX_NODES) throw new BuildError(where, at, `the expression has more than ${MAX_NODES} nodes once written out`, 'simplify the expression');
    total++;
    path.delete(x);
    const r = { e: Object.freeze(e), size };
    done.set(x, r);
    return r;
  };
  try {
    return visit(value, field, 0).e;
  } catch (err) {
    if (err instanceof BuildError) throw err;
    // a proxy trap or a stack overflow: report it as a refusal, not as our failure
    throw new BuildError(where, field, `the expression could not be read (${(err as Error)?.message ?? 'unknown error'}, after ${total} nodes)`, 'give a plain tree of objects');
  }
}

/**
 * The edit distance of two names (insertions, deletions, substitutions).
 *
 * @example
 * editDistance('tua', 'tau') // 2
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate closest to `name`, if one is close enough to be a likely typo.
 *
 * @example
 * nearestName('Vht', ['Vth', 'tau']) // 'Vth'
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) (best = c), (bestD = d);
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/**
 * A fix that names the nearest valid name and lists all of them after `list`.
 *
 * @example
 * knownNames('tua', ['tau', 'Vth']) // "did you mean 'tau'? known: tau, Vth"
 */
export function knownNames(name: string, allowed: readonly string[], list = 'known'): string {
  const near = nearestName(name.slice(0, 100), allowed);
  const all = `${list}: ${allowed.join(', ') || '(none)'}`;
  return near ? `did you mean '${near}'? ${all}` : all;
}

/** A user value, described without running any of its code (no toString, toJSON or getters). */
export function describe(x: unknown): string {
  if (typeof x === 'string') return quote(x);
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint' || x === undefined || x === null) return String(x);
  if (typeof x === 'function') return 'a function';
  if (typeof x === 'symbol') return 'a symbol';
  return Array.isArray(x) ? 'an array' : 'an object';
}

/** A string quoted for a message, shortened. */
function quote(s: string): string {
  const t = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  return JSON.stringify(t).replace(/^"|"$/g, "'");
}

function safeKey(key: string): string {
  return IDENTIFIER.test(key) ? key : quote(key);
}

/** A valid name close to an invalid one, for the fix of a message. */
function suggestName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(?=[0-9])/, '_').slice(0, 40) || 'x';
  return OBJECT_KEYS.has(s) ? `${s.replace(/^_+|_+$/g, '')}_` : s;
}
