/**
 * Node's side of sweeps: `sweep()` with a terminal progress bar by default, and writing the table
 * as CSV or Arrow by file extension.
 */
import { sweep as coreSweep, type SweepOptions } from '../sweep/sweep.js';
import type { AnyExperiment } from '../sweep/experiment.js';
import type { SweepSpace } from '../sweep/space.js';
import type { SweepTable } from '../sweep/table.js';
import { BuildError } from '../lang/errors.js';
import { terminalProgress } from './progress.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';

/**
 * {@link coreSweep | sweep()} with a progress bar on stderr when it is a terminal (pass
 * `progress: null` for none).
 *
 * @example
 * import { sweep, processPool, writeSweepTable } from 'braints/node';
 * const table = await sweep('coba', grid({ we: [4, 6, 8] }, { seeds: 4 }), { runner: processPool({ modules: ['./experiments.js'] }) });
 * await writeSweepTable('out/sweep.arrow', table);
 */
export function sweep(experiment: AnyExperiment | string, space: SweepSpace, options: SweepOptions = {}): Promise<SweepTable> {
  const progress = options.progress === undefined ? terminalProgress({ unit: 'jobs' }) : options.progress;
  return coreSweep(experiment, space, { ...options, progress });
}

/**
 * Writes a sweep table: `.csv` as CSV, `.arrow`, `.feather` or `.ipc` as Arrow IPC (file format).
 * Creates parent folders.
 */
export async function writeSweepTable(path: string, table: SweepTable): Promise<void> {
  const ext = extname(String(path)).toLowerCase();
  let data: string | Uint8Array;
  if (ext === '.csv') data = table.toCsv();
  else if (ext === '.arrow' || ext === '.feather' || ext === '.ipc') data = await table.toArrow();
  else throw new BuildError('writeSweepTable', 'path', `unknown table format '${ext || '(no extension)'}'`, 'end the path in .csv or .arrow');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}
