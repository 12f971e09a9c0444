/**
 * Where the package's own files are: the shipped model files and, in a clone of the repository,
 * the example scripts and the benchmark.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname, resolve, basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (this file is dist/src/cli/paths.js). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The shipped model files. */
export const MODELS_DIR = join(PACKAGE_ROOT, 'examples', 'models');
/** The compiled example scripts (present in a clone after `npm run build`, not in the package). */
export const EXAMPLES_DIR = join(PACKAGE_ROOT, 'dist', 'examples');
/** The compiled benchmark entry (a clone only). */
export const BENCH_ENTRY = join(PACKAGE_ROOT, 'dist', 'bench', 'bench.js');

const MODEL_EXT = new Set(['.yaml', '.yml', '.json']);

/** The shipped model files: name → path. */
export function shippedModels(): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(MODELS_DIR)) return out;
  for (const f of readdirSync(MODELS_DIR).sort()) if (MODEL_EXT.has(extname(f))) out.set(basename(f, extname(f)), join(MODELS_DIR, f));
  return out;
}

/** The example scripts of a clone: name → path (empty in an installed package). */
export function exampleScripts(): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(EXAMPLES_DIR)) return out;
  for (const f of readdirSync(EXAMPLES_DIR).sort()) {
    if (f.endsWith('.js') && !['models.js', 'benchmark_demo.js', 'cobahh_model.js'].includes(f)) out.set(basename(f, '.js'), join(EXAMPLES_DIR, f));
  }
  return out;
}

/** A model file's path from what the user typed: a path, or the name of a shipped model. */
export function resolveModel(given: string): { path: string } | { error: string } {
  if (existsSync(given)) return { path: given };
  const shipped = shippedModels();
  const hit = shipped.get(given);
  if (hit) return { path: hit };
  const names = [...shipped.keys()];
  return { error: `'${given}' is neither a file nor a shipped model (shipped models: ${names.join(', ') || 'none'}; see 'braints list')` };
}

/** YAML or JSON, from the file name. */
export function formatOf(path: string): 'yaml' | 'json' {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
}
