/**
 * The modules of experiments a pool child or a queue worker imports. They are chosen by whoever
 * starts the pool or the worker (code on that machine), never by a job.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BuildError } from '../lang/errors.js';

/** A module: a file path (relative to the working directory), a file: URL, or a package name. */
export type ModuleRef = string | URL;

/** The modules as import specifiers (file: URLs for paths), checked. */
export function moduleSpecifiers(modules: unknown, where: string): string[] {
  if (modules === undefined) return [];
  if (!Array.isArray(modules)) throw new BuildError(where, 'modules', 'expected a list of module paths', "write e.g. modules: ['./experiments.js']");
  return modules.map((m, k) => {
    if (m instanceof URL) return m.href;
    if (typeof m !== 'string' || m.length === 0 || m.length > 4096 || /[\u0000-\u001f]/.test(m)) {
      throw new BuildError(where, `modules[${k}]`, 'expected a module path or file: URL', "write e.g. './dist/experiments.js' or new URL('./experiments.js', import.meta.url)");
    }
    if (m.startsWith('file:')) return m;
    if (m.startsWith('.') || isAbsolute(m) || /\.[cm]?js$/.test(m)) return pathToFileURL(resolve(m)).href;
    return m; // a package name
  });
}

/** Imports each module once (their `registerExperiment` calls run at import). */
export async function importModules(specifiers: readonly string[]): Promise<void> {
  for (const s of specifiers) await import(s);
}
