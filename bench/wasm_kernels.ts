/**
 * Neuron-update kernels, JavaScript (as the network generates them) against WebAssembly SIMD
 * (src/wasm): CPU time (process.cpuUsage, user + system) of 4000 neurons × 10 000 steps, median
 * of 5 runs each, for (a) the COBA LIF with forward Euler and (b) the COBAHH Hodgkin–Huxley
 * neuron with exponential Euler. Run: `node dist/bench/wasm_kernels.js [neurons] [steps] [runs]`.
 *
 * The JS kernel computes in float64 on Float32Array state (the network's default dtype); the
 * wasm kernels compute in float32 lanes (f32x4) or float64 (f64x2, on Float64Array state).
 */
import { lifModel, cobahhModel, type KernelModel } from '../src/wasm/models.js';
import { buildUpdateKernel, type UpdateKernelSpec } from '../src/wasm/kernel.js';
import { buildJsUpdate } from '../src/wasm/reference.js';
import { type LaneKind } from '../src/wasm/expr.js';

const N = Number(process.argv[2] ?? 4000);
const STEPS = Number(process.argv[3] ?? 10000);
const RUNS = Number(process.argv[4] ?? 5);

type Make = (size: number, lanes: LaneKind, seed: number) => KernelModel;

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds of STEPS steps, median of RUNS runs (a fresh model each run, one warm-up run). */
function measure(make: Make, lanes: LaneKind, engine: 'js' | 'wasm', extra: Partial<UpdateKernelSpec> = {}): { median: number; spikes: number } {
  const times: number[] = [];
  let spikes = 0;
  for (let r = -1; r < RUNS; r++) {
    const m = make(N, lanes, 1);
    const spec = { ...m.spec, ...extra };
    const update = engine === 'js' ? buildJsUpdate(spec, m.arena.memory()) : buildUpdateKernel(spec).instantiate(m.arena.memory());
    const steps = r < 0 ? Math.min(STEPS, 2000) : STEPS;
    const t0 = cpuSeconds();
    let s = 0;
    for (let n = 0; n < steps; n++) s += update(n, m.spikeOffset);
    const t = cpuSeconds() - t0;
    if (r >= 0) {
      times.push(t);
      spikes = s;
    }
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], spikes };
}

const rows: string[] = [];
const report = (label: string, js: { median: number; spikes: number }, w: { median: number; spikes: number }) => {
  const line = `${label.padEnd(36)} JS ${js.median.toFixed(3)} s (${js.spikes} spikes)   wasm ${w.median.toFixed(3)} s (${w.spikes} spikes)   JS/wasm ${(js.median / w.median).toFixed(2)}×   ${((w.median / (N * STEPS)) * 1e9).toFixed(2)} ns/neuron-step`;
  rows.push(line);
  console.log(line);
};

console.log(`neuron updates: ${N} neurons × ${STEPS} steps, CPU time, median of ${RUNS} runs (node ${process.version})`);
const lifJs = measure(lifModel, 'f32x4', 'js');
report('(a) LIF Euler, f32x4', lifJs, measure(lifModel, 'f32x4', 'wasm'));
report('    LIF Euler, f32x4 branchless', lifJs, measure(lifModel, 'f32x4', 'wasm', { compaction: 'branchless' }));
report('    LIF Euler, f64x2 vs JS float64', measure(lifModel, 'f64', 'js'), measure(lifModel, 'f64x2', 'wasm'));
const hhJs = measure(cobahhModel, 'f32x4', 'js');
report('(b) HH exp-Euler, f32x4', hhJs, measure(cobahhModel, 'f32x4', 'wasm'));
report('    HH exp-Euler, f32x4 branch', hhJs, measure(cobahhModel, 'f32x4', 'wasm', { compaction: 'branch' }));
report('    HH exp-Euler, f64x2 vs JS float64', measure(cobahhModel, 'f64', 'js'), measure(cobahhModel, 'f64x2', 'wasm'));
