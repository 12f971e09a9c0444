/**
 * Conductance-based and two/three-variable neurons: Hodgkin–Huxley (1952) voltage trace and f–I
 * curve (class II: firing starts at a non-zero rate near 6.3 µA/cm²), the Traub–Miles neuron of the
 * COBAHH benchmark, Morris–Lecar with its class II (Hopf) and class I (SNIC) parameter sets,
 * FitzHugh–Nagumo and Hindmarsh–Rose bursting.
 *
 * Writes out/hh_trace.svg, out/hh_fi.svg, out/traub_miles_trace.svg, out/morris_lecar_fi.svg,
 * out/morris_lecar_trace.svg, out/fitzhugh_nagumo_trace.svg and out/hindmarsh_rose_trace.svg.
 *
 * Run: npx tsc -p tsconfig.json && node dist/examples/neurons_hh.js
 */
import {
  Network,
  NeuronGroup,
  SpikeMonitor,
  StateMonitor,
  values,
  lineSvg,
  type NeuronModel,
  type Init,
  HH,
  HHTraubMiles,
  MorrisLecar,
  MORRIS_LECAR_PRESETS,
  FitzHughNagumo,
  HindmarshRose,
} from '../src/index.js';
import { writeText } from '../src/node/index.js';

/** Runs `n` neurons of a model; returns the trace of `record` of neuron 0..k and the spike counts. */
function run(model: NeuronModel, n: number, o: { dt: string; T: string; params?: Record<string, Init>; input?: [string, Init]; record?: string; traced?: number[]; count?: [number, number] }) {
  const net = new Network({ dt: o.dt, dtype: 'float64' });
  const G = net.add(new NeuronGroup(n, model, { params: o.params }));
  if (o.input) G.setInput(o.input[0], o.input[1]);
  const sm = net.add(new SpikeMonitor(G));
  const traced = o.traced ?? [0];
  const vm = o.record ? net.add(new StateMonitor(G, [o.record], { indices: traced, every: 5 })) : undefined;
  net.run(o.T);
  const counts = new Array<number>(n).fill(0);
  const { times, indices } = sm.spikes();
  const [t0, t1] = o.count ?? [0, Infinity];
  for (let k = 0; k < times.length; k++) if (times[k] >= t0 && times[k] < t1) counts[indices[k]]++;
  const t = vm ? Array.from(vm.result().t, (x) => x * 1000) : [];
  const traces = vm ? traced.map((_, j) => Array.from(vm.trace(o.record!, j))) : [];
  return { t, traces, counts };
}
const mV = (a: number[]) => a.map((x) => x * 1000);

// Hodgkin–Huxley: trace at 10 µA/cm² (10 pA with the default 100 µm² area)
{
  const r = run(HH, 1, { dt: '0.01 ms', T: '100 ms', input: ['I', '10 pA'], record: 'v' });
  await writeText('out/hh_trace.svg', lineSvg([{ x: r.t, y: mV(r.traces[0]), label: 'I = 10 µA/cm²' }], { title: 'Hodgkin–Huxley (1952): membrane potential', xLabel: 'time (ms)', yLabel: 'v (mV)', idPrefix: 'hh' }));
  // f–I curve: rate over the last 800 ms of 1 s, one neuron per current
  const currents = Array.from({ length: 61 }, (_, k) => k * 0.5);
  const fi = run(HH, currents.length, { dt: '0.01 ms', T: '1000 ms', input: ['I', values(currents, 'pA')], count: [0.2, 1] });
  const rates = fi.counts.map((c) => c / 0.8);
  await writeText('out/hh_fi.svg', lineSvg([{ x: currents, y: rates, label: 'HH, from rest', points: true }], { title: 'Hodgkin–Huxley f–I curve (class II onset)', xLabel: 'I (µA/cm²)', yLabel: 'rate (Hz)', idPrefix: 'hhfi' }));
  const first = rates.findIndex((x) => x > 0);
  console.log(`HH: repetitive firing from ${currents[first]} µA/cm² at ${rates[first].toFixed(1)} Hz; ${rates[rates.length - 1].toFixed(1)} Hz at ${currents[currents.length - 1]} µA/cm²`);
}

