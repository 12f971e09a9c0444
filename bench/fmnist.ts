/**
 * Fashion-MNIST spiking-network training benchmark: BrainTS against the PyTorch reference
 * (bench/peers/torch_fmnist_snn.py), same task, network and hyper-parameters (see that script's
 * header): latency-coded images, 784 → 100 LIF → 10 leaky readout, 100 steps, batch 256, arctan
 * surrogate, Adam lr 1e-3, max-over-time cross-entropy. BrainTS builds it as a simulator
 * `Network` (`fmnistClassifier`, src/train/fmnist.ts) and trains it through the step IR.
 *
 * One difference in the recipe (`FMNIST_RECIPE`, documented there): BrainTS clips each batch's
 * gradient to global norm 1 before the Adam step; the reference script does not clip. The cost is
 * one pass over the 79 400 gradients per batch, inside the timed epoch; PyTorch would pay the same
 * with `torch.nn.utils.clip_grad_norm_`. The JSON row says so in `braints_clip`.
 *
 * An epoch's time covers encoding, forward, backward and optimizer steps over floor(N/256)
 * batches; evaluation is excluded on both sides. The BrainTS time is the median over all epochs of
 * all runs; the PyTorch time is the median of its epochs (its own script), runs alternating with
 * ours, never concurrently. BrainTS trains on one thread (`threads` is passed to PyTorch).
 *
 * Run directly: node dist/bench/fmnist.js [--epochs 1] [--threads 2] [--train-limit 10240] [--runs 1] [--json]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Adam, evaluateAccuracy, fmnistClassifier, trainEpoch } from '../src/train/index.js';
import { FMNIST_RECIPE } from '../src/train/fmnist.js';
import { head, loadFashionMnist } from '../src/data/fashion_mnist.js';

const here = dirname(fileURLToPath(import.meta.url));
const SCRIPT = [join(here, 'peers', 'torch_fmnist_snn.py'), join(here, '..', '..', 'bench', 'peers', 'torch_fmnist_snn.py')].find((p) => existsSync(p));
const PYTHON = process.env.BRAINTS_PYTHON ?? '/usr/bin/python3';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Whether the peer Python has torch. */
export function hasTorch(): boolean {
  if (!SCRIPT) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

/** Runs the PyTorch reference and returns its JSON line. */
function runTorch(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, [SCRIPT!, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      err += d;
      for (const line of String(d).split('\n')) if (line.trim()) process.stderr.write(`  [torch] ${line}\n`);
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (code !== 0 || !line) reject(new Error(`torch_fmnist_snn.py failed (exit ${code}): ${err.slice(-500)}`));
      else resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

/** One BrainTS training run: epoch times and final test accuracy. */
function runBrainTS(epochs: number, trainLimit: number, seed: number): { epochS: number[]; acc: number } {
  const { train, test } = loadFashionMnist();
  const tr = head(train, trainLimit);
  const model = fmnistClassifier({ seed, batch: FMNIST_RECIPE.batch });
  const opt = new Adam(model.net.parameters(), { lr: FMNIST_RECIPE.lr });
  const epochS: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const r = trainEpoch(model, tr, opt, { batch: FMNIST_RECIPE.batch, epoch: e, seed, clip: FMNIST_RECIPE.clip });
    epochS.push(r.seconds);
    process.stderr.write(`  [braints] epoch ${e + 1}: ${r.seconds.toFixed(2)} s, mean loss ${r.loss.toFixed(4)}\n`);
  }
  return { epochS, acc: evaluateAccuracy(model, test) };
}

/**
 * Trains both sides for `epochs` epochs on the first `trainLimit` training samples (default all
 * 60 000) and reports epoch times (s), their ratio (BrainTS / PyTorch) and test accuracies.
 */
export async function benchFmnist(opts: { epochs: number; threads: number; trainLimit?: number; runs?: number }): Promise<Record<string, number | null>> {
  const epochs = Math.max(1, Math.floor(opts.epochs));
  const runs = Math.max(1, Math.floor(opts.runs ?? 1));
  const trainLimit = opts.trainLimit ?? 60000;
  const ours: number[] = [];
  const theirs: number[] = [];
  let acc = 0;
  let torchAcc: number | null = null;
  const torch = hasTorch();
  for (let r = 0; r < runs; r++) {
    const b = runBrainTS(epochs, trainLimit, 0);
    ours.push(...b.epochS);
    acc = b.acc;
    if (torch) {
      const t = await runTorch(['--epochs', String(epochs), '--threads', String(opts.threads), '--train-limit', String(trainLimit)]);
      theirs.push(...((t.epoch_s as number[]) ?? [t.torch_epoch_s as number]));
      torchAcc = t.torch_test_acc as number;
    }
  }
  const braintsEpoch = median(ours);
  const torchEpoch = theirs.length ? median(theirs) : null;
  return {
    epochs,
    threads: opts.threads,
    train_samples: Math.floor(Math.min(trainLimit, 60000) / 256) * 256,
    braints_epoch_s: braintsEpoch,
    torch_epoch_s: torchEpoch,
    ratio: torchEpoch ? braintsEpoch / torchEpoch : null,
    braints_test_acc: acc,
    torch_test_acc: torchAcc,
    braints_clip: FMNIST_RECIPE.clip,
  };
}

// Direct use: node dist/bench/fmnist.js [--epochs E] [--threads T] [--train-limit N] [--runs R] [--json]
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const row = await benchFmnist({ epochs: arg('epochs', 1), threads: arg('threads', 2), trainLimit: arg('train-limit', 60000), runs: arg('runs', 1) });
  if (process.argv.includes('--json')) console.log(JSON.stringify({ model: 'fmnist', ...row }));
  else {
    const f = (v: number | null, d = 3) => (v === null ? 'n/a' : v.toFixed(d));
    console.log(`fmnist: ${row.epochs} epoch(s), ${row.train_samples} samples/epoch, torch threads ${row.threads}`);
    console.log(`  BrainTS ${f(row.braints_epoch_s, 2)} s/epoch, test accuracy ${f(row.braints_test_acc, 4)}`);
    console.log(`  PyTorch ${f(row.torch_epoch_s, 2)} s/epoch, test accuracy ${f(row.torch_test_acc, 4)}`);
    console.log(`  ratio (BrainTS / PyTorch time) ${f(row.ratio, 3)}`);
  }
}
