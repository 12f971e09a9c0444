/**
 * NARMA-10 with an echo-state network (Jaeger 2001; task of Atiya & Parlos 2000): 200 leaky-free
 * tanh units, ridge readout of the states and the input. Prints the test NRMSE and the time;
 * writes out/reservoir_narma.svg (target and prediction on the first 200 test steps).
 *
 * Run: npm run build && node dist/examples/reservoir_narma.js [--size N] [--seed S]
 */
import { lineSvg } from '../src/plot/index.js';
import { writeText } from '../src/node/index.js';
import { EchoStateNetwork, Ridge, hconcat, matrix, narma10, nrmse, sliceRows } from '../src/reservoir/index.js';
import { numberOptions } from './args.js';

const { size, seed } = numberOptions('Echo-state network on NARMA-10', { size: 200, seed: 2 }, { size: 'count', seed: 'integer' });

const T = 6000;
const washout = 200;
const nTrain = 4000;

const t0 = performance.now();
const { input, target } = narma10(T, { seed: 1 });
const esn = new EchoStateNetwork({ size, inputSize: 1, spectralRadius: 0.95, inputScaling: 0.5, biasScaling: 0.2, seed });
const U = matrix(T, 1, input);
const t1 = performance.now();
const features = hconcat(esn.run(U), U);
const t2 = performance.now();
const Y = matrix(T, 1, target);
const readout = new Ridge(features.cols, 1, { lambda: 1e-6, scale: true }).fit(sliceRows(features, washout, nTrain), sliceRows(Y, washout, nTrain));
const prediction = readout.predict(sliceRows(features, nTrain));
const t3 = performance.now();
const trainErr = nrmse(readout.predict(sliceRows(features, washout, nTrain)), sliceRows(Y, washout, nTrain));
const testErr = nrmse(prediction, sliceRows(Y, nTrain));

console.log(`NARMA-10, ESN of ${size} units (ρ = ${esn.spectralRadius}, ${esn.W.indices.length} recurrent weights)`);
console.log(`train NRMSE ${trainErr.toFixed(4)}  test NRMSE ${testErr.toFixed(4)}  (${nTrain - washout} training, ${T - nTrain} test steps)`);
console.log(`time: build ${((t1 - t0) / 1000).toFixed(3)} s, run ${((t2 - t1) / 1000).toFixed(3)} s, ridge ${((t3 - t2) / 1000).toFixed(3)} s`);

const n = 200;
const x = Float64Array.from({ length: n }, (_, k) => nTrain + k);
await writeText(
  'out/reservoir_narma.svg',
  lineSvg(
    [
      { x, y: target.subarray(nTrain, nTrain + n), label: 'NARMA-10 target', color: '#333333' },
      { x, y: prediction.data.subarray(0, n), label: `ESN (NRMSE ${testErr.toFixed(3)})`, color: '#d62728', dash: '4 3' },
    ],
    { title: `NARMA-10, echo-state network of ${size} units`, xLabel: 'time step', yLabel: 'y' },
  ),
);
console.log('plot written to out/reservoir_narma.svg');
