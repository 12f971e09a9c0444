/**
 * The `braints` command line, run as a user runs it (a child process of dist/src/cli/main.js):
 * help, refusals of bad flags, validate, list, run with --out, and Ctrl-C.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelText, type SpikeMonitor, type StateMonitor } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = join(root, 'dist', 'src', 'cli', 'main.js');

function cli(args: string[], opts: { cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: opts.cwd ?? root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A NumPy .npy file: dtype, shape and the data as a typed array (what numpy.load would give). */
function readNpy(path: string): { descr: string; shape: number[]; data: Float64Array | Int32Array } {
  const b = readFileSync(path);
  assert.equal(b.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const hlen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hlen).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)![1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  assert.match(header, /'fortran_order': False/);
  const bytes = b.subarray(10 + hlen);
  const copy = new Uint8Array(bytes).buffer;
  const data = descr === '<f8' ? new Float64Array(copy) : descr === '<i4' ? new Int32Array(copy) : assert.fail(`unexpected dtype ${descr}`);
  return { descr, shape, data };
}

/** A small network model file (fast to build and run). */
const SMALL = `
braints: 1
name: small
run: { dt: 0.1 ms, duration: 100 ms, seed: 5 }
groups:
  P:
    size: 200
    model: LIF
    params: { El: -60 mV, Vth: -50 mV, Vreset: -60 mV, tau: 20 ms, tref: 5 ms }
    init: { v: { dist: normal, mean: -55 mV, std: 5 mV } }
    input: { I: 200 pA }
connections:
  EP: { pre: 'P[0:160]', post: P, comm: { type: FixedProb, prob: 0.1 }, weight: 3 nS, syn: { type: Expon, tau: 5 ms }, out: { type: COBA, E: 0 mV } }
  IP: { pre: 'P[160:]', post: P, comm: { type: FixedProb, prob: 0.1 }, weight: 20 nS, syn: { type: Expon, tau: 10 ms }, out: { type: COBA, E: -80 mV } }
monitors:
  spikes: { type: spikes, group: P }
`;

