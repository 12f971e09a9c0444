/**
 * `braints list`: the shipped model files and, in a clone of the repository, the example scripts.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { Command } from 'commander';
import { shippedModels, exampleScripts, PACKAGE_ROOT } from './paths.js';

/** The first comment line of a model file: what it is. */
function summary(path: string): string {
  const line = readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith('#'));
  return line ? line.replace(/^#\s*/, '').slice(0, 100) : '';
}

/** The `list` command. */
export function listCommand(): Command {
  return new Command('list')
    .description('list the shipped model files (run them by name) and the example scripts')
    .option('--json', 'print one JSON object')
    .action((o: { json?: boolean }) => {
      const models = shippedModels();
      const examples = exampleScripts();
      if (o.json) {
        console.log(JSON.stringify({ models: Object.fromEntries(models), examples: Object.fromEntries(examples) }));
        return;
      }
      console.log('models (braints run NAME, or a path to your own model file):');
      for (const [name, path] of models) console.log(`  ${name.padEnd(10)} ${relative(PACKAGE_ROOT, path).padEnd(28)} ${summary(path)}`);
      if (examples.size > 0) {
        console.log('\nexample scripts (node dist/examples/NAME.js in this repository):');
        console.log(`  ${[...examples.keys()].join(', ')}`);
      }
    });
}
