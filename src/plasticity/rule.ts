/**
 * The shape of a plasticity rule (see index.ts for what each part means), apart from the rules
 * themselves so that their checks can name it without importing them.
 */
import { type QuantityLike } from '../equations/quantity.js';

/** A plasticity rule. Create with {@link defineRule} or use a built-in one. */
export interface PlasticityRule {
  readonly name: string;
  readonly params: Readonly<Record<string, QuantityLike>>;
  readonly pre?: { readonly equations: string; readonly onSpike?: string };
  readonly post?: { readonly equations: string; readonly onSpike?: string };
  /** Per-synapse variables, e.g. 'e : 1' (value lines: they change only through statements). */
  readonly synapse?: string;
  readonly onPre?: string;
  readonly onPost?: string;
  readonly every?: { readonly period?: QuantityLike; readonly statements: string };
  /** Statements run over all synapses by `Projection.modulate({ signal: value })`, e.g. a reward. */
  readonly modulation?: { readonly statements: string; readonly signals: readonly string[] };
}
