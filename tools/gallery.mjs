#!/usr/bin/env node
/**
 * Draws the pictures of docs/gallery.md into docs/img/*.png: each canonical example runs at a
 * small scale, either as its own command (its SVG in out/ is rendered to PNG) or, for the views the
 * examples do not draw, here from the same model modules. Run after building:
 *
 *   npx tsc -p tsconfig.json && node tools/gallery.mjs            # every picture (about 2 minutes)
 *   node tools/gallery.mjs coba wang                                # only these
 *
 * The commands below are the ones the gallery's captions quote; keep the two in step.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { svgToPng } = await dist('src/node/index.js');
const B = await dist('src/index.js');

/** Runs a command of the repository (as the caption prints it) and returns the SVG it wrote. */
function fromCommand(args, svgPath) {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${r.stderr}`);
  process.stdout.write(r.stdout.split('\n').filter((l) => l.trim()).slice(-3).map((l) => `    ${l}\n`).join(''));
  return readFileSync(join(root, svgPath), 'utf8');
}

/** COBAHH: membrane potentials of three excitatory cells, which the example (a raster) does not draw. */
async function cobahhTraces() {
  const { cobahhNetwork } = await dist('examples/cobahh_model.js');
  const { net, P, spikes, ne } = cobahhNetwork({ scale: 1, seed: 1 });
  const cells = [0, 1, 2];
  const mon = net.add(new B.StateMonitor(P, ['v'], { indices: cells }));
  net.run('300 ms');
  const { t, values } = mon.result();
  const rate = spikes.numSpikes / P.size / 0.3;
  const series = cells.map((c, j) => ({
    x: Array.from(t, (s) => s * 1000),
    y: Array.from({ length: t.length }, (_, k) => values.v[k * cells.length + j] * 1000),
    label: `E cell ${c}`,
  }));
  return B.lineSvg(series, { title: `COBAHH, ${P.size} Traub–Miles HH neurons (${ne} E): v of three E cells (mean rate ${rate.toFixed(1)} Hz)`, xLabel: 'time (ms)', yLabel: 'v (mV)' });
}

/** Wang (2002): the two selective pools' rates in one trial at 51.2 % coherence. */
async function wangTrace() {
  const { wangTrial, WANG_DEFAULTS } = await dist('examples/wang_model.js');
  const r = wangTrial({ scale: 0.25, coherence: 51.2, durationMs: 1500, seed: 3 });
  const on = WANG_DEFAULTS.stimulusOnMs / 1000;
  const top = Math.max(...r.trace.a, ...r.trace.b);
  return B.lineSvg(
    [
      { x: r.trace.t, y: r.trace.a, label: 'pool A (favoured)' },
      { x: r.trace.t, y: r.trace.b, label: 'pool B' },
      { x: [on, on], y: [0, top], label: 'stimulus on', color: '#888', dash: '4 3' },
    ],
    { title: `Wang (2002), ${r.neurons} neurons, coherence 51.2 %: ${r.winner ?? 'no'} pool wins${r.decisionMs === null ? '' : ` after ${Math.round(r.decisionMs)} ms`}`, xLabel: 'time (s)', yLabel: 'rate (Hz, 50 ms windows)' },
  );
}

/** The STDP window measured as in docs/tutorial.md §7, at 1 ms steps of the lag. */
function stdpWindow() {
  // the plastic synapses write into `s`, which v does not read: 100 inputs cannot make the cell fire
  const Cell = B.defineNeuron({ name: 'Cell', equations: 'dv/dt = -v/tau : 1\nds/dt = -s/tau : 1', params: { tau: '10 ms' }, threshold: 'v > 1', reset: 'v = 0' });
  const lags = Array.from({ length: 101 }, (_, j) => j - 50).filter((l) => l !== 0);
  const pairings = 10;
  const preIdx = [], preT = [], teachT = [];
  for (let k = 0; k < pairings; k++) {
    const tPost = 100 + 250 * k;
    teachT.push(tPost);
    lags.forEach((lag, j) => (preIdx.push(j), preT.push(tPost + lag)));
  }
  const net = new B.Network({ dt: '0.1 ms', seed: 1 });
  const pre = net.add(new B.SpikeGeneratorGroup(lags.length, { indices: preIdx, times: preT, unit: 'ms' }));
  const teacher = net.add(new B.SpikeGeneratorGroup(1, { indices: teachT.map(() => 0), times: teachT, unit: 'ms' }));
  const post = net.add(new B.NeuronGroup(1, Cell));
  net.connect(teacher, post, { comm: new B.All2All(), weight: 2, target: 'v' });
  const proj = net.connect(pre, post, { comm: new B.All2All(), weight: 0.2, target: 's', plasticity: B.STDP({ A_plus: 0.01, A_minus: 0.012, wmax: 1 }) });
  net.run(`${100 + 250 * pairings} ms`);
  // a NaN at Δt = 0 breaks the lines between the two branches
  const gap = (ys) => [...ys.slice(0, 50), NaN, ...ys.slice(50)];
  const dw = gap(Array.from(proj.weights, (w) => (w - 0.2) / pairings));
  const x = gap(lags.map((l) => -l));
  x[50] = 0;
  const theory = gap(lags.map((l) => (l < 0 ? 0.01 * Math.exp(l / 20) : -0.012 * Math.exp(-l / 20))));
  return B.lineSvg(
    [
      { x, y: dw, label: 'measured, per pairing', points: true },
      { x, y: theory, label: 'A₊e^(−Δt/τ₊), −A₋e^(Δt/τ₋)', color: '#888', dash: '4 3' },
    ],
    { title: 'Pair-based STDP: weight change against Δt = t_post − t_pre', xLabel: 'Δt (ms)', yLabel: 'Δw per pairing' },
  );
}

/**
 * The microcircuit's raster with one colour per population (the example alternates two colours),
 * after the start-up transient, wide enough that the eight legend entries clear the title.
 */
async function microcircuitRaster() {
  const { microcircuitNetwork, POPULATIONS } = await dist('examples/microcircuit_model.js');
  const scale = 0.05, tStart = 0.1, tStop = 0.4;
  const { net, monitors, sizes } = microcircuitNetwork({ scale, seed: 1 });
  net.run(`${tStop * 1000} ms`);
  net.close();
  const offsets = sizes.map((_, p) => sizes.slice(0, p).reduce((a, b) => a + b, 0));
  const spikes = monitors.flatMap((m, p) => {
    const { times, indices } = m.spikes();
    return Array.from(times, (t, k) => [t, indices[k] + offsets[p]]);
  }).sort((a, b) => a[0] - b[0]);
  // layer by hue, E dark and I light
  const colors = ['#1f4e99', '#7fb0e6', '#1b7a3a', '#86d19c', '#a6341b', '#f0a08a', '#6a3d9a', '#c4a6e0'];
  return B.rasterSvg(
    { times: Float64Array.from(spikes, (s) => s[0]), indices: Int32Array.from(spikes, (s) => s[1]) },
    {
      nNeurons: offsets[7] + sizes[7], tStart, tStop, width: 1100,
      title: `Microcircuit, ${offsets[7] + sizes[7]} neurons (scale ${scale})`,
      groups: POPULATIONS.map((name, p) => ({ name, start: offsets[p], stop: offsets[p] + sizes[p], color: colors[p] })),
      rateTrace: true,
    },
  );
}

/** Structure and function side by side: the SC and FC heatmaps of the whole-brain example in one picture. */
function sideBySide(left, right) {
  const size = (svg) => /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg) ?? /width="([\d.]+)"[^>]*height="([\d.]+)"/.exec(svg);
  const [, wl, hl] = size(left), [, wr, hr] = size(right);
  const inner = (svg) => svg.replace(/^[\s\S]*?<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
  const w = Number(wl) + Number(wr), h = Math.max(Number(hl), Number(hr));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="${w}" height="${h}" fill="white"/>` +
    `<g>${inner(left)}</g><g transform="translate(${wl},0)">${inner(right)}</g></svg>`;
}

