/**
 * Numeric command-line options of the example scripts, read once with commander: a misspelled
 * flag or a value that is not a number of the right kind is refused with the flag, the value and
 * what would be valid (`--scale abc`: "expected a positive number").
 */
import { basename } from 'node:path';
import { Command } from 'commander';
import { integer, positiveNumber } from '../src/cli/options.js';

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
