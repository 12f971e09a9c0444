/**
 * Weights set by where the pre- and post-synaptic neurons sit on a ring (preferred angles, head
 * directions, orientations): each population is spread evenly around the ring in index order, and
 * the weight of a synapse is read from a table indexed by the offset from pre to post. With equal
 * population sizes and a table of that size the weight matrix is the circulant of the table, as in
 * bump-attractor models (Compte et al. 2000); the table is data, so any profile (symmetric or not)
 * can be given without code.
 */
import { type Init, checkInit, scalarValue } from './init.js';
import { type Dim } from '../math/units.js';
import { BuildError } from '../lang/errors.js';
import { checkText, plainEntries, describe } from '../equations/validate.js';
import { parseQuantity } from '../equations/quantity.js';

/** Weights from the offset on a ring: see {@link ring}. */
export interface RingInit {
  readonly dist: 'ring';
  /** profile[k] is the weight at the offset k/K of a full turn from pre to post (K = profile.length). */
  readonly profile: ArrayLike<number>;
  /** The unit of the profile's values (default '1'). */
  readonly unit: string;
}

/** What a projection's weight may be given as: an {@link Init} or weights from a ring ({@link ring}). */
export type WeightInit = Init | RingInit;

/**
 * Synaptic weights that depend only on the offset between pre and post on a ring. Pre neuron i
 * sits at i/nPre of a turn and post neuron j at j/nPost; the synapse i → j gets
 * `profile[round(K · ((j/nPost − i/nPre) mod 1)) mod K]`, K = profile.length (nearest entry).
 * With nPre = nPost = K this is exactly `profile[(j − i) mod K]`.
 *
 * @example
 * // a Gaussian bump of excitation on a ring of 64 cells, peak 2 nS, width 4 cells
 * const profile = Array.from({ length: 64 }, (_, k) => 2 * Math.exp(-(Math.min(k, 64 - k) ** 2) / 32));
 * net.connect(E, E, { comm: new All2All(), weight: ring(profile, 'nS'), target: 'v' });
 */
export function ring(profile: ArrayLike<number>, unit = '1'): RingInit {
  return { dist: 'ring', profile, unit };
}

/** True when a weight is given by {@link ring}. */
export function isRingInit(x: unknown): x is RingInit {
  return typeof x === 'object' && x !== null && (x as { dist?: unknown }).dist === 'ring';
}

/**
 * A projection's weight as a user may give it, checked field by field: a ring profile must be a
 * non-empty array of finite numbers with a readable unit; anything else goes through `checkInit`.
 *
 * @example
 * checkWeightInit(ring([1, 0.5, 0.5], 'nS'), "projection 'E→E'", 'weight') // a checked copy
 */
export function checkWeightInit(x: unknown, where: string, field: string): WeightInit {
  if (!isRingInit(x)) return checkInit(x, where, field);
  const f = new Map(plainEntries(x, where, field));
  for (const key of f.keys()) if (key !== 'dist' && key !== 'profile' && key !== 'unit') throw new BuildError(where, `${field}.${key}`, `ring(...) has no field '${key}'`, 'give dist, profile, unit');
  const p = f.get('profile');
  const isArray = Array.isArray(p) || (ArrayBuffer.isView(p) && !(p instanceof DataView));
  if (!isArray || (p as ArrayLike<unknown>).length === 0) throw new BuildError(where, `${field}.profile`, `must be a non-empty array of numbers, got ${describe(p)}`, "give ring([w0, w1, ...], 'nS') with one weight per offset");
  const profile = Float64Array.from(p as ArrayLike<number>);
  for (let k = 0; k < profile.length; k++) {
    const v = (p as ArrayLike<unknown>)[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new BuildError(where, `${field}.profile`, `entry ${k} is ${describe(v)}, not a finite number`, 'give finite weights');
  }
  const unit = f.has('unit') ? checkText(f.get('unit'), where, `${field}.unit`) : '1';
  try {
    parseQuantity(`1 ${unit}`.replace(/^1 1$/, '1'));
  } catch (err) {
    throw new BuildError(where, `${field}.unit`, `cannot read the unit ${describe(unit)}: ${(err as Error).message}`, "give a unit such as 'nS' or '1'");
  }
  return Object.freeze({ dist: 'ring' as const, profile, unit });
}

/**
 * Fills the per-synapse weights (CSR order) of a projection from a ring profile, in SI units of
 * dimension `dim` (the unit of the profile must have it).
 *
 * @example
 * const w = new Float64Array(4);
 * fillRingWeights(w, ring([1, 0], 'nS'), { nPre: 2, nPost: 2, indptr: Int32Array.of(0, 2, 4), indices: Int32Array.of(0, 1, 0, 1) }, unitDim('nS'), 'p', 'weight');
 * // w = [1e-9, 0, 0, 1e-9]
 */
export function fillRingWeights(
  out: Float32Array | Float64Array,
  x: RingInit,
  csr: { readonly nPre: number; readonly nPost: number; readonly indptr: ArrayLike<number>; readonly indices: ArrayLike<number> },
  dim: Dim,
  where: string,
  field: string,
): void {
  const unit = scalarValue(`1 ${x.unit}`.replace(/^1 1$/, '1'), dim, where, `${field}.unit`);
  const K = x.profile.length;
  const { nPre, nPost } = csr;
  for (let i = 0; i < nPre; i++) {
    const from = i / nPre;
    for (let s = csr.indptr[i]; s < csr.indptr[i + 1]; s++) {
      const j = csr.indices[s];
      let k: number;
      if (nPre === nPost) {
        // integer offsets: exact, so a table of the population's size is read entry by entry
        k = Math.round((K * ((j - i + nPre) % nPre)) / nPre) % K;
      } else {
        let offset = j / nPost - from;
        if (offset < 0) offset += 1;
        k = Math.round(K * offset) % K;
      }
      out[s] = x.profile[k] * unit;
    }
  }
}
