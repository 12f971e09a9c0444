import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeXml,
  lineSvg,
  linearScale,
  niceDomain,
  niceTicks,
  phasePlaneSvg,
  rasterSvg,
  tickFormat,
  histogram,
  histogramSvg,
  firingRates,
  rateHistogramSvg,
  weightHistogramSvg,
  trainingCurvesSvg,
} from '../src/plot/index.js';
import { svgToPng } from '../src/node/png.js';
import { Rng } from '../src/math/rng.js';

/** Checks that every tag is closed in order (a small XML well-formedness check) and returns tag counts. */
function checkWellFormed(svg: string): Map<string, number> {
  assert.ok(svg.startsWith('<svg'), 'starts with <svg');
  assert.ok(svg.trimEnd().endsWith('</svg>'), 'ends with </svg>');
  const counts = new Map<string, number>();
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = tag.exec(svg))) {
    // Between tags only text without raw '<' or unescaped '&'.
    const between = svg.slice(consumed, m.index);
    assert.ok(!between.includes('<'), `stray '<' near: ${between.slice(0, 80)}`);
    assert.ok(!/&(?!amp;|lt;|gt;|quot;|#39;)/.test(between), `unescaped '&' in: ${between.slice(0, 80)}`);
    consumed = m.index + m[0].length;
    const [, close, name, attrs, selfClose] = m;
    assert.ok(!/&(?!amp;|lt;|gt;|quot;|#39;)/.test(attrs), `unescaped '&' in attributes of <${name}>`);
    if (close) {
      assert.equal(stack.pop(), name, `closing </${name}> matches its opening tag`);
    } else {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (!selfClose) stack.push(name);
    }
  }
  assert.ok(!svg.slice(consumed).includes('<'), 'no unparsed tag at the end');
  assert.deepEqual(stack, [], 'all tags closed');
  // Regex count cross-check: as many openings (non-self-closing) as closings.
  const opens = (svg.match(/<[A-Za-z][^>]*[^/]>/g) ?? []).length + (svg.match(/<[A-Za-z]>/g) ?? []).length;
  const closes = (svg.match(/<\/[A-Za-z][^>]*>/g) ?? []).length;
  assert.equal(opens, closes, 'balanced open/close tag counts');
  return counts;
}

/** The `d` attributes of paths with the given class. */
function pathData(svg: string, cls: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<path class="${cls}"[^>]*? d="([^"]*)"`, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(svg))) out.push(m[1]);
  return out;
}

function sortedSpikes(list: [number, number][]): { times: Float64Array; indices: Int32Array } {
  list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { times: Float64Array.from(list, (s) => s[0]), indices: Int32Array.from(list, (s) => s[1]) };
}

test('niceTicks uses 1-2-5 steps and clean values', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 1000, 5), [0, 200, 400, 600, 800, 1000]);
  assert.deepEqual(niceTicks(0, 250, 5), [0, 50, 100, 150, 200, 250]);
  assert.deepEqual(niceTicks(-0.07, -0.05, 4), [-0.07, -0.065, -0.06, -0.055, -0.05]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(niceDomain(0.3, 97.2), [0, 100]);
  for (const [lo, hi] of [[0, 7], [3, 1234], [-5e-9, 8e-9], [1e5, 3.7e6]]) {
    const t = niceTicks(lo, hi, 5);
    const step = t[1] - t[0];
    const mant = step / 10 ** Math.floor(Math.log10(step));
    assert.ok([1, 2, 5].some((m) => Math.abs(mant - m) < 1e-9), `step ${step} is 1, 2 or 5 × 10^k`);
    assert.ok(t[0] >= lo && t[t.length - 1] <= hi);
    assert.ok(t.length >= 3 && t.length <= 11);
  }
});

test('tickFormat gives just enough decimals and a true minus', () => {
  const f = tickFormat([-0.07, -0.065, -0.06]);
  assert.equal(f(-0.065), '\u22120.065');
  assert.equal(f(-0.06), '\u22120.060');
  assert.equal(tickFormat([0, 200, 400])(200), '200');
  assert.equal(tickFormat([0, 1e-9, 2e-9])(1e-9), '1e\u22129');
  const x = linearScale([0, 10], [100, 200]);
  assert.equal(x(5), 150);
  assert.equal(x.invert(150), 5);
});

