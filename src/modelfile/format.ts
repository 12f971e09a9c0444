/**
 * Model files as text.
 */
import { stringify } from 'yaml';
import { type ModelFile } from './schema.js';

/**
 * A model file as YAML (default) or JSON text.
 *
 * @example
 * writeFileSync('coba.yaml', formatModelFile(net.toJSON()));
 */
export function formatModelFile(file: ModelFile, format: 'yaml' | 'json' = 'yaml'): string {
  if (format === 'json') return JSON.stringify(file, null, 2) + '\n';
  return stringify(file, { lineWidth: 0, aliasDuplicateObjects: false });
}
