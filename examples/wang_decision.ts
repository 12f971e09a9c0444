/**
 * Decision making in a recurrent network with slow NMDA reverberation (Wang 2002): two selective
 * pools compete through shared inhibition; the one receiving more stimulus input usually wins,
 * more reliably and sooner as the coherence grows. Runs `--trials` trials at each coherence and
 * prints the psychometric (fraction of trials won by the favoured pool A) and chronometric (mean
 * decision time) curves; writes out/wang_psychometric.svg|png, out/wang_chronometric.svg|png and
 * out/wang_trial.svg|png (the pools' rates in one trial at the highest coherence).
 *
 * Run: npm run build && node dist/examples/wang_decision.js [--trials 10] [--scale 0.25] [--duration 2200] [--seed 1]
 */
import { lineSvg } from '../src/index.js';
import { writeText, writePng } from '../src/node/index.js';
import { numberOptions } from './args.js';
import { wangTrial, WANG_DEFAULTS, type WangTrial } from './wang_model.js';

// 2 s of stimulus after 200 ms of spontaneous activity: long enough for most low-coherence trials to decide
const { trials, scale, seed, duration } = numberOptions('Wang (2002) decision making', { trials: 10, scale: WANG_DEFAULTS.scale, seed: 1, duration: 2200 }, { trials: 'count', seed: 'integer' });
const coherences = [0, 3.2, 6.4, 12.8, 25.6, 51.2];
const accuracy: number[] = [];
const meanRt: number[] = [];
let example: WangTrial | undefined;
let simSeconds = 0;
let neurons = 0;
for (const c of coherences) {
  let wonA = 0, decided = 0, rtSum = 0;
  for (let k = 0; k < trials; k++) {
    // seeds differ across trials and coherences, so no two trials share their noise
    const r = wangTrial({ scale, coherence: c, durationMs: duration, seed: seed * 100003 + coherences.indexOf(c) * 1000 + k });
    simSeconds += r.seconds;
    neurons = r.neurons;
    if (r.winner !== null) {
      decided++;
      rtSum += r.decisionMs!;
      if (r.winner === 'A') wonA++;
    }
    if (c === coherences[coherences.length - 1] && k === 0) example = r;
  }
  // undecided trials count as half a correct choice (a guess)
  accuracy.push((wonA + 0.5 * (trials - decided)) / trials);
  meanRt.push(decided ? rtSum / decided : NaN);
  console.log(`coherence ${c.toString().padStart(4)} %: A won ${wonA}/${trials}, undecided ${trials - decided}, accuracy ${(100 * accuracy[accuracy.length - 1]).toFixed(0)} %, mean decision time ${decided ? (rtSum / decided).toFixed(0) : '—'} ms`);
}
console.log(`${coherences.length * trials} trials of ${duration} ms, ${neurons} neurons (scale ${scale}); simulation ${simSeconds.toFixed(1)} s in all`);

const x = coherences.map((c) => Math.max(c, 1.6)); // c = 0 drawn at 1.6 % on the log-like axis below
const logX = x.map((c) => Math.log2(c));
const axisNote = 'log2 coherence (%); 0 % drawn at log2 1.6';
const psycho = lineSvg([{ x: logX, y: accuracy.map((a) => 100 * a), label: `BrainTS, ${trials} trials per point`, points: true }], {
  title: `Wang (2002): psychometric curve, ${neurons} neurons`,
  xLabel: axisNote,
  yLabel: 'accuracy (% A wins)',
  yDomain: [40, 100],
});
const chrono = lineSvg([{ x: logX, y: meanRt, label: 'mean decision time', points: true }], {
  title: `Wang (2002): chronometric curve (threshold ${WANG_DEFAULTS.thresholdHz} Hz)`,
  xLabel: axisNote,
  yLabel: 'decision time (ms)',
});
const trace = lineSvg(
  [
    { x: example!.trace.t, y: example!.trace.a, label: 'pool A (favoured)' },
    { x: example!.trace.t, y: example!.trace.b, label: 'pool B' },
    { x: [WANG_DEFAULTS.stimulusOnMs / 1000, WANG_DEFAULTS.stimulusOnMs / 1000], y: [0, 40], label: 'stimulus on', color: '#888', dash: '4 3' },
  ],
  { title: `One trial at coherence ${coherences[coherences.length - 1]} % (50 ms windows)`, xLabel: 'time (s)', yLabel: 'rate (Hz)' },
);
for (const [name, svg] of [['psychometric', psycho], ['chronometric', chrono], ['trial', trace]]) {
  await writeText(`out/wang_${name}.svg`, svg);
  await writePng(`out/wang_${name}.png`, svg);
}
console.log('wrote out/wang_psychometric, out/wang_chronometric and out/wang_trial (.svg and .png)');
