/**
 * Lorenz-63 forecasting with a next-generation reservoir (NVAR; Gauthier et al., Nat. Commun.
 * 2021): features [1, x(t), x(t−dt), unique quadratic monomials] (28 in all), ridge readout of the
 * increment, trained on 40 time units, then run in closed loop. Prints the one-step NRMSE and the
 * valid prediction time in Lyapunov times; writes out/reservoir_lorenz_nvar.svg.
 *
 * Run: npm run build && node dist/examples/reservoir_lorenz_nvar.js [--start T0] [--lambda L]
 */
import { lineSvg } from '../src/plot/index.js';
import { writeText } from '../src/node/index.js';
import { LORENZ_LYAPUNOV, Nvar, column, lorenz, nrmse, sliceRows, validTime } from '../src/reservoir/index.js';
import { numberOptions } from './args.js';

const { start, lambda } = numberOptions('NVAR on the Lorenz system', { start: 20, lambda: 1e-4 });

const dt = 0.025;
const warm = 200;
const nTrain = Math.round(40 / dt);
const steps = 1000;

const t0 = performance.now();
const data = lorenz(warm + nTrain + 1 + steps, { dt, transient: start });
const train = sliceRows(data, warm, warm + nTrain + 1);
const t1 = performance.now();
const nvar = new Nvar({ inputSize: 3, delays: 2, stride: 1 }).fit(train, { lambda, scale: true });
const t2 = performance.now();
const test = sliceRows(data, warm + nTrain);
const oneStep = nrmse(nvar.predictNext(test), sliceRows(test, nvar.window));
const forecast = nvar.forecast(sliceRows(data, 0, warm + nTrain + 1), steps);
const t3 = performance.now();
const truth = sliceRows(data, warm + nTrain + 1);
const valid = validTime(forecast, truth, { reference: train });
const lyap = valid * dt * LORENZ_LYAPUNOV;

console.log(`Lorenz-63, NVAR with ${nvar.featureSize} features, λ = ${lambda} (standardised), trained on ${nTrain} steps of dt = ${dt}`);
console.log(`one-step NRMSE ${oneStep.toExponential(2)}`);
console.log(`valid prediction time (error < 0.4): ${valid} steps = ${(valid * dt).toFixed(2)} time units = ${lyap.toFixed(2)} Lyapunov times`);
console.log(`time: data ${((t1 - t0) / 1000).toFixed(3)} s, fit ${((t2 - t1) / 1000).toFixed(3)} s, forecast ${((t3 - t2) / 1000).toFixed(3)} s`);

const n = Math.min(steps, 600);
const tl = Float64Array.from({ length: n }, (_, k) => (k + 1) * dt * LORENZ_LYAPUNOV);
await writeText(
  'out/reservoir_lorenz_nvar.svg',
  lineSvg(
    [
      { x: tl, y: column(truth, 0).subarray(0, n), label: 'x (truth)', color: '#333333' },
      { x: tl, y: column(forecast, 0).subarray(0, n), label: 'x (NVAR, closed loop)', color: '#d62728', dash: '4 3' },
    ],
    { title: `Lorenz-63 forecast, valid for ${lyap.toFixed(1)} Lyapunov times`, xLabel: 'time (Lyapunov times)', yLabel: 'x' },
  ),
);
console.log('plot written to out/reservoir_lorenz_nvar.svg');
