/**
 * `braints train <model file>`: trains what a model file marks trainable on the task its
 * `training` section declares, with a progress bar, a line per epoch (loss, training and test
 * accuracy), and with --out the trained parameters, the history and plots. The trained network
 * then runs with `braints run <model file> --params <out>/params.json`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { loadModelText } from '../modelfile/load.js';
import { type TrainingTask } from '../modelfile/training.js';
import { type Network } from '../core/network.js';
import { terminalProgress } from '../node/progress.js';
import { writeText, writeCsv } from '../node/files.js';
import { writePng } from '../node/png.js';
import { Adam, AdamW, SGD, type Optimizer } from '../train/optim.js';
import { trainEpoch, evaluateAccuracy, type Classifier } from '../train/trainer.js';
import { type Dataset } from '../data/synthetic.js';
import { trainingCurvesSvg, weightHistogramSvg, type EpochRecord } from '../plot/index.js';
import { integer, choices, positiveNumber } from './options.js';
import { resolveModel, formatOf } from './paths.js';
import { StopRequest, restoreTerminal } from './interrupt.js';
import { fileStem, type PlotFormat } from './output.js';
import { taskData, taskEncoder } from './train_data.js';
import { CliError } from './errors.js';

interface TrainFlags {
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  threads?: number;
  dtype?: 'float32' | 'float64';
  out?: string;
  plot: PlotFormat[];
  progress: 'auto' | 'always' | 'never';
}

/** The optimizer the task names (Adam with its defaults when it names none); --lr overrides. */
function optimizerOf(task: TrainingTask, net: Network, lr: number | undefined): Optimizer {
  const o = task.spec.optimizer ?? { type: 'Adam' as const };
  const params = net.parameters();
  const rate = lr ?? o.lr;
  const decay = o.weightDecay !== undefined ? { weightDecay: o.weightDecay } : {};
  if (o.type === 'SGD') return new SGD(params, { lr: rate ?? o.lr, ...(o.momentum !== undefined ? { momentum: o.momentum } : {}), ...decay });
  const opts = { ...(rate !== undefined ? { lr: rate } : {}), ...decay };
  return o.type === 'AdamW' ? new AdamW(params, opts) : new Adam(params, opts);
}

