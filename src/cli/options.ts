/**
 * Parsers of option values: each refuses a bad value with the flag, the value and what would be
 * valid (commander prints "option '--seed <n>' argument 'abc' is invalid. <our message>").
 */
import { InvalidArgumentError } from 'commander';
import { quantityIn, SECOND } from '../equations/quantity.js';

/** A time such as '1s', '500ms' or '0.5 s'; returns seconds. */
export function parseTime(value: string): number {
  let t: number;
  try {
    t = quantityIn(value, SECOND);
  } catch {
    throw new InvalidArgumentError("expected a time with a unit, such as '1s', '500ms' or '2.5 s'.");
  }
  if (!(t >= 0) || !Number.isFinite(t)) throw new InvalidArgumentError("expected a time ≥ 0, such as '1s' or '500ms'.");
  return t;
}

/** An integer in [min, max]. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    const n = /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` from ${min} to ${max}`}.`);
    return n;
  };
}

/** A positive number (e.g. a scale). */
export function positiveNumber(value: string): number {
  const n = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a positive number, such as 0.5 or 2.');
  return n;
}

/** A comma-separated list of choices, e.g. 'svg,png'. */
export function choices<T extends string>(valid: readonly T[]): (value: string) => T[] {
  return (value: string) => {
    const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = parts.filter((p) => !valid.includes(p as T));
    if (parts.length === 0 || bad.length > 0) throw new InvalidArgumentError(`expected one or more of ${valid.join(', ')} separated by commas${bad.length ? ` ('${bad[0]}' is not one)` : ''}.`);
    return [...new Set(parts)] as T[];
  };
}

/** A trace to record: 'GROUP.VAR' or 'GROUP.VAR[0,1,2]'. */
export interface TraceSpec {
  readonly group: string;
  readonly variable: string;
  readonly indices: number[] | undefined;
}

const TRACE = /^([^.[\]]+)\.([A-Za-z_][A-Za-z0-9_]*)(?:\[([\d,\s]+)\])?$/;

/** Collects repeated --trace values. */
export function traceSpec(value: string, previous: TraceSpec[] = []): TraceSpec[] {
  const m = TRACE.exec(value.trim());
  if (!m) throw new InvalidArgumentError("expected GROUP.VARIABLE or GROUP.VARIABLE[i,j,...], such as 'P.v' or 'P.v[0,1,2]'.");
  const indices = m[3] ? m[3].split(',').map((s) => s.trim()).filter(Boolean).map(Number) : undefined;
  return [...previous, { group: m[1], variable: m[2], indices }];
}
