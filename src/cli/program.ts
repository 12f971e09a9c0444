/**
 * The `braints` command: its subcommands, and the rules every one follows (unknown options and
 * bad values are refused with the flag, the value and what would be valid; --help everywhere).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { runCommand } from './run.js';
import { trainCommand } from './train.js';
import { validateCommand } from './validate.js';
import { listCommand } from './list.js';
import { benchCommand } from './bench.js';
import { sweepWorkerCommand } from '../node/sweep_worker_command.js';
import { PACKAGE_ROOT } from './paths.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The whole command-line program (not yet parsed). */
export function createProgram(): Command {
  const program = new Command('braints')
    .description('BrainTS: run, train, check and benchmark spiking-network models from the command line')
    .version(version(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .addHelpText('after', `
Examples:
  braints list
  braints run coba --duration 1s --out out/coba
  braints train examples/models/train_synthetic.yaml --out out/train
  braints validate my_model.yaml
  braints worker --redis redis://127.0.0.1:6379 --module ./dist/experiments.js`);
  for (const c of [runCommand(), trainCommand(), validateCommand(), listCommand(), benchCommand(), sweepWorkerCommand()]) {
    c.showHelpAfterError(`(braints ${c.name()} --help for usage)`).showSuggestionAfterError(true);
    c.configureOutput({ outputError: (text, write) => write(withValidOptions(c, text)) });
    program.addCommand(c);
  }
  return program;
}

/** An unknown-option error, followed by the options that command does take. */
function withValidOptions(c: Command, text: string): string {
  if (!/unknown option/.test(text)) return text;
  const flags = c.options.map((o) => o.long ?? o.short).filter(Boolean);
  return `${text.trimEnd()}\nvalid options of 'braints ${c.name()}': ${[...flags, '--help'].join(', ')}\n`;
}
