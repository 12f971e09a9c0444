/**
 * Physical units and dimensions.
 *
 * BrainTS stores every value in SI base units (volt, second, siemens, amp, ...) and checks the
 * dimensions of every equation when a model is built. A dimension is a vector of exponents over the
 * seven SI base quantities; a unit is a dimension and a scale (mV = 1e-3 volt).
 */

/** Exponents of [metre, kilogram, second, ampere, kelvin, mole, candela]. */
export type Dim = readonly [number, number, number, number, number, number, number];

export const DIMENSIONLESS: Dim = [0, 0, 0, 0, 0, 0, 0];
const BASE_SYMBOLS = ['m', 'kg', 's', 'A', 'K', 'mol', 'cd'];

/** A value with a dimension, in SI base units. */
export interface Quantity {
  readonly value: number;
  readonly dim: Dim;
}

/**
 * Dimension of a product: adds the exponents of two dimensions.
 *
 * @example
 * dimMul(unitByName('nS')!.dim, unitByName('mV')!.dim) // the dimension of amp: [0, 0, 0, 1, 0, 0, 0]
 */
export function dimMul(a: Dim, b: Dim): Dim {
  return a.map((x, i) => x + b[i]) as unknown as Dim;
}
/**
 * Dimension of a quotient: subtracts the exponents of `b` from those of `a`.
 *
 * @example
 * formatDim(dimDiv(unitByName('mV')!.dim, unitByName('ms')!.dim)) // 'volt/second'
 */
export function dimDiv(a: Dim, b: Dim): Dim {
  return a.map((x, i) => x - b[i]) as unknown as Dim;
}
/**
 * Dimension of a power: multiplies every exponent by `p`.
 *
 * @example
 * formatDim(dimPow(unitByName('second')!.dim, -1)) // 'hertz'
 */
export function dimPow(a: Dim, p: number): Dim {
  return a.map((x) => x * p) as unknown as Dim;
}
/**
 * True when two dimensions have the same exponents (to within 1e-12).
 *
 * @example
 * dimEq(unitByName('Hz')!.dim, dimPow(unitByName('s')!.dim, -1)) // true
 */
export function dimEq(a: Dim, b: Dim): boolean {
  for (let i = 0; i < 7; i++) if (Math.abs(a[i] - b[i]) > 1e-12) return false;
  return true;
}
/**
 * True when every exponent of a dimension is zero.
 *
 * @example
 * isDimensionless(dimDiv(unitByName('mV')!.dim, unitByName('V')!.dim)) // true
 */
export function isDimensionless(a: Dim): boolean {
  return dimEq(a, DIMENSIONLESS);
}

// Named derived dimensions, used to print a dimension the way a neuroscientist reads it.
const NAMED: [string, Dim][] = [
  ['1', DIMENSIONLESS],
  ['volt', [2, 1, -3, -1, 0, 0, 0]],
  ['second', [0, 0, 1, 0, 0, 0, 0]],
  ['hertz', [0, 0, -1, 0, 0, 0, 0]],
  ['siemens', [-2, -1, 3, 2, 0, 0, 0]],
  ['amp', [0, 0, 0, 1, 0, 0, 0]],
  ['farad', [-2, -1, 4, 2, 0, 0, 0]],
  ['ohm', [2, 1, -3, -2, 0, 0, 0]],
  ['volt/second', [2, 1, -4, -1, 0, 0, 0]],
  ['siemens/second', [-2, -1, 2, 2, 0, 0, 0]],
  ['amp/second', [0, 0, -1, 1, 0, 0, 0]],
  ['metre', [1, 0, 0, 0, 0, 0, 0]],
  ['metre^2', [2, 0, 0, 0, 0, 0, 0]],
  ['siemens/metre^2', [-4, -1, 3, 2, 0, 0, 0]],
  ['farad/metre^2', [-4, -1, 4, 2, 0, 0, 0]],
  ['mole/metre^3', [-3, 0, 0, 0, 0, 1, 0]],
  ['coulomb', [0, 0, 1, 1, 0, 0, 0]],
];

/**
 * A readable name for a dimension: 'volt', 'siemens', or base units such as 'm^2 kg s^-3'.
 *
 * @example
 * formatDim(unitByName('mV')!.dim) // 'volt'
 */
export function formatDim(d: Dim): string {
  for (const [name, nd] of NAMED) if (dimEq(d, nd)) return name;
  const parts: string[] = [];
  d.forEach((p, i) => {
    if (Math.abs(p) > 1e-12) parts.push(p === 1 ? BASE_SYMBOLS[i] : `${BASE_SYMBOLS[i]}^${+p.toFixed(6)}`);
  });
  return parts.join(' ');
}

