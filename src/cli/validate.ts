/**
 * `braints validate <model file>`: every problem of a model file, each with its path, without
 * running it. Exit status 0 when it would run, 1 otherwise.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { validateModelText } from '../modelfile/load.js';
import { resolveModel, formatOf } from './paths.js';
import { CliError } from './errors.js';

/** The `validate` command. */
export function validateCommand(): Command {
  return new Command('validate')
    .description('check a model file (schema, names, units, and the network build) and print each problem with its path')
    .argument('<model...>', 'model files (.yaml, .yml, .json) or names of shipped models')
    .addHelpText('after', `
Example:
  $ braints validate broken.yaml
  broken.yaml: 2 problems
    groups.E.params.tau: expected a time, got '20' (e.g. '20 ms')
    connections.EE.syn.type: unknown synapse type 'Expo': did you mean 'Expon'? (valid: ...)`)
    .action((models: string[]) => {
      let bad = 0;
      for (const model of models) {
        const found = resolveModel(model);
        if ('error' in found) throw new CliError(found.error);
        const issues = validateModelText(readFileSync(found.path, 'utf8'), { format: formatOf(found.path) });
        if (issues.length === 0) {
          console.log(`${found.path}: ok`);
          continue;
        }
        bad++;
        console.log(`${found.path}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
        for (const i of issues) console.log(`  ${i.path || '(file)'}: ${i.message}`);
      }
      process.exitCode = bad > 0 ? 1 : 0;
    });
}