// Traub–Miles (COBAHH neuron) at 0.5 nA
{
  const r = run(HHTraubMiles, 1, { dt: '0.01 ms', T: '100 ms', input: ['I', '0.5 nA'], record: 'v' });
  await writeText('out/traub_miles_trace.svg', lineSvg([{ x: r.t, y: mV(r.traces[0]), label: 'I = 0.5 nA' }], { title: 'Traub–Miles HH (COBAHH neuron)', xLabel: 'time (ms)', yLabel: 'v (mV)', idPrefix: 'tm' }));
}

// Morris–Lecar: class II (Hopf) versus class I (SNIC) f–I curves, and traces at 100 pA
{
  // each set over its oscillating range (beyond it the cell sits in a depolarization block)
  const series = [];
  for (const [name, p] of Object.entries(MORRIS_LECAR_PRESETS)) {
    const top = name === 'hopf' ? 210 : 115;
    const currents = Array.from({ length: Math.round((top - 20) / 5) + 1 }, (_, k) => 20 + k * 5);
    const fi = run(MorrisLecar, currents.length, { dt: '0.02 ms', T: '2000 ms', params: p, input: ['I', values(currents, 'pA')], count: [0.5, 2] });
    series.push({ x: currents, y: fi.counts.map((c) => c / 1.5), label: name === 'hopf' ? 'Hopf set (class II)' : 'SNIC set (class I)', points: true });
  }
  await writeText('out/morris_lecar_fi.svg', lineSvg(series, { title: 'Morris–Lecar f–I curves', xLabel: 'I (µA/cm²)', yLabel: 'rate (Hz)', idPrefix: 'mlfi' }));
  const tr = Object.entries(MORRIS_LECAR_PRESETS).map(([name, p]) => ({ name, r: run(MorrisLecar, 1, { dt: '0.02 ms', T: '500 ms', params: p, input: ['I', '100 pA'], record: 'v' }) }));
  await writeText('out/morris_lecar_trace.svg', lineSvg(tr.map(({ name, r }) => ({ x: r.t, y: mV(r.traces[0]), label: `${name}, I = 100 µA/cm²` })), { title: 'Morris–Lecar', xLabel: 'time (ms)', yLabel: 'v (mV)', idPrefix: 'ml' }));
}

// FitzHugh–Nagumo at I = 0.5 and Hindmarsh–Rose bursting at I = 2.5
{
  const f = run(FitzHughNagumo, 1, { dt: '0.01 ms', T: '200 ms', input: ['I', 0.5], record: 'v' });
  await writeText('out/fitzhugh_nagumo_trace.svg', lineSvg([{ x: f.t, y: f.traces[0], label: 'I = 0.5' }], { title: 'FitzHugh–Nagumo', xLabel: 'time (ms)', yLabel: 'v', idPrefix: 'fhn' }));
  const h = run(HindmarshRose, 1, { dt: '0.01 ms', T: '1000 ms', input: ['I', 2.5], record: 'x' });
  await writeText('out/hindmarsh_rose_trace.svg', lineSvg([{ x: h.t, y: h.traces[0], label: 'I = 2.5, r = 0.006' }], { title: 'Hindmarsh–Rose bursting', xLabel: 'time (ms)', yLabel: 'x', idPrefix: 'hr' }));
  console.log(`FitzHugh–Nagumo: ${f.counts[0]} spikes in 200 ms; Hindmarsh–Rose: ${h.counts[0]} spikes in 1 s`);
}
console.log('plots written to out/hh_*.svg, out/traub_miles_trace.svg, out/morris_lecar_*.svg, out/fitzhugh_nagumo_trace.svg, out/hindmarsh_rose_trace.svg');