const PREFIXES: Record<string, number> = { f: 1e-15, p: 1e-12, n: 1e-9, u: 1e-6, m: 1e-3, c: 1e-2, k: 1e3, M: 1e6, G: 1e9 };

/** Every unit name the equation language knows, with its scale to SI and its dimension. */
export const UNITS: ReadonlyMap<string, Quantity> = (() => {
  const table = new Map<string, Quantity>();
  const add = (name: string, value: number, dim: Dim) => table.set(name, { value, dim });
  const base: [string[], Dim, string[]][] = [
    // [long names, dim, short symbols that take prefixes]
    [['volt'], [2, 1, -3, -1, 0, 0, 0], ['V']],
    [['second'], [0, 0, 1, 0, 0, 0, 0], ['s']],
    [['siemens'], [-2, -1, 3, 2, 0, 0, 0], ['S']],
    [['amp', 'ampere'], [0, 0, 0, 1, 0, 0, 0], ['A']],
    [['farad'], [-2, -1, 4, 2, 0, 0, 0], ['F']],
    [['ohm'], [2, 1, -3, -2, 0, 0, 0], ['ohm']],
    [['hertz'], [0, 0, -1, 0, 0, 0, 0], ['Hz']],
    [['metre', 'meter'], [1, 0, 0, 0, 0, 0, 0], []],
    [['coulomb'], [0, 0, 1, 1, 0, 0, 0], ['C']],
    [['mole'], [0, 0, 0, 0, 0, 1, 0], ['mol']],
    [['molar'], [-3, 0, 0, 0, 0, 1, 0], []],
  ];
  for (const [longs, dim, shorts] of base) {
    const scale = longs[0] === 'molar' ? 1e3 : 1; // molar = mol / litre = 1e3 mol / m^3
    for (const long of longs) {
      add(long, scale, dim);
      for (const [p, f] of Object.entries(PREFIXES)) {
        const prefixLong = { f: 'femto', p: 'pico', n: 'nano', u: 'micro', m: 'milli', c: 'centi', k: 'kilo', M: 'mega', G: 'giga' }[p]!;
        add(p + long, f * scale, dim);
        add(prefixLong + long, f * scale, dim);
      }
    }
    for (const short of shorts) {
      if (short !== 'ohm') add(short, scale, dim);
      for (const [p, f] of Object.entries(PREFIXES)) add(p + short, f * scale, dim);
    }
  }
  // Short metre forms (a bare 'm' is left out on purpose: it is the HH gating variable far more often).
  for (const [name, f] of [['um', 1e-6], ['mm', 1e-3], ['cm', 1e-2], ['nm', 1e-9], ['km', 1e3]] as const) {
    add(name, f, [1, 0, 0, 0, 0, 0, 0]);
  }
  for (const [name, f] of [['mM', 1], ['uM', 1e-3], ['nM', 1e-6], ['M', 1e3]] as const) add(name, f, [-3, 0, 0, 0, 0, 1, 0]);
  add('Mohm', 1e6, [2, 1, -3, -2, 0, 0, 0]);
  add('Gohm', 1e9, [2, 1, -3, -2, 0, 0, 0]);
  add('kohm', 1e3, [2, 1, -3, -2, 0, 0, 0]);
  add('liter', 1e-3, [3, 0, 0, 0, 0, 0, 0]);
  add('litre', 1e-3, [3, 0, 0, 0, 0, 0, 0]);
  add('kilogram', 1, [0, 1, 0, 0, 0, 0, 0]);
  add('kg', 1, [0, 1, 0, 0, 0, 0, 0]);
  add('kelvin', 1, [0, 0, 0, 0, 1, 0, 0]);
  add('candela', 1, [0, 0, 0, 0, 0, 0, 1]);
  return table;
})();

/**
 * Looks up a unit name ('mV', 'ms', 'nS', ...); undefined when the name is unknown.
 *
 * @example
 * unitByName('mV')?.value // 0.001 (the scale to volts)
 */
export function unitByName(name: string): Quantity | undefined {
  return UNITS.get(name);
}

/**
 * Formats an SI value in a unit ('mV', 'ms', ...) for humans.
 *
 * @example
 * inUnit(-0.065, 'mV') // -65
 */
export function inUnit(value: number, unit: string): number {
  const u = UNITS.get(unit);
  if (!u) throw new RangeError(`unknown unit '${unit}'`);
  return value / u.value;
}
