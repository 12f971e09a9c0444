/**
 * The playground's simulation, in a Web Worker so that the page stays responsive: it builds the
 * model text with the same loader as `npx braints run` (braints/web → src/modelfile), runs it on
 * the step engine in chunks of simulated time, and posts each chunk's spikes. Between chunks it
 * reads its messages, so "stop" takes effect at a chunk boundary and "resume" continues the same
 * network.
 *
 * Threads: with threads > 1 the engine's other threads are Web Workers running engine_thread.js
 * (bundled next to this file), over one shared memory. They start asynchronously, so the build
 * awaits `net.startThreads()`; then each run blocks this Worker at the engine's barriers
 * (Atomics.wait, allowed in a Worker), exactly as Node's main thread does.
 */
import { loadModelText, SpikeMonitor, useWebWorkerThreads, webThreadsUnavailable, type Network } from '../src/web.js';

useWebWorkerThreads(new URL('./engine_thread.js', import.meta.url));

/** Messages the page sends. */
export type ToWorker = { type: 'start'; text: string; duration: number; chunk: number; threads: number } | { type: 'stop' } | { type: 'resume' };
/** Messages the worker sends. */
export type FromWorker =
  | { type: 'built'; groups: { name: string; size: number; offset: number }[]; dt: number; backend: string; threads: number; note?: string }
  | { type: 'spikes'; t0: number; t1: number; times: Float64Array; indices: Int32Array; total: number }
  | { type: 'done'; total: number; t: number }
  | { type: 'stopped'; t: number }
  | { type: 'error'; message: string };

interface Run {
  net: Network;
  monitors: { mon: SpikeMonitor; offset: number }[];
  end: number;
  chunk: number;
  t: number;
  total: number;
  running: boolean;
}

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(m, transfer);
let run: Run | undefined;

function step(): void {
  const r = run;
  if (!r || !r.running) return;
  try {
    const t0 = r.t;
    const t1 = Math.min(r.end, t0 + r.chunk);
    r.net.run(`${(t1 - t0) * 1000} ms`);
    r.t = t1;
    let n = 0;
    for (const m of r.monitors) n += m.mon.numSpikes;
    const times = new Float64Array(n);
    const indices = new Int32Array(n);
    let k = 0;
    for (const { mon, offset } of r.monitors) {
      const s = mon.spikes();
      times.set(s.times, k);
      for (let j = 0; j < s.indices.length; j++) indices[k + j] = s.indices[j] + offset;
      k += s.indices.length;
      mon.clear();
    }
    r.total += n;
    post({ type: 'spikes', t0, t1, times, indices, total: r.total }, [times.buffer, indices.buffer]);
    if (r.t >= r.end - 1e-12) {
      r.running = false;
      post({ type: 'done', total: r.total, t: r.t });
      return;
    }
  } catch (err) {
    r.running = false;
    post({ type: 'error', message: (err as Error).message });
    return;
  }
  // yield to the message queue (stop / resume) between chunks
  setTimeout(step, 0);
}

async function start(m: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  let threads = m.threads;
  let note: string | undefined;
  const why = threads > 1 ? webThreadsUnavailable() : undefined;
  if (why) {
    threads = 1;
    note = `1 thread: ${why}`;
  }
  const loaded = loadModelText(m.text, { threads });
  const net = loaded.net;
  // one spike monitor per group, rows stacked in declaration order
  const groups: { name: string; size: number; offset: number }[] = [];
  const monitors: Run['monitors'] = [];
  let offset = 0;
  for (const [name, g] of loaded.groups) {
    groups.push({ name, size: g.size, offset });
    monitors.push({ mon: net.add(new SpikeMonitor(g)), offset });
    offset += g.size;
  }
  await net.startThreads(); // builds, then waits until every engine thread is ready
  run = { net, monitors, end: m.duration, chunk: m.chunk, t: 0, total: 0, running: true };
  post({ type: 'built', groups, dt: net.dt, backend: net.loopReason ? `JavaScript loop (${net.loopReason})` : 'step engine', threads, note });
  step();
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'start') {
    start(m).catch((err: unknown) => post({ type: 'error', message: (err as Error).message }));
  } else if (m.type === 'stop') {
    if (run && run.running) {
      run.running = false;
      post({ type: 'stopped', t: run.t });
    }
  } else if (m.type === 'resume') {
    if (run && !run.running && run.t < run.end) {
      run.running = true;
      step();
    }
  }
};