test('escapeXml escapes markup characters and drops control characters', () => {
  assert.equal(escapeXml(`a<b & "c" 'd'>`), 'a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
  assert.equal(escapeXml('x\u0001y'), 'xy');
});

test('rasterSvg is well-formed with one segment per spike, axes in ms and labels', () => {
  // 5 neurons, neuron i fires at i ms + k·20 ms.
  const list: [number, number][] = [];
  for (let i = 0; i < 5; i++) for (let k = 0; k < 5; k++) list.push([i * 1e-3 + k * 0.02, i]);
  const spikes = sortedSpikes(list);
  const svg = rasterSvg(spikes, { nNeurons: 5, tStop: 0.1, title: 'Tiny <net> & co' });
  const counts = checkWellFormed(svg);
  assert.ok((counts.get('text') ?? 0) > 5);
  const d = pathData(svg, 'spikes');
  assert.equal(d.length, 1, 'one path without groups');
  assert.equal((d[0].match(/M/g) ?? []).length, spikes.times.length, 'one M segment per spike');
  assert.equal((d[0].match(/h/g) ?? []).length, spikes.times.length);
  assert.ok(svg.includes('time (ms)'));
  assert.ok(svg.includes('neuron index'));
  assert.ok(svg.includes('Tiny &lt;net&gt; &amp; co'));
  assert.ok(svg.includes('>100</text>'), 'x ticks are in ms (0.1 s → 100)');
  assert.ok(svg.includes('>20</text>') && svg.includes('>60</text>'));
});

test('rasterSvg: groups get their own colour, maxNeurons subsamples rows, rateTrace adds a panel', () => {
  const n = 100;
  const list: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let k = 0; k < 10; k++) list.push([k * 0.01 + i * 1e-5, i]);
  const spikes = sortedSpikes(list);
  const groups = [
    { name: 'E', start: 0, stop: 80, color: '#1f77b4' },
    { name: 'I', start: 80, stop: 100, color: '#d62728' },
  ];
  const svg = rasterSvg(spikes, { nNeurons: n, tStop: 0.1, groups, rateTrace: true });
  checkWellFormed(svg);
  const d = pathData(svg, 'spikes');
  assert.equal(d.length, 2);
  assert.equal((d[0].match(/M/g) ?? []).length, 800);
  assert.equal((d[1].match(/M/g) ?? []).length, 200);
  assert.ok(svg.includes('data-group="E"') && svg.includes('stroke="#d62728"'));
  assert.ok(svg.includes('rate (Hz)'));
  assert.equal(pathData(svg, 'rate').length, 2, 'one rate line per group');
  assert.ok(svg.includes('>E</text>') && svg.includes('>I</text>'), 'legend');

  const sub = rasterSvg(spikes, { nNeurons: n, tStop: 0.1, maxNeurons: 10 });
  checkWellFormed(sub);
  const ds = pathData(sub, 'spikes');
  assert.equal((ds[0].match(/M/g) ?? []).length, 10 * 10, '10 rows × 10 spikes');
  assert.ok(sub.includes('10 of 100 shown'));
});

test('rasterSvg stays compact and fast for 80 000 spikes', () => {
  const rng = new Rng(7);
  const n = 4000;
  const count = 80_000;
  const times = new Float64Array(count);
  const indices = new Int32Array(count);
  for (let k = 0; k < count; k++) times[k] = rng.uniform();
  times.sort();
  for (let k = 0; k < count; k++) indices[k] = rng.int(n);
  const t0 = performance.now();
  const svg = rasterSvg({ times, indices }, { nNeurons: n, tStop: 1, rateTrace: true, groups: [{ name: 'E', start: 0, stop: 3200, color: 'steelblue' }, { name: 'I', start: 3200, stop: 4000, color: 'crimson' }] });
  const ms = performance.now() - t0;
  const counts = checkWellFormed(svg);
  assert.ok(svg.length < count * 20, `size ${svg.length} bytes is under 20 bytes per spike`);
  assert.ok((counts.get('path') ?? 0) < 20, 'a handful of paths, not one element per spike');
  const segs = pathData(svg, 'spikes').reduce((s, d) => s + (d.match(/M/g) ?? []).length, 0);
  assert.equal(segs, count);
  console.log(`raster of ${count} spikes: ${ms.toFixed(0)} ms (not asserted)`);
});

