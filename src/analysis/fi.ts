/**
 * Closed-form firing rates, for checking simulations against theory.
 */

/** Parameters of a leaky integrate-and-fire neuron, in SI units (s, Ω, A, V). */
export interface LifParams {
  /** Membrane time constant (s). */
  tau: number;
  /** Membrane resistance (Ω). */
  R: number;
  /** Constant input current (A). */
  I: number;
  /** Resting potential (V). */
  vRest: number;
  /** Reset potential after a spike (V). */
  vReset: number;
  /** Spike threshold (V). */
  vThreshold: number;
  /** Absolute refractory period (s); 0 if omitted. */
  tRef?: number;
}

/**
 * Firing rate (Hz) of a LIF neuron, tau dv/dt = vRest − v + R·I, driven by a constant current:
 * 0 when the steady state vRest + R·I does not exceed the threshold, otherwise
 * 1 / (tRef + tau · ln((R·I + vRest − vReset) / (R·I + vRest − vThreshold))).
 *
 * @example
 * // tau 20 ms, R 100 MΩ, I 0.3 nA, rest −70 mV, reset −70 mV, threshold −50 mV, 2 ms refractory
 * lifRateAnalytic({ tau: 0.02, R: 1e8, I: 3e-10, vRest: -0.07, vReset: -0.07, vThreshold: -0.05, tRef: 0.002 });
 * // = 1 / (0.002 + 0.02 · ln 3) ≈ 41.7 Hz
 */
export function lifRateAnalytic(p: LifParams): number {
  const { tau, R, I, vRest, vReset, vThreshold } = p;
  const tRef = p.tRef ?? 0;
  if (!(tau > 0)) throw new RangeError(`lifRateAnalytic: tau must be a positive time in seconds, got ${tau}`);
  if (!(tRef >= 0)) throw new RangeError(`lifRateAnalytic: tRef must be ≥ 0 seconds, got ${tRef}`);
  if (!(vReset < vThreshold)) {
    throw new RangeError(`lifRateAnalytic: vReset (${vReset} V) must lie below vThreshold (${vThreshold} V)`);
  }
  const vInf = R * I + vRest;
  if (!(vInf - vThreshold > 0)) return 0;
  return 1 / (tRef + tau * Math.log((vInf - vReset) / (vInf - vThreshold)));
}

/**
 * The LIF f–I curve: {@link lifRateAnalytic} for each current in `currents` (A), other parameters fixed.
 *
 * @example
 * const I = Float64Array.from({ length: 50 }, (_, k) => k * 1e-11);
 * const f = lifRateCurve({ tau: 0.02, R: 1e8, vRest: -0.07, vReset: -0.07, vThreshold: -0.05, tRef: 0.002 }, I);
 */
export function lifRateCurve(p: Omit<LifParams, 'I'>, currents: ArrayLike<number>): Float64Array {
  const out = new Float64Array(currents.length);
  for (let k = 0; k < currents.length; k++) out[k] = lifRateAnalytic({ ...p, I: currents[k] });
  return out;
}
