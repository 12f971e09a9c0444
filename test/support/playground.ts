/**
 * What the playground tests (test/web.test.ts, test/web_threads.test.ts) share: the model they run
 * in the browser, and the same model's spikes in Node to compare with.
 */
import { readFileSync } from 'node:fs';
import { loadModelText, SpikeMonitor } from '../../src/index.js';

const root = new URL('../../../', import.meta.url);

/** The COBA model file at a tenth of its size (400 neurons), without its state monitor (which the step engine does not record yet). */
export function smallCoba(): string {
  const text = readFileSync(new URL('examples/models/coba.yaml', root), 'utf8');
  return text.replace('size: 4000', 'size: 400').replace('P[0:3200]', 'P[0:320]').replace('P[3200:4000]', 'P[320:400]').replace('weight: 6 nS', 'weight: 60 nS').replace('weight: 67 nS', 'weight: 670 nS').split('\n').filter((l) => !/type: state/.test(l)).join('\n');
}

/** A 32-bit hash of one spike (step n, row i): the playground's own (web/playground.ts spikeHash). */
export function spikeHash(n: number, i: number): number {
  let h = Math.imul(n, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Spikes of the model in Node with a monitor on every group, rows stacked in declaration order as
 * the playground stacks them: their count and the playground's digest (the sum of spikeHash).
 */
export function nodeSpikes(text: string, ms: number): { count: number; digest: number } {
  const loaded = loadModelText(text);
  const mons: { mon: SpikeMonitor; offset: number }[] = [];
  let offset = 0;
  for (const g of loaded.groups.values()) {
    mons.push({ mon: loaded.net.add(new SpikeMonitor(g)), offset });
    offset += g.size;
  }
  loaded.net.run(`${ms} ms`);
  const dt = loaded.net.dt;
  let count = 0;
  let digest = 0;
  for (const { mon, offset } of mons) {
    const { times, indices } = mon.spikes();
    count += indices.length;
    for (let k = 0; k < indices.length; k++) digest = (digest + spikeHash(Math.round(times[k] / dt), indices[k] + offset)) >>> 0;
  }
  return { count, digest };
}