test('rasterSvg keeps a large run small: beyond the spike budget it draws fewer neurons, all of their spikes, and the rate of all', () => {
  const rng = new Rng(11);
  const n = 20_000;
  const count = 1_000_000;
  const times = new Float64Array(count);
  const indices = new Int32Array(count);
  for (let k = 0; k < count; k++) times[k] = rng.uniform() * 2;
  times.sort();
  for (let k = 0; k < count; k++) indices[k] = rng.int(n);
  const svg = rasterSvg({ times, indices }, { nNeurons: n, tStop: 2, rateTrace: true, maxSpikes: 50_000 });
  checkWellFormed(svg);
  const marks = pathData(svg, 'spikes').reduce((s, d) => s + (d.match(/M/g) ?? []).length, 0);
  assert.ok(marks <= 50_000 && marks > 25_000, `${marks} marks: within the budget, not far below it`);
  const m = /neuron \((\d+) of 20000 shown\)/.exec(svg);
  assert.ok(m, 'the axis says how many neurons are shown');
  // every spike of a shown neuron is drawn: the marks are exactly the spikes of the shown rows
  const rows = Number(m[1]);
  const shown = new Set(Array.from({ length: rows }, (_, r) => Math.floor((r * n) / rows)));
  assert.equal(marks, indices.reduce((c, i) => c + (shown.has(i) ? 1 : 0), 0));
  assert.ok(svg.length < 50_000 * 20 + 100_000, `${svg.length} bytes`);
  // the rate panel counts every spike: the same line as when every spike is drawn
  const full = rasterSvg({ times, indices }, { nNeurons: n, tStop: 2, rateTrace: true, maxSpikes: Infinity });
  assert.deepEqual(pathData(svg, 'rate'), pathData(full, 'rate'));
  const all = rasterSvg({ times: times.subarray(0, 60_000), indices: indices.subarray(0, 60_000) }, { nNeurons: n, maxSpikes: Infinity });
  assert.equal(pathData(all, 'spikes').reduce((s, d) => s + (d.match(/M/g) ?? []).length, 0), 60_000, 'maxSpikes: Infinity draws every spike');
});

test('rasterSvg refuses bad input with a clear message', () => {
  const spikes = { times: new Float64Array([0.1]), indices: new Int32Array([0, 1]) };
  assert.throws(() => rasterSvg(spikes, { nNeurons: 2 }), /parallel/);
  assert.throws(() => rasterSvg({ times: new Float64Array(0), indices: new Int32Array(0) }, { nNeurons: 0 }), /nNeurons/);
  const empty = rasterSvg({ times: new Float64Array(0), indices: new Int32Array(0) }, { nNeurons: 10, tStop: 1 });
  checkWellFormed(empty);
});

test('lineSvg draws labelled series with a legend and breaks lines at NaN', () => {
  const x = Float64Array.from({ length: 50 }, (_, k) => k);
  const y1 = Float64Array.from(x, (v) => Math.sin(v / 5));
  const y2 = Float64Array.from(x, (v) => (v === 20 ? NaN : Math.cos(v / 5)));
  const svg = lineSvg(
    [
      { x, y: y1, label: 'sin & co' },
      { x, y: y2, label: 'cos', color: 'red', dash: '4 2', points: true },
    ],
    { width: 500, height: 300, title: 'f–I', xLabel: 'I (nA)', yLabel: 'rate (Hz)' },
  );
  checkWellFormed(svg);
  const d = pathData(svg, 'series');
  assert.equal(d.length, 2);
  assert.equal((d[0].match(/M/g) ?? []).length, 1);
  assert.equal((d[0].match(/L/g) ?? []).length, 49);
  assert.equal((d[1].match(/M/g) ?? []).length, 2, 'NaN splits the line');
  assert.ok(svg.includes('sin &amp; co'));
  assert.ok(svg.includes('I (nA)') && svg.includes('rate (Hz)'));
  assert.ok(svg.includes('stroke-dasharray="4 2"'));
});

test('lineSvg thins long monotone series to a few points per pixel, keeping extremes', () => {
  const n = 200_000;
  const x = Float64Array.from({ length: n }, (_, k) => k * 1e-4);
  const y = Float64Array.from(x, (t, k) => (k === 123_457 ? 5 : Math.sin(2 * Math.PI * 3 * t)));
  const svg = lineSvg([{ x, y }], { width: 600, height: 300, idPrefix: 'v' });
  checkWellFormed(svg);
  const d = pathData(svg, 'series')[0];
  const points = (d.match(/[ML]/g) ?? []).length;
  assert.ok(points <= 4 * 600 + 8, `${points} points`);
  assert.ok(svg.includes('>5</text>'), 'y axis reaches the spike at 5');
  // The 5 must still be drawn: the highest point of the path sits at the top of the y range.
  const ys = [...d.matchAll(/[ML][\d.-]+ ([\d.-]+)/g)].map((m) => Number(m[1]));
  const top = Math.min(...ys);
  const svgTopTick = /<text x="[\d.]+" y="([\d.]+)" text-anchor="end"[^>]*>5<\/text>/.exec(svg);
  assert.ok(svgTopTick);
  // Tick labels are vertically centred on their tick by a 0.35 em offset (font size 11).
  assert.ok(Math.abs(top - (Number(svgTopTick[1]) - 0.35 * 11)) < 1, 'peak kept by the thinning');
});

