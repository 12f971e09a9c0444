/**
 * Numeric command-line options of the example scripts, read once with commander: a misspelled
 * flag or a value that is not a number of the right kind is refused with the flag, the value and
 * what would be valid (`--scale abc`: "expected a positive number").
 */
import { basename } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { integer, positiveNumber, choices } from '../src/cli/options.js';

type Kind = 'positive' | 'integer' | 'count';

/**
 * The options `--NAME value` for every key of `defaults`, parsed from process.argv.
 *
 * @example
 * const { scale, seed } = numberOptions('COBA demo', { scale: 1, seed: 1 }, { seed: 'integer' });
 */
export function numberOptions<T extends Record<string, number>>(description: string, defaults: T, kinds: Partial<Record<keyof T & string, Kind>> = {}): T {
  const program = new Command(`node dist/examples/${basename(process.argv[1] ?? 'example.js')}`)
    .description(description)
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for the options)');
  for (const [name, dflt] of Object.entries(defaults)) {
    const kind: Kind = kinds[name] ?? 'positive';
    const parse = kind === 'integer' ? integer(0) : kind === 'count' ? integer(1) : positiveNumber;
    program.option(`--${name} <${kind === 'positive' ? 'x' : 'n'}>`, kind === 'positive' ? 'a positive number' : kind === 'count' ? 'a whole number ≥ 1' : 'a whole number ≥ 0', parse, dflt);
  }
  program.parse(process.argv);
  return program.opts<T>();
}

/** One option of {@link exampleOptions}: its kind, default and help. */
export type OptionSpec =
  | { kind: Kind | 'nonnegative'; default?: number; help: string }
  | { kind: 'positives'; default: number[]; help: string }
  | { kind: 'choice'; default: string; choices: readonly string[]; help: string }
  | { kind: 'choices'; default: string[]; choices: readonly string[]; help: string }
  | { kind: 'path'; default: string; help: string }
  | { kind: 'flag'; help: string };

/** The parsed value of an option (a number option without a default may be absent). */
type ValueOf<S extends OptionSpec> = S extends { kind: 'flag' } ? boolean : S extends { kind: 'positives' } ? number[] : S extends { kind: 'choices' } ? string[] : S extends { kind: 'choice' | 'path' } ? string : S extends { default: number } ? number : number | undefined;

const nonNegative = (value: string): number => {
  const n = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number ≥ 0, such as 0 or 0.15.');
  return n;
};

const positiveList = (value: string): number[] =>
  value.split(',').map((s) => {
    try {
      return positiveNumber(s);
    } catch {
      throw new InvalidArgumentError(`expected positive numbers separated by commas, such as 1,2,4 ('${s.trim()}' is not one).`);
    }
  });

/**
 * Options of an example script read from process.argv with commander: numbers of a kind, lists
 * of positive numbers, one or several of fixed choices, a path, flags. A misspelled flag or a
 * bad value is refused with the flag, the value and what is valid, and the script exits (status 1).
 *
 * @example
 * const o = exampleOptions('NALSM', { neurons: { kind: 'count', default: 1000, help: 'liquid size' }, frozen: { kind: 'flag', help: 'no plasticity' } });
 */
export function exampleOptions<S extends Record<string, OptionSpec>>(description: string, spec: S): { [K in keyof S]: ValueOf<S[K]> } {
  const program = new Command(`node dist/examples/${basename(process.argv[1] ?? 'example.js')}`)
    .description(description)
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for the options)');
  for (const [name, s] of Object.entries(spec)) {
    if (s.kind === 'flag') {
      program.option(`--${name}`, s.help);
      continue;
    }
    if (s.kind === 'choice' || s.kind === 'choices') {
      const valid = s.choices;
      const parse = s.kind === 'choice' ? (v: string) => (valid.includes(v.trim()) ? v.trim() : invalidOne(v, valid)) : choices(valid);
      const shown = Array.isArray(s.default) ? s.default.join(',') : s.default;
      program.addOption(new Option(`--${name} <${s.kind === 'choice' ? 'name' : 'names'}>`, `${s.help} (${valid.join(', ')})`).argParser(parse as (v: string) => unknown).default(s.default, shown));
      continue;
    }
    const parse = s.kind === 'integer' ? integer(0) : s.kind === 'count' ? integer(1) : s.kind === 'nonnegative' ? nonNegative : s.kind === 'positives' ? positiveList : s.kind === 'path' ? (v: string) => v : positiveNumber;
    const arg = s.kind === 'positives' ? '<x,y,...>' : s.kind === 'path' ? '<path>' : s.kind === 'integer' || s.kind === 'count' ? '<n>' : '<x>';
    const option = new Option(`--${name} ${arg}`, s.help).argParser(parse as (v: string) => unknown);
    program.addOption(s.default === undefined ? option : option.default(s.default, Array.isArray(s.default) ? s.default.join(',') : String(s.default)));
  }
  program.parse(process.argv);
  const opts = program.opts();
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(spec)) {
    const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    out[name] = spec[name].kind === 'flag' ? opts[key] === true : opts[key];
  }
  return out as { [K in keyof S]: ValueOf<S[K]> };
}

function invalidOne(value: string, valid: readonly string[]): never {
  const near = valid.find((v) => v.startsWith(value.trim()) || value.trim().startsWith(v));
  throw new InvalidArgumentError(`expected one of ${valid.join(', ')}${near ? ` (did you mean '${near}'?)` : ''}.`);
}
