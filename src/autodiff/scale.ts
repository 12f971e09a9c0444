/**
 * The natural magnitude of a parameter, from its initial values. Optimizers step in value/scale
 * (src/autodiff/param.ts), so parameters in SI units (a weight of 5e-11 A, a time constant of
 * 0.02 s) learn at one learning rate: the spread of the values when they are spread (weights drawn
 * from a distribution), else their magnitude (a time constant), else the fallback.
 *
 * @example
 * paramScale(Float64Array.of(0.02, 0.02)) // 0.02
 * paramScale(Float64Array.of(1e-11, -3e-11, 2e-11)) // the standard deviation, about 2.2e-11
 */
export function paramScale(values: ArrayLike<number>, fallback = 1): number {
  const n = values.length;
  if (n === 0) return fallback;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2 / n;
  const sd = Math.sqrt(v);
  if (sd > 1e-6 * Math.abs(mean) && sd > 0 && Number.isFinite(sd)) return sd;
  if (mean !== 0 && Number.isFinite(mean)) return Math.abs(mean);
  return fallback;
}
