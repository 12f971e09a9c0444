/**
 * `braints train`: a model file's training section trains what the file marks trainable, above
 * chance on a held-out test set; the parameters it writes run with `braints run --params`; bad
 * training sections are refused with the path of the problem.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelText, validateModelText, buildModelFile, toModelFile } from '../src/modelfile/index.js';
import { taskData } from '../src/cli/train_data.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = join(root, 'dist', 'src', 'cli', 'main.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A small classifier: 3 classes of 24 features, 24 hidden LIF neurons, 3 readout neurons. */
const SMALL = `
braints: 1
name: tiny-classifier
run: { dt: 1 ms, duration: 50 ms, seed: 2 }
groups:
  X: { size: 24, data: true }
  H: { size: 24, model: LIF }
  O: { size: 3, model: LIF, params: { Vth: 1 V } }
connections:
  XH: { pre: X, post: H, comm: { type: All2All }, weight: { dist: normal, mean: 0 pA, std: 700 pA }, syn: { type: Expon, tau: 5 ms }, out: { type: CUBA }, train: [weight] }
  HO: { pre: H, post: O, comm: { type: All2All }, weight: { dist: normal, mean: 0 pA, std: 40 pA }, syn: { type: Expon, tau: 5 ms }, out: { type: CUBA }, train: [weight] }
training:
  data: { type: synthetic, train: 192, test: 96, seed: 4 }
  input: X
  steps: 40
  readout: { group: O }
  optimizer: { type: Adam, lr: 0.01 }
  epochs: 4
  batch: 16
`;

function tmpModel(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'braints-train-'));
  const file = join(dir, 'tiny.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

test('the synthetic task: the test set shares no sample with the training set', () => {
  const task = loadModelText(SMALL).training!;
  assert.equal(task.features, 24, 'features default to the data group size');
  assert.equal(task.classes, 3, 'classes default to the readout group size');
  const { train, test: held } = taskData(task);
  assert.equal(train.n, 192);
  assert.equal(held.n, 96);
  const rows = new Set<string>();
  for (let r = 0; r < train.n; r++) rows.add(Array.from(train.x.subarray(r * 24, r * 24 + 24)).join(','));
  for (let r = 0; r < held.n; r++) assert.ok(!rows.has(Array.from(held.x.subarray(r * 24, r * 24 + 24)).join(',')), `test sample ${r} is not a training sample`);
});

test('braints train: loss and accuracy per epoch, above chance on the test set; the trained parameters run with braints run --params', () => {
  const { dir, file } = tmpModel(SMALL);
  const out = join(dir, 'out');
  const r = cli(['train', file, '--out', out, '--plot', 'svg']);
  assert.equal(r.status, 0, r.stderr);
  const epochs = r.stdout.match(/^epoch \d\/4: loss [\d.]+, train accuracy [\d.]+, test accuracy [\d.]+/gm) ?? [];
  assert.equal(epochs.length, 4, r.stdout);
  const summary = JSON.parse(readFileSync(join(out, 'train.json'), 'utf8')) as { history: { loss: number; testAccuracy: number }[]; chance: number; test_accuracy_before: number; files: string[] };
  assert.equal(summary.history.length, 4);
  const last = summary.history[3];
  assert.ok(last.testAccuracy > 0.8, `test accuracy ${last.testAccuracy} is well above chance (${summary.chance})`);
  assert.ok(last.testAccuracy > summary.test_accuracy_before + 0.2, `training improves on the untrained network (${summary.test_accuracy_before})`);
  assert.ok(last.loss < summary.history[0].loss, 'the loss falls');
  for (const f of ['params.json', 'history.csv', 'training.svg', 'weights_XH.svg', 'weights_HO.svg']) assert.ok(summary.files.includes(f) && existsSync(join(out, f)), f);
  const svg = readFileSync(join(out, 'training.svg'), 'utf8');
  assert.equal((svg.match(/<circle class="point" data-series="test"/g) ?? []).length, 4, 'a test-accuracy point per epoch');
  assert.equal(readFileSync(join(out, 'history.csv'), 'utf8').trim().split('\n').length, 5, 'a header and a row per epoch');

  // The saved parameters are the trained ones: loaded into a fresh network they change its weights.
  const saved = JSON.parse(readFileSync(join(out, 'params.json'), 'utf8'));
  const fresh = loadModelText(SMALL).net;
  const before = Array.from(fresh.parameters().find((p) => p.name === 'HO.weight')!.value);
  fresh.loadParams(saved);
  const after = Array.from(fresh.parameters().find((p) => p.name === 'HO.weight')!.value);
  assert.notDeepEqual(after, before);
  assert.deepEqual(after, Array.from(Float32Array.from(saved.params['HO.weight'] as number[])));

  const run = cli(['run', file, '--params', join(out, 'params.json'), '--duration', '20ms']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /simulated 20\.0 ms/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ format: 'braints-network-params', version: 1, params: { 'XH.weight': [1] } }));
  const refused = cli(['run', file, '--params', bad]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /--params .*bad\.json: .*loadParams\.XH\.weight: has 1 values, the network has 576/);
});

