/**
 * Trains a spiking network on latency-coded Fashion-MNIST with gradients (BPTT through the
 * generated kernels, arctan surrogate, Adam): 784 → 100 LIF → 10 leaky readout, 100 steps, batch
 * 256, the hyper-parameters of the PyTorch reference (bench/peers/torch_fmnist_snn.py), and each
 * batch's gradient clipped to global norm 1 (`FMNIST_RECIPE`, src/train/fmnist.ts; `--clip 0`
 * turns it off, as the reference has it). Prints loss, accuracy and samples/s per epoch; a
 * progress bar runs over the batches.
 *
 * Run: npm run build && node dist/examples/fmnist.js [--epochs 5] [--train-limit N] [--lr 1e-3]
 *        [--schedule none|cosine] [--clip 1] [--gain 1.05] [--seed 0] [--save out/fmnist_params.json]
 * Needs the data: apt-get install dataset-fashion-mnist (or --data DIR with the IDX files).
 */
import { parseArgs } from 'node:util';
import { Adam, cosineLR, evaluateAccuracy, fmnistClassifier, trainEpoch } from '../src/train/index.js';
import { FMNIST_RECIPE } from '../src/train/fmnist.js';
import { FASHION_MNIST_DIR, head, loadFashionMnist } from '../src/data/fashion_mnist.js';
import { terminalProgress, writeText } from '../src/node/index.js';

const { values: a } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    'train-limit': { type: 'string', default: '60000' },
    'test-limit': { type: 'string', default: '10000' },
    lr: { type: 'string', default: String(FMNIST_RECIPE.lr) },
    clip: { type: 'string', default: String(FMNIST_RECIPE.clip) },
    schedule: { type: 'string', default: 'none' },
    gain: { type: 'string', default: '1.05' },
    seed: { type: 'string', default: '0' },
    data: { type: 'string', default: FASHION_MNIST_DIR },
    save: { type: 'string' },
  },
});
const epochs = Number(a.epochs);
const lr = Number(a.lr);
const clip = Number(a.clip) > 0 ? Number(a.clip) : undefined; // 0: no clipping

let data;
try {
  data = loadFashionMnist(a.data);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const train = head(data.train, Number(a['train-limit']));
const test = head(data.test, Number(a['test-limit']));
const model = fmnistClassifier({ gain: Number(a.gain), seed: Number(a.seed), batch: FMNIST_RECIPE.batch });
const opt = new Adam(model.net.parameters(), { lr });
const schedule = a.schedule === 'cosine' ? cosineLR(lr, epochs) : () => lr;
console.log(`Fashion-MNIST spiking network (a Network): 784 → 100 LIF → 10 readout, ${model.steps} steps, batch ${model.batch}, ${train.n} training / ${test.n} test samples, Adam lr ${lr}${a.schedule === 'cosine' ? ' (cosine)' : ''}, gradient clip ${clip ?? 'off'}`);

for (let epoch = 0; epoch < epochs; epoch++) {
  opt.lr = schedule(epoch);
  const bar = terminalProgress({ clearOnStop: true });
  bar?.start(Math.floor(train.n / model.batch), `epoch ${epoch + 1}/${epochs}`);
  const r = trainEpoch(model, train, opt, { batch: model.batch, epoch, seed: Number(a.seed), clip, onBatch: (k) => bar?.update(k) });
  bar?.stop();
  const acc = evaluateAccuracy(model, test);
  console.log(
    `epoch ${epoch + 1}/${epochs}: loss ${r.loss.toFixed(4)}, train accuracy ${r.accuracy.toFixed(4)}, test accuracy ${acc.toFixed(4)}, ` +
      `${(r.samples / r.seconds).toFixed(0)} samples/s (${r.seconds.toFixed(1)} s)`,
  );
}
if (a.save) {
  // trained arrays by parameter name (W1.weight, W2.weight: per synapse, in CSR order)
  const saved = Object.fromEntries(model.net.parameters().map((p) => [p.name, Array.from(p.value)]));
  await writeText(a.save, JSON.stringify(saved));
  console.log(`parameters saved to ${a.save}`);
}
