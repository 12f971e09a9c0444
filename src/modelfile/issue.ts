/**
 * What model-file checks report: one problem with its dotted path, and the wording for an
 * unknown name (shared by the network checks in ./load.ts and the training checks in ./training.ts).
 */
import { nearestName } from '../equations/validate.js';

/** One problem in a model file. */
export interface ModelFileIssue {
  /** Where in the file, dotted: `groups.E.params.tau` (empty for the whole file). */
  readonly path: string;
  readonly message: string;
}

/** "unknown group 'Ex': did you mean 'E'? (valid: E, I)": the name cut to 100 characters. */
export function unknownName(kind: string, name: string, valid: readonly string[]): string {
  const near = nearestName(name.slice(0, 100), valid);
  return `unknown ${kind} '${name.slice(0, 100)}'${near ? `: did you mean '${near}'?` : ''} (valid: ${valid.join(', ') || 'none'})`;
}