test('phasePlaneSvg draws field arrows, nullclines, trajectories and fixed points', () => {
  const gx = [-2, -1, 0, 1, 2];
  const gy = [-1, 0, 1];
  const u: number[] = [];
  const v: number[] = [];
  for (const yy of gy) for (const xx of gx) {
    u.push(yy);
    v.push(-xx);
  }
  const t = Array.from({ length: 100 }, (_, k) => (k / 100) * 2 * Math.PI);
  const svg = phasePlaneSvg(
    {
      field: { x: gx, y: gy, u, v },
      nullclines: [
        { x: [-2, 2], y: [0, 0], label: 'dv/dt = 0' },
        { x: [0, 0], y: [-1, 1], label: 'dw/dt = 0' },
      ],
      trajectories: [{ x: t.map(Math.cos), y: t.map((s) => 0.8 * Math.sin(s)), label: 'orbit' }],
      points: [{ x: 0, y: 0, stable: false, label: 'centre' }],
    },
    { xLabel: 'v', yLabel: 'w', title: 'harmonic <oscillator>' },
  );
  checkWellFormed(svg);
  const field = pathData(svg, 'field')[0];
  // One arrow (a shaft M…L and a head M…L…L) per grid point with a non-zero vector: all but (0, 0).
  assert.equal((field.match(/M/g) ?? []).length, 2 * (gx.length * gy.length - 1));
  assert.equal(pathData(svg, 'nullcline').length, 2);
  assert.equal(pathData(svg, 'trajectory').length, 1);
  assert.ok(svg.includes('class="fixed-point"') && svg.includes('fill="white"'));
  assert.ok(svg.includes('dv/dt = 0') && svg.includes('orbit'));
  assert.ok(svg.includes('harmonic &lt;oscillator&gt;'));
  assert.throws(() => phasePlaneSvg({ field: { x: gx, y: gy, u: [1], v: [1] } }), /x.length × y.length/);
});

/** The `data-count` of every bar of a histogram, by series. */
function barCounts(svg: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of svg.matchAll(/<rect class="bar" data-series="(\d+)" data-count="(\d+)"/g)) {
    if (!out.has(m[1])) out.set(m[1], []);
    out.get(m[1])!.push(Number(m[2]));
  }
  return out;
}

test('histogram: equal bins over the range, the top edge in the last bin, outside values dropped', () => {
  const h = histogram([1, 2, 2, 3, NaN], { bins: 2 });
  assert.deepEqual([...h.edges], [1, 2, 3]);
  assert.deepEqual([...h.counts], [1, 3]);
  const d = histogram([-1, 0, 0.5, 0.99, 1, 5], { bins: 4, domain: [0, 1] });
  assert.deepEqual([...d.counts], [1, 0, 1, 2]);
  assert.deepEqual([...histogram([7, 7, 7], { bins: 3 }).counts], [0, 3, 0], 'equal values: one bin around them');
  assert.throws(() => histogram([1], { bins: 0 }), /bins must be an integer/);
});

