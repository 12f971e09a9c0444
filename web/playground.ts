/**
 * The playground page: a model file in a text area, run in a Web Worker on the step engine (on
 * 1..hardwareConcurrency threads when the page is cross-origin isolated), a live raster and
 * population rate on canvases, stop and resume, and a link that carries the model (the text,
 * base64url-encoded in the URL's fragment, so it never reaches a server).
 */
import type { ToWorker, FromWorker } from './worker.js';
import { webThreadsUnavailable } from '../src/web/thread_host.js';
import DEFAULT_MODEL from '../examples/models/coba.yaml';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const text = $<HTMLTextAreaElement>('model');
const durationInput = $<HTMLInputElement>('duration');
const threadsSelect = $<HTMLSelectElement>('threads');
const threadsNote = $<HTMLElement>('threads-note');
const status = $<HTMLElement>('status');
const raster = $<HTMLCanvasElement>('raster');
const rate = $<HTMLCanvasElement>('rate');
const runButton = $<HTMLButtonElement>('run');
const stopButton = $<HTMLButtonElement>('stop');
const shareButton = $<HTMLButtonElement>('share');
const link = $<HTMLInputElement>('link');

/** What tests read (and a user can inspect in the console). */
interface PlaygroundState {
  state: 'idle' | 'building' | 'running' | 'stopped' | 'done' | 'error';
  spikes: number;
  t: number;
  backend: string;
  /** Engine threads of the current run. */
  threads: number;
  /** Why only one thread is offered, when it is. */
  threadsNote?: string;
  /**
   * Sum over the run's spikes of a 32-bit hash of (step, row): equal for runs with the same spikes
   * in any order (tests compare it with Node's).
   */
  digest: number;
  error?: string;
}
const pg: PlaygroundState = { state: 'idle', spikes: 0, t: 0, backend: '', threads: 1, digest: 0 };
(window as unknown as { playground: PlaygroundState }).playground = pg;