const PICTURES = {
  coba: () => fromCommand(['dist/examples/coba.js', '--duration', '400'], 'out/coba_raster.svg'),
  cuba: () => fromCommand(['dist/examples/cuba.js', '--duration', '400'], 'out/cuba_raster.svg'),
  cobahh: cobahhTraces,
  vogels_rate: () => fromCommand(['dist/examples/vogels_istdp.js', '--scale', '0.1', '--duration', '20000'], 'out/vogels_rate.svg'),
  vogels_weight: () => readFileSync(join(root, 'out/vogels_weight.svg'), 'utf8'),   // written by vogels_rate's run
  wang: wangTrace,
  microcircuit: microcircuitRaster,
  whole_brain: () => {
    const fc = fromCommand(['dist/examples/whole_brain.js'], 'out/whole_brain_fc.svg');
    return sideBySide(readFileSync(join(root, 'out/whole_brain_sc.svg'), 'utf8'), fc);
  },
  phase_plane: () => fromCommand(['dist/examples/phase_plane_fhn.js'], 'out/phase_plane_fhn.svg'),
  training: () => fromCommand(['dist/src/cli/main.js', 'train', 'examples/models/train_synthetic.yaml', '--out', 'out/train'], 'out/train/training.svg'),
  reservoir_narma: () => fromCommand(['dist/examples/reservoir_narma.js'], 'out/reservoir_narma.svg'),
  reservoir_lorenz: () => fromCommand(['dist/examples/reservoir_lorenz_nvar.js'], 'out/reservoir_lorenz_nvar.svg'),
  stdp: stdpWindow,
};

const wanted = process.argv.slice(2);
for (const name of wanted) if (!(name in PICTURES)) throw new Error(`unknown picture '${name}'; known: ${Object.keys(PICTURES).join(', ')}`);
if (wanted.includes('vogels_weight') && !wanted.includes('vogels_rate')) wanted.unshift('vogels_rate');
const names = wanted.length ? Object.keys(PICTURES).filter((n) => wanted.includes(n)) : Object.keys(PICTURES);

mkdirSync(join(root, 'docs/img'), { recursive: true });
let total = 0;
for (const name of names) {
  const t0 = performance.now();
  console.log(`${name}:`);
  const svg = await PICTURES[name]();
  const file = join(root, 'docs/img', `${name}.png`);
  writeFileSync(file, await svgToPng(svg, { scale: 1 }));   // 1 px per SVG unit keeps each file small
  const bytes = statSync(file).size;
  total += bytes;
  console.log(`  docs/img/${name}.png, ${(bytes / 1024).toFixed(0)} KB, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
console.log(`${names.length} pictures, ${(total / 1024).toFixed(0)} KB`);
