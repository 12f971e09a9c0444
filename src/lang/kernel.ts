/**
 * Turns generated kernel source into a function.
 *
 * This is the only place BrainTS creates code at run time. The source handed here is produced by
 * the code generators from parsed expression trees and numbers (see equations/codegen.ts): no
 * text a user typed is ever part of it, which `assertGenerated` double-checks by refusing any
 * character that the generators never emit.
 */

const ALLOWED = /^[A-Za-z0-9_$\s+\-*/%().,;:=<>!&|?{}[\]'"]*$/;

/**
 * Throws if the source contains characters our generators never produce.
 *
 * @example
 * assertGenerated('const n_v = c_v + 0.0001 * k1_v;'); // passes
 * assertGenerated('x = `${y}`'); // throws: a backtick is never generated
 */
export function assertGenerated(source: string): void {
  if (!ALLOWED.test(source)) {
    const bad = [...source].find((c) => !ALLOWED.test(c));
    throw new Error(`internal error: generated kernel contains an unexpected character '${bad}'`);
  }
}

/**
 * Compiles a generated kernel body into a function of the named parameters.
 *
 * @example
 * const f = compileKernel(['a'], 'return a * 2;') as (a: number) => number;
 */
export function compileKernel(params: readonly string[], body: string): (...args: unknown[]) => unknown {
  assertGenerated(body);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...params, body) as (...args: unknown[]) => unknown;
}