test('training sections are checked with the path of each problem', () => {
  const cases: [string, string, string, RegExp][] = [
    ['input: X', 'input: H', 'training.input', /group 'H' is not fed from data: declare it as \{ size: N, data: true \} \(data groups: X\)/],
    ['readout: { group: O }', 'readout: { group: O, variable: vv }', 'training.readout.variable', /unknown variable of LIF 'vv': did you mean 'v'\?/],
    ['readout: { group: O }', 'readout: { group: Q }', 'training.readout.group', /unknown group 'Q'/],
    ['seed: 4 }', 'seed: 4, classes: 4 }', 'training.data.classes', /group 'O' has 3 neurons but the data set has 4 classes/],
    ['seed: 4 }', 'seed: 4, features: 30 }', 'training.data.features', /group 'X' has 24 neurons but the data set has 30 features: give it size: 30/],
    ['type: synthetic', 'type: synthetik', 'training.data.type', /unknown data set type 'synthetik': did you mean 'synthetic'\?/],
    ['epochs: 4', 'epochs: 0', 'training.epochs', /expected a number of epochs ≥ 1/],
    ['batch: 16', 'batch: 500', 'training.batch', /larger than the 192 training samples/],
    ['type: Adam, lr: 0.01', 'type: Adam, lr: -1', 'training.optimizer.lr', /expected a learning rate > 0/],
    ['type: Adam, lr: 0.01', 'type: Adamm', 'training.optimizer.type', /unknown optimizer type 'Adamm': did you mean 'Adam'\?/],
    ['steps: 40', 'stepz: 40', 'training', /unknown key 'stepz': did you mean 'steps'\?/],
    ['H: { size: 24, model: LIF }', 'H: { size: 24, model: LIF, train: [taux] }', 'groups.H.train.0', /unknown parameter of LIF to train 'taux': did you mean 'tau'\?/],
    ['out: { type: CUBA }, train: [weight] }\n  HO', 'out: { type: CUBA }, train: [wieght] }\n  HO', 'connections.XH.train.0', /unknown trainable part of the connection 'wieght': did you mean 'weight'\? \(valid: weight, tau\)/],
    ['X: { size: 24, data: true }', 'X: { size: 24, data: true, model: LIF }', 'groups.X', /a data group \(data: true\) takes only size/],
    ['data: { type: synthetic, train: 192, test: 96, seed: 4 }', 'data: { type: fashion-mnist, train: 100 }', 'training.input', /group 'X' has 24 neurons but Fashion-MNIST samples have 784 pixels/],
  ];
  for (const [from, to, path, message] of cases) {
    const text = SMALL.replace(from, to);
    assert.notEqual(text, SMALL, `the case '${to}' changes the file`);
    const issues = validateModelText(text);
    assert.ok(issues.some((i) => i.path === path && message.test(i.message)), `${to}: expected ${path}: ${message}, got ${JSON.stringify(issues)}`);
  }
  const untrained = validateModelText(SMALL.replace(/, train: \[weight\]/g, ''));
  assert.deepEqual(untrained.map((i) => i.path), ['training']);
  assert.match(untrained[0].message, /nothing in the model is marked trainable: add train: \[weight\] to a connection/);
  assert.deepEqual(validateModelText(SMALL), [], 'the small model is valid');
});

test('braints train refuses a file without a training section and bad flags', () => {
  const { file } = tmpModel(SMALL.slice(0, SMALL.indexOf('training:')));
  const r = cli(['train', file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no training section\. Fix: add training: \{ data, input, steps, readout, epochs, batch \}/);
  const bad = cli(['train', file, '--epochs', '0']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /option '--epochs <n>' argument '0' is invalid\. expected a whole number from 1 to 100000/);
  const invalid = cli(['train', tmpModel(SMALL.replace('epochs: 4', 'epochs: -1')).file]);
  assert.equal(invalid.status, 1);
  assert.match(invalid.stderr, /training\.epochs: expected a number of epochs ≥ 1/);
});

test('a network with trainable marks and a data group is written back as a model file with them', () => {
  const { net } = loadModelText(SMALL);
  const file = toModelFile(net) as { groups: Record<string, object>; connections: Record<string, { train?: string[] }> };
  assert.deepEqual(file.groups.X, { size: 24, data: true });
  assert.deepEqual(file.connections.XH.train, ['weight']);
  const again = buildModelFile(file).net;
  assert.deepEqual(again.parameters().map((p) => p.name), net.parameters().map((p) => p.name), 'the same parameters are trainable');
  assert.deepEqual(toModelFile(again), file);
});

test('SIGINT during training: stops after the current epoch, writes what was trained, exits 130', async () => {
  const { dir, file } = tmpModel(SMALL);
  const out = join(dir, 'out');
  const r = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [main, 'train', file, '--epochs', '100000', '--out', out, '--plot', 'svg'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      // interrupt once the first epoch is reported
      if (!sent && /^epoch 1\//m.test(output)) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
  assert.equal(r.code, 130, r.output);
  assert.match(r.output, /interrupted \(SIGINT\) after \d+ of 100000 epochs: keeping what was trained/);
  const summary = JSON.parse(readFileSync(join(out, 'train.json'), 'utf8')) as { interrupted: boolean; epochs: number; history: unknown[] };
  assert.equal(summary.interrupted, true);
  assert.ok(summary.epochs >= 1 && summary.epochs < 100000, `${summary.epochs} epochs`);
  assert.equal(summary.history.length, summary.epochs);
  assert.ok(existsSync(join(out, 'params.json')));
});