async function train(model: string, flags: TrainFlags): Promise<number> {
  const found = resolveModel(model);
  if ('error' in found) throw new CliError(found.error);
  const text = readFileSync(found.path, 'utf8');
  const overrides = Object.fromEntries(Object.entries({ seed: flags.seed, threads: flags.threads, dtype: flags.dtype }).filter(([, v]) => v !== undefined));
  const loaded = loadModelText(text, overrides, { format: formatOf(found.path), source: found.path });
  const task = loaded.training;
  if (!task) throw new CliError(`${found.path}: no training section. Fix: add training: { data, input, steps, readout, epochs, batch } (see docs/model-files.md)`);
  const { net } = loaded;
  const spec = task.spec;
  const epochs = flags.epochs ?? spec.epochs;
  const batch = flags.batch ?? spec.batch;
  const data = taskData(task);
  if (batch > data.train.n) throw new CliError(`--batch ${batch}: larger than the ${data.train.n} training samples`);
  const encode = taskEncoder(task);
  let epoch = 0;
  const classifier: Classifier<Dataset> = {
    net,
    steps: spec.steps,
    batch,
    output: task.output,
    variable: task.variable,
    reduce: task.reduce,
    encode: (rows, d) => [[task.input, encode(rows, d, epoch)]],
  };
  net.build();
  const opt = optimizerOf(task, net, flags.lr);
  const params = net.parameters();
  const initialWeights = new Map(params.filter((p) => p.name.endsWith('.weight')).map((p) => [p.name, Float64Array.from(p.value)]));
  console.log(`training ${net.name}: ${params.length} trained arrays (${params.map((p) => p.name).join(', ')}), ${params.reduce((s, p) => s + p.value.length, 0)} values`);
  console.log(`data: ${data.description}; ${spec.steps} steps of ${net.dt * 1000} ms per sample, batch ${batch}, ${epochs} epochs`);
  const chance = 1 / task.classes;
  const before = evaluateAccuracy(classifier, data.test);
  console.log(`before training: test accuracy ${before.toFixed(3)} (chance ${chance.toFixed(3)})`);

  const perEpoch = Math.floor(data.train.n / batch);
  const progress = flags.progress === 'never' ? undefined : terminalProgress({ force: flags.progress === 'always', stream: process.stderr, unit: 'batches' });
  const stop = new StopRequest().install();
  const history: EpochRecord[] = [];
  const t0 = performance.now();
  try {
    progress?.start(perEpoch * epochs, net.name);
    for (epoch = 0; epoch < epochs && !stop.requested; epoch++) {
      const r = trainEpoch(classifier, data.train, opt, {
        batch,
        epoch,
        seed: spec.seed ?? 0,
        ...(spec.clip !== undefined ? { clip: spec.clip } : {}),
        onBatch: (done) => progress?.update(epoch * perEpoch + done),
      });
      if (!Number.isFinite(r.loss)) throw new CliError(`epoch ${epoch + 1}: the loss is ${r.loss}. Fix: lower the learning rate (--lr) or set training.clip`);
      const testAccuracy = evaluateAccuracy(classifier, data.test);
      history.push({ epoch: epoch + 1, loss: r.loss, trainAccuracy: r.accuracy, testAccuracy });
      const line = `epoch ${epoch + 1}/${epochs}: loss ${r.loss.toFixed(4)}, train accuracy ${r.accuracy.toFixed(3)}, test accuracy ${testAccuracy.toFixed(3)} (${r.seconds.toFixed(1)} s)`;
      if (progress) process.stderr.write('\r\x1b[K');
      console.log(line);
      // let a Ctrl-C that came during the epoch be seen before the next one starts
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    progress?.stop();
    stop.remove();
    if (progress) restoreTerminal();
  }
  const seconds = (performance.now() - t0) / 1000;
  const last = history[history.length - 1];
  if (stop.requested) console.log(`interrupted (${stop.signal}) after ${history.length} of ${epochs} epochs: keeping what was trained`);
  console.log(`trained in ${seconds.toFixed(1)} s: test accuracy ${(last?.testAccuracy ?? before).toFixed(3)} (before ${before.toFixed(3)}, chance ${chance.toFixed(3)})`);

  if (flags.out) {
    const files: string[] = [];
    const out = flags.out;
    const plot = async (stem: string, svg: string, formats: PlotFormat[]) => {
      for (const p of formats) {
        const f = `${stem}.${p}`;
        if (p === 'svg') await writeText(join(out, f), svg);
        else await writePng(join(out, f), svg);
        files.push(f);
      }
    };
    await writeText(join(out, 'params.json'), JSON.stringify(net.saveParams()) + '\n');
    files.push('params.json');
    await writeCsv(join(out, 'history.csv'), {
      epoch: history.map((h) => h.epoch),
      loss: history.map((h) => h.loss),
      train_accuracy: history.map((h) => h.trainAccuracy ?? NaN),
      test_accuracy: history.map((h) => h.testAccuracy ?? NaN),
    });
    files.push('history.csv');
    const plots = async (formats: PlotFormat[]) => {
      await plot('training', trainingCurvesSvg(history, { chance, title: `${net.name}: training` }), formats);
      for (const p of params) {
        const w0 = initialWeights.get(p.name);
        if (w0) await plot(`weights_${fileStem(p.name.replace(/\.weight$/, ''))}`, weightHistogramSvg([{ values: w0, label: 'initial' }, { values: p.value, label: 'trained' }], 'SI', { title: `${p.name}: ${p.value.length} synapses` }), formats);
      }
    };
    const kept = files.length;
    try {
      await plots(flags.plot);
    } catch (err) {
      if (!flags.plot.includes('png') || !/@resvg\/resvg-js/.test((err as Error).message)) throw err;
      console.error(`warning: ${(err as Error).message}; writing SVG plots instead`);
      files.length = kept;
      await plots(['svg']);
    }
    const summary = { model: found.path, name: net.name, seed: net.options.seed ?? 0, epochs: history.length, requested_epochs: epochs, batch, steps: spec.steps, dt_s: net.dt, test_accuracy_before: before, chance, history, wall_s: seconds, interrupted: stop.requested };
    files.push('train.json');
    await writeText(join(out, 'train.json'), JSON.stringify({ ...summary, files }, null, 2) + '\n');
    console.log(`wrote ${files.length} files to ${out}: ${files.join(', ')}`);
    console.log(`run the trained network: braints run ${model} --params ${join(out, 'params.json')}`);
  }
  net.close();
  return stop.requested ? 130 : 0;
}

/** The `train` command. */
export function trainCommand(): Command {
  return new Command('train')
    .description("train a model file's marked parameters on the task of its training section")
    .argument('<model>', 'a model file (.yaml, .yml, .json) with a training section')
    .option('--epochs <n>', "epochs (default: the file's training.epochs)", integer(1, 100000))
    .option('--batch <n>', "batch size (default: the file's training.batch)", integer(1, 65536))
    .option('--lr <rate>', "learning rate (default: the file's optimizer.lr, else the optimizer's default)", positiveNumber)
    .option('--seed <n>', "random seed of the network's initial values (default: the file's run.seed, else 0)", integer(0, 2 ** 32 - 1))
    .option('--threads <n>', 'threads that train (the same gradients for any number)', integer(1, 256))
    .addOption(new Option('--dtype <type>', 'storage of state variables and parameters').choices(['float32', 'float64']))
    .option('-o, --out <dir>', 'write params.json, history.csv, train.json and plots (training curves, weight distributions) into this folder')
    .option('--plot <formats>', 'plot formats written with --out: svg, png or svg,png', choices(['svg', 'png'] as const), ['svg', 'png'] as PlotFormat[])
    .addOption(new Option('--progress <when>', 'progress bar on stderr: auto (only on a terminal), always, never').choices(['auto', 'always', 'never']).default('auto'))
    .addHelpText('after', `
Examples:
  braints train examples/models/train_synthetic.yaml --out out/train
  braints run examples/models/train_synthetic.yaml --params out/train/params.json

Ctrl-C stops after the current epoch and writes what was trained (exit status 130).`)
    .action(async (model: string, flags: TrainFlags) => {
      process.exitCode = await train(model, flags);
    });
}