function tmpModel(text = SMALL): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'braints-cli-'));
  const file = join(dir, 'small.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

test('--help works on the program and on every command', () => {
  const top = cli(['--help']);
  assert.equal(top.status, 0, top.stderr);
  for (const c of ['run', 'validate', 'list', 'bench']) {
    assert.match(top.stdout, new RegExp(`\\n  ${c} `), `the program's help lists '${c}'`);
    const h = cli([c, '--help']);
    assert.equal(h.status, 0, `${c} --help: ${h.stderr}`);
    assert.match(h.stdout, new RegExp(`^Usage: braints ${c} `), `${c} --help`);
  }
});

test('unknown flags and bad values are refused with the flag, the value and what would be valid', () => {
  const unknown = cli(['run', 'coba', '--scale', 'abc']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown option '--scale'/);
  assert.match(unknown.stderr, /valid options of 'braints run': --duration, --seed, /);
  const typo = cli(['run', 'coba', '--sed', '3']);
  assert.match(typo.stderr, /Did you mean --seed\?/);
  const cases: [string[], RegExp][] = [
    [['--seed', 'abc'], /option '--seed <n>' argument 'abc' is invalid\. expected a whole number from 0 to 4294967295/],
    [['--duration', '3'], /option '-d, --duration <time>' argument '3' is invalid\. expected a time with a unit, such as '1s', '500ms'/],
    [['--threads', '0'], /option '--threads <n>' argument '0' is invalid\. expected a whole number from 1 to 256/],
    [['--backend', 'gpu'], /option '--backend <name>' argument 'gpu' is invalid\. Allowed choices are auto, wasm, js/],
    [['--dtype', 'float16'], /argument 'float16' is invalid\. Allowed choices are float32, float64/],
    [['--plot', 'gif'], /argument 'gif' is invalid\. expected one or more of svg, png separated by commas \('gif' is not one\)/],
    [['--trace', 'v'], /argument 'v' is invalid\. expected GROUP\.VARIABLE/],
  ];
  for (const [flags, want] of cases) {
    const r = cli(['run', 'coba', ...flags]);
    assert.equal(r.status, 1, flags.join(' '));
    assert.match(r.stderr, want, flags.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${flags.join(' ')}: no stack trace`);
  }
  const missing = cli(['run', 'no_such_model']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /'no_such_model' is neither a file nor a shipped model \(shipped models: coba, cobahh, cuba/);
});

test('the example scripts refuse a bad value or a misspelled flag the same way (no stack trace, no silent default)', () => {
  for (const [script, args, want] of [
    ['coba', ['--scale', 'abc'], /option '--scale <x>' argument 'abc' is invalid\. expected a positive number/],
    ['cuba', ['--scal', '2'], /unknown option '--scal'\n\(Did you mean --scale\?\)/],
    ['cobahh', ['--threads', '1.5'], /option '--threads <n>' argument '1\.5' is invalid\. expected a whole number ≥ 1/],
    ['reservoir_narma', ['--size', '-3'], /option '--size <n>' argument '-3' is invalid/],
  ] as const) {
    const r = spawnSync(process.execPath, [join(root, 'dist', 'examples', `${script}.js`), ...args], { encoding: 'utf8' });
    assert.equal(r.status, 1, `${script} ${args.join(' ')}`);
    assert.match(r.stderr, want, `${script} ${args.join(' ')}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('validate prints each problem of a broken model file with its path, and exits 1; a good file exits 0', () => {
  const broken = SMALL.replace('tau: 20 ms', "tau: '20'").replace('type: Expon, tau: 5 ms', 'type: Expo, tau: 5 ms').replace('group: P }', 'group: Q }');
  const { file } = tmpModel(broken);
  const bad = cli(['validate', file]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /small\.yaml: 1 problem/); // the schema finds the synapse type first
  assert.match(bad.stdout, /connections\.EP\.syn\.type: unknown synapse type 'Expo': did you mean 'Expon'\?/);
  const { file: f2 } = tmpModel(SMALL.replace('tau: 20 ms', "tau: '20'").replace('group: P }', 'group: Q }'));
  const bad2 = cli(['validate', f2]);
  assert.equal(bad2.status, 1);
  assert.match(bad2.stdout, /2 problems/);
  assert.match(bad2.stdout, /\n  groups\.P\.params\.tau: expected a time, got '20'/);
  assert.match(bad2.stdout, /\n  monitors\.spikes\.group: unknown group 'Q': did you mean 'P'\?/);
  const good = cli(['validate', 'coba', 'cuba', 'cobahh', tmpModel().file]);
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.equal(good.stdout.trim().split('\n').length, 4);
});

test('list names the shipped model files', () => {
  const r = cli(['list', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const { models } = JSON.parse(r.stdout) as { models: Record<string, string> };
  assert.deepEqual(Object.keys(models), ['coba', 'cobahh', 'cuba', 'microcircuit', 'train_fmnist', 'train_synthetic']);
  for (const p of Object.values(models)) assert.ok(existsSync(p), p);
});

test('run --out writes the spikes as NPY (the spikes of the same network run in code), CSV, a raster as SVG and PNG, and run.json; no progress bar when piped', () => {
  const { dir, file } = tmpModel();
  const out = join(dir, 'out');
  const r = cli(['run', file, '--duration', '50ms', '--out', out, '--trace', 'P.v[0,3]']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /steps \|/, 'no progress bar on a pipe');
  assert.doesNotMatch(r.stdout + r.stderr, /\x1b\[/, 'no terminal control codes on a pipe');

  const times = readNpy(join(out, 'spikes.times.npy'));
  const indices = readNpy(join(out, 'spikes.indices.npy'));
  assert.equal(times.descr, '<f8');
  assert.equal(indices.descr, '<i4');
  const ref = loadModelText(SMALL);
  ref.net.run('50 ms');
  const want = (ref.monitors.get('spikes') as SpikeMonitor).spikes();
  assert.ok(want.indices.length > 0);
  assert.deepEqual(indices.shape, [want.indices.length]);
  assert.deepEqual(indices.data, want.indices);
  assert.deepEqual(times.data, want.times);

  const csv = readFileSync(join(out, 'spikes.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 't_s,neuron');
  assert.equal(csv.length, want.indices.length + 1);
  const v = readNpy(join(out, 'trace_P_v.v.npy'));
  assert.deepEqual(v.shape, [500, 2]);
  assert.ok(readFileSync(join(out, 'spikes.raster.svg'), 'utf8').startsWith('<svg'));
  const png = readFileSync(join(out, 'spikes.raster.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.ok(png.readUInt32BE(16) > 100 && png.readUInt32BE(20) > 100, 'PNG width and height');
  const summary = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(summary.steps, 500);
  assert.equal(summary.interrupted, false);
  assert.equal(summary.seed, 5);
});

test('--seed, --dtype and --backend reach the network: the spikes are those of the same settings in code', () => {
  const { dir, file } = tmpModel();
  const out = join(dir, 'out');
  const r = cli(['run', file, '--duration', '30ms', '--seed', '9', '--dtype', 'float64', '--backend', 'js', '--plot', 'svg', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const ref = loadModelText(SMALL, { seed: 9, dtype: 'float64', backend: 'js' });
  ref.net.run('30 ms');
  assert.deepEqual(readNpy(join(out, 'spikes.indices.npy')).data, (ref.monitors.get('spikes') as SpikeMonitor).spikes().indices);
  assert.ok(!existsSync(join(out, 'spikes.raster.png')), '--plot svg writes no PNG');
});

/** Runs the CLI until its output shows the run is under way, then interrupts it; resolves with what it printed. */
function interruptRun(command: string, args: string[], ready: RegExp, interrupt: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      if (!sent && ready.test(output)) {
        sent = true;
        // let a few chunks of steps run first (a later interrupt only records more)
        setTimeout(() => interrupt(child), 1000);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function checkPartial(out: string): void {
  const summary = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(summary.interrupted, true);
  assert.ok(summary.steps < summary.requested_steps, `stopped part way: ${summary.steps} of ${summary.requested_steps}`);
  // what was written is what the network recorded up to that step boundary
  const ref = loadModelText(SMALL);
  ref.net.run(`${summary.steps * 1e-4} s`);
  const want = (ref.monitors.get('spikes') as SpikeMonitor).spikes();
  assert.deepEqual(readNpy(join(out, 'spikes.indices.npy')).data, want.indices);
  const v = readNpy(join(out, 'trace_P_v.v.npy'));
  assert.equal(v.shape[0], summary.steps, 'one trace sample per simulated step');
  assert.ok(existsSync(join(out, 'spikes.raster.svg')));
}

test('SIGINT during a run: stops at a step boundary, writes what was recorded, exits 130', async () => {
  const { dir, file } = tmpModel();
  const out = join(dir, 'out');
  const r = await interruptRun(process.execPath, [main, 'run', file, '--duration', '1000s', '--out', out, '--plot', 'svg', '--trace', 'P.v[0]'], /^running small/m, (c) => c.kill('SIGINT'));
  assert.equal(r.code, 130, r.output);
  assert.match(r.output, /interrupted \(SIGINT\) at step \d+ of 10000000 /);
  checkPartial(out);
});

test('Ctrl-C on a terminal: the progress bar is drawn, and the cursor and line wrapping are restored', { skip: spawnSync('script', ['--version']).status !== 0 && 'needs script(1) from util-linux for a pseudo-terminal' }, async () => {
  const { dir, file } = tmpModel();
  const out = join(dir, 'out');
  const cmd = [process.execPath, main, 'run', file, '--duration', '1000s', '--out', out, '--plot', 'svg', '--trace', 'P.v[0]'].map((a) => `'${a}'`).join(' ');
  // script(1) gives the command a pseudo-terminal; ^C typed into it is the terminal's interrupt
  const r = await interruptRun('script', ['-qefc', cmd, '/dev/null'], / steps \|.*ETA/, (c) => c.stdin!.write('\x03'));
  assert.equal(r.code, 130, r.output);
  const o = r.output;
  assert.ok(o.includes('\x1b[?7l'), 'the bar turned line wrapping off while it drew');
  assert.ok(o.lastIndexOf('\x1b[?7h') > o.lastIndexOf('\x1b[?7l'), 'line wrapping is on again at the end');
  assert.ok(o.lastIndexOf('\x1b[?25h') > o.lastIndexOf('\x1b[?25l'), 'the cursor is visible at the end');
  assert.match(o, /ETA/, 'the bar shows an ETA');
  checkPartial(out);
});