function encode(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function decode(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** A 32-bit hash of one spike (step n, row i). */
function spikeHash(n: number, i: number): number {
  let h = Math.imul(n, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

// Threads: the engine's threads share one SharedArrayBuffer, which the browser gives only to a
// cross-origin isolated page (COOP/COEP headers, see web/server.mjs).
const noThreads = webThreadsUnavailable();
const maxThreads = noThreads ? 1 : Math.max(1, Math.min(64, navigator.hardwareConcurrency || 1));
for (let k = 1; k <= maxThreads; k++) threadsSelect.add(new Option(String(k), String(k)));
threadsSelect.disabled = maxThreads === 1;
if (noThreads) {
  pg.threadsNote = `1 thread: ${noThreads}`;
  threadsNote.textContent = pg.threadsNote;
  threadsNote.hidden = false;
}

// The model: from the link, else the default (COBA).
const params = new URLSearchParams(location.hash.slice(1));
text.value = params.has('model') ? decode(params.get('model')!) : DEFAULT_MODEL;
if (params.has('duration')) durationInput.value = params.get('duration')!;
if (params.has('threads')) threadsSelect.value = String(Math.min(maxThreads, Math.max(1, Math.floor(Number(params.get('threads'))) || 1)));

let worker: Worker | undefined;
let neurons = 1;
let duration = 1;
let dt = 1e-4;
let bins: Float64Array = new Float64Array(0);
const BIN = 0.005; // s, population-rate bins

function setState(s: PlaygroundState['state'], message: string) {
  pg.state = s;
  status.textContent = message;
  runButton.disabled = s === 'running' || s === 'building';
  stopButton.disabled = !(s === 'running' || s === 'stopped');
  stopButton.textContent = s === 'stopped' ? 'Resume' : 'Stop';
}

function clear(c: HTMLCanvasElement) {
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, c.width, c.height);
}

function drawSpikes(times: Float64Array, indices: Int32Array) {
  const ctx = raster.getContext('2d')!;
  ctx.fillStyle = '#1f4e9c';
  const sx = raster.width / duration;
  const sy = raster.height / neurons;
  for (let k = 0; k < times.length; k++) ctx.fillRect(times[k] * sx, raster.height - (indices[k] + 1) * sy, 1, Math.max(1, sy));
  for (let k = 0; k < times.length; k++) {
    const b = Math.floor(times[k] / BIN);
    if (b < bins.length) bins[b]++;
    pg.digest = (pg.digest + spikeHash(Math.round(times[k] / dt), indices[k])) >>> 0;
  }
}

function drawRate(upTo: number) {
  clear(rate);
  const ctx = rate.getContext('2d')!;
  const hz = Array.from(bins, (c) => c / BIN / neurons);
  const top = Math.max(1, ...hz);
  ctx.strokeStyle = '#b03a2e';
  ctx.beginPath();
  const last = Math.min(bins.length, Math.ceil(upTo / BIN));
  for (let b = 0; b < last; b++) {
    const x = (b * BIN * rate.width) / duration;
    const y = rate.height - (hz[b] / top) * (rate.height - 12);
    if (b === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.stroke();
  ctx.fillStyle = '#333';
  ctx.fillText(`${top.toFixed(1)} Hz`, 4, 10);
}

const threadLabel = () => (pg.threads > 1 ? ` on ${pg.threads} threads` : '');

function start() {
  worker?.terminate();
  duration = Number(durationInput.value) / 1000;
  if (!(duration > 0 && duration <= 60)) {
    setState('error', 'duration: give a number of milliseconds between 1 and 60000');
    return;
  }
  pg.spikes = 0;
  pg.t = 0;
  pg.digest = 0;
  pg.threads = Number(threadsSelect.value) || 1;
  pg.error = undefined;
  setState('building', 'building the network…');
  clear(raster);
  clear(rate);
  bins = new Float64Array(Math.ceil(duration / BIN));
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (ev: MessageEvent<FromWorker>) => {
    const m = ev.data;
    if (m.type === 'built') {
      neurons = Math.max(1, m.groups.reduce((s, g) => s + g.size, 0));
      dt = m.dt;
      pg.backend = m.backend;
      pg.threads = m.threads;
      if (m.note) {
        pg.threadsNote = m.note;
        threadsNote.textContent = m.note;
        threadsNote.hidden = false;
      }
      setState('running', `running on the ${m.backend}${threadLabel()}: ${neurons} neurons`);
    } else if (m.type === 'spikes') {
      drawSpikes(m.times, m.indices);
      drawRate(m.t1);
      pg.spikes = m.total;
      pg.t = m.t1;
      if (pg.state === 'running') status.textContent = `t = ${(m.t1 * 1000).toFixed(0)} ms, ${m.total} spikes (${(m.total / neurons / Math.max(m.t1, 1e-9)).toFixed(2)} Hz), ${pg.backend}${threadLabel()}`;
    } else if (m.type === 'done') {
      setState('done', `done: ${m.total} spikes in ${(m.t * 1000).toFixed(0)} ms (${(m.total / neurons / m.t).toFixed(2)} Hz per neuron), ${pg.backend}${threadLabel()}`);
    } else if (m.type === 'stopped') {
      setState('stopped', `stopped at t = ${(m.t * 1000).toFixed(0)} ms (${pg.spikes} spikes)`);
    } else {
      pg.error = m.message;
      setState('error', m.message);
    }
  };
  worker.onerror = (e) => {
    pg.error = e.message;
    setState('error', e.message);
  };
  const msg: ToWorker = { type: 'start', text: text.value, duration, chunk: 0.02, threads: Number(threadsSelect.value) || 1 };
  worker.postMessage(msg);
}

runButton.onclick = start;
stopButton.onclick = () => {
  if (!worker) return;
  const msg: ToWorker = pg.state === 'stopped' ? { type: 'resume' } : { type: 'stop' };
  if (msg.type === 'resume') setState('running', 'running');
  worker.postMessage(msg);
};
shareButton.onclick = () => {
  const url = `${location.origin}${location.pathname}#model=${encode(text.value)}&duration=${encodeURIComponent(durationInput.value)}&threads=${threadsSelect.value}`;
  link.value = url;
  link.hidden = false;
  link.select();
  void navigator.clipboard?.writeText(url).catch(() => undefined);
};
setState('idle', 'edit the model file and press Run');
