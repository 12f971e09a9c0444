/**
 * `braints bench ...`: the benchmark of a clone of the repository (bench/bench.ts), with the
 * arguments passed through.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { BENCH_ENTRY } from './paths.js';
import { CliError } from './errors.js';

/** The `bench` command. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('benchmark against Brian2 and PyTorch where installed (delegates to bench/bench.ts; a clone of the repository only)')
    .argument('[args...]', "the benchmark's arguments, e.g. coba --duration 1000 --json (see 'braints bench -- --help')")
    .allowUnknownOption()
    .helpOption('-h, --help', 'this help; the benchmark\'s own: braints bench -- --help')
    .action((args: string[]) => {
      if (!existsSync(BENCH_ENTRY)) throw new CliError(`the benchmark is not part of the installed package (${BENCH_ENTRY} is missing). Fix: run it from a clone of the repository: npm run bench -- coba`);
      const r = spawnSync(process.execPath, [BENCH_ENTRY, ...args], { stdio: 'inherit' });
      process.exitCode = r.status ?? 1;
    });
}
