#!/usr/bin/env node
/**
 * The `braints` executable (package.json "bin"). A user's mistake (a bad model file, a missing
 * file) is one message on stderr and exit status 1; an interrupted run exits with 130.
 */
import { createProgram } from './program.js';
import { CliError } from './errors.js';
import { ModelFileError } from '../modelfile/load.js';
import { BuildError } from '../lang/errors.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError || err instanceof ModelFileError || err instanceof BuildError) {
    console.error(`braints: ${err.message}`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  } else {
    throw err;
  }
}