test('histogramSvg draws one bar per non-empty bin, its count as its height, for each series', () => {
  const rng = new Rng(3, 1);
  const a = Float64Array.from({ length: 500 }, () => rng.normal());
  const b = Float64Array.from({ length: 300 }, () => 2 + rng.normal());
  const svg = histogramSvg([{ values: a, label: 'a' }, { values: b, label: 'b' }], { bins: 20, title: 'two' });
  const counts = checkWellFormed(svg);
  const bars = barCounts(svg);
  assert.equal(bars.get('0')!.reduce((s, c) => s + c, 0), 500, 'every value of a is in a bar');
  assert.equal(bars.get('1')!.reduce((s, c) => s + c, 0), 300);
  const nonEmpty = (v: ArrayLike<number>) => [...histogram(v, { bins: 20, domain: [Math.min(...a, ...b), Math.max(...a, ...b)] }).counts].filter((c) => c > 0).length;
  assert.equal(bars.get('0')!.length, nonEmpty(a));
  assert.equal(bars.get('1')!.length, nonEmpty(b));
  assert.ok(counts.get('rect')! >= bars.get('0')!.length + bars.get('1')!.length);
  // taller bars for larger counts
  const heights = [...svg.matchAll(/data-count="(\d+)" x="[^"]*" y="[^"]*" width="[^"]*" height="([^"]*)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  for (const [c1, h1] of heights) for (const [c2, h2] of heights) if (c1 > c2) assert.ok(h1 > h2, `count ${c1} is drawn taller than count ${c2}`);
  assert.match(svg, />a</);
});

test('rateHistogramSvg: per-neuron rates, silent neurons included', () => {
  // neuron 0 spikes 4 times, neuron 1 twice, neurons 2..9 never, over 2 s
  const rates = firingRates([0, 0, 1, 0, 1, 0], 10, 2);
  assert.deepEqual([...rates], [2, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const svg = rateHistogramSvg([0, 0, 1, 0, 1, 0], 10, 2, { bins: 2 });
  checkWellFormed(svg);
  assert.deepEqual(barCounts(svg).get('0'), [8, 2], 'the 8 silent neurons in [0, 1) Hz, the 1 Hz and 2 Hz neurons in [1, 2]');
  assert.match(svg, /firing rate \(Hz\)/);
  assert.throws(() => firingRates([0], 1, 0), /duration must be positive/);
});

test('weightHistogramSvg: initial and trained weights on shared bins, with the unit', () => {
  const svg = weightHistogramSvg([{ values: [1, 2, 3], label: 'initial' }, { values: [3, 4, 5, 6], label: 'trained' }], 'pA', { bins: 5 });
  checkWellFormed(svg);
  const bars = barCounts(svg);
  assert.deepEqual(bars.get('0'), [1, 1, 1]);
  assert.deepEqual(bars.get('1'), [1, 1, 2]);
  assert.match(svg, /weight \(pA\)/);
});

test('trainingCurvesSvg draws a point per epoch on the loss, train and test curves', async () => {
  const history = Array.from({ length: 7 }, (_, k) => ({ epoch: k + 1, loss: 1.4 / (k + 1), trainAccuracy: 0.3 + 0.1 * k, testAccuracy: k === 2 ? undefined : 0.28 + 0.09 * k }));
  const svg = trainingCurvesSvg(history, { chance: 0.25 });
  checkWellFormed(svg);
  const points = (s: string) => [...svg.matchAll(new RegExp(`<circle class="point" data-series="${s}" cx="([^"]*)" cy="([^"]*)"`, 'g'))].map((m) => [Number(m[1]), Number(m[2])]);
  assert.equal(points('loss').length, 7);
  assert.equal(points('train').length, 7);
  assert.equal(points('test').length, 6, 'an epoch without a test accuracy has no test point');
  const loss = points('loss');
  for (let k = 1; k < loss.length; k++) {
    assert.ok(loss[k][0] > loss[k - 1][0], 'epochs left to right');
    assert.ok(loss[k][1] > loss[k - 1][1], 'a falling loss is drawn lower (larger y) each epoch');
  }
  const train = points('train');
  for (let k = 1; k < train.length; k++) assert.ok(train[k][1] < train[k - 1][1], 'a rising accuracy is drawn higher');
  assert.equal(pathData(svg, 'chance').length, 1);
  let png: Uint8Array | undefined;
  try {
    png = await svgToPng(svg);
  } catch (err) {
    if (!/@resvg\/resvg-js/.test((err as Error).message)) throw err;
  }
  if (png) assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'renders to PNG');
});

test('rasterSvg: a legend too wide to sit beside the centred title takes a line of its own below it', () => {
  const names = ['L23E', 'L23I', 'L4E', 'L4I', 'L5E', 'L5I', 'L6E', 'L6I'];
  const groups = names.map((name, k) => ({ name, start: k * 10, stop: (k + 1) * 10, color: '#333' }));
  const spikes = { times: new Float64Array([0.01]), indices: new Int32Array([3]) };
  const legendY = (svg: string) => Number(/<g class="legend">\s*<text[^>]*\by="([\d.]+)"/.exec(svg)![1]);
  const titleY = (svg: string) => Number(/<text[^>]*\by="([\d.]+)"[^>]*>Potjans/.exec(svg)![1]);
  const narrow = rasterSvg(spikes, { nNeurons: 80, tStop: 0.1, groups, title: 'Potjans & Diesmann microcircuit', width: 600 });
  const wide = rasterSvg(spikes, { nNeurons: 80, tStop: 0.1, groups, title: 'Potjans & Diesmann microcircuit', width: 1600 });
  assert.ok(legendY(narrow) > titleY(narrow) + 8, `narrow: legend at y ${legendY(narrow)}, title at y ${titleY(narrow)}`);
  assert.ok(Math.abs(legendY(wide) - titleY(wide)) < 8, `wide: legend at y ${legendY(wide)} beside the title at y ${titleY(wide)}`);
});
