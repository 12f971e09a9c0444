/**
 * What `braints run --out DIR` writes: every monitor's recording as NumPy arrays and CSV, plots
 * of the spikes, and run.json (what ran, how far it got, which files hold what).
 */
import { join } from 'node:path';
import { writeNpy, writeCsv, writeText } from '../node/files.js';
import { writePng } from '../node/png.js';
import { SpikeMonitor, StateMonitor, RateMonitor } from '../runner/monitors.js';
import { rasterSvg } from '../plot/index.js';
import { lineSvg } from '../plot/index.js';

export type PlotFormat = 'svg' | 'png';

/** A recording the command line writes, by the name it gets in file names. */
export type NamedMonitor = readonly [string, SpikeMonitor | StateMonitor | RateMonitor];

/** Letters, digits, '.', '_' and '-' only: monitor names come from the model file. */
export function fileStem(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_').slice(0, 100);
  return s || 'monitor';
}

/** Writes the recordings and plots; returns the files written (relative to `dir`). */
export async function writeResults(dir: string, monitors: readonly NamedMonitor[], o: { plots: readonly PlotFormat[]; tStop: number; summary: Record<string, unknown> }): Promise<string[]> {
  const files: string[] = [];
  const npy = async (f: string, a: Parameters<typeof writeNpy>[1], shape?: number[]) => (await writeNpy(join(dir, f), a, shape), files.push(f));
  const csv = async (f: string, cols: Record<string, ArrayLike<number>>) => (await writeCsv(join(dir, f), cols), files.push(f));
  const plot = async (stem: string, svg: string) => {
    for (const p of o.plots) {
      const f = `${stem}.${p}`;
      if (p === 'svg') await writeText(join(dir, f), svg);
      else await writePng(join(dir, f), svg);
      files.push(f);
    }
  };
  const used = new Set<string>();
  for (const [name, m] of monitors) {
    let stem = fileStem(name);
    for (let k = 1; used.has(stem); k++) stem = `${fileStem(name)}_${k}`;
    used.add(stem);
    if (m instanceof SpikeMonitor) {
      const { times, indices } = m.spikes();
      await npy(`${stem}.times.npy`, times);
      await npy(`${stem}.indices.npy`, indices);
      await csv(`${stem}.csv`, { t_s: times, neuron: indices });
      const n = m.source.size;
      await plot(`${stem}.raster`, rasterSvg({ times, indices }, { nNeurons: n, tStop: o.tStop, title: `${name}: ${indices.length} spikes, ${n} neurons`, rateTrace: true }));
    } else if (m instanceof RateMonitor) {
      const { t, rate } = m.result();
      await npy(`${stem}.rate.npy`, rate);
      await npy(`${stem}.t.npy`, t);
      await csv(`${stem}.csv`, { t_s: t, rate_hz: rate });
    } else {
      const { t, values, indices } = m.result();
      await npy(`${stem}.t.npy`, t);
      const cols: Record<string, ArrayLike<number>> = { t_s: t };
      for (const [v, data] of Object.entries(values)) {
        await npy(`${stem}.${fileStem(v)}.npy`, data, [t.length, indices.length]);
        indices.forEach((i, j) => (cols[`${v}[${i}]`] = Float64Array.from({ length: t.length }, (_, k) => data[k * indices.length + j])));
        const series = Array.from(indices, (i, j) => ({ x: Float64Array.from(t, (x) => x * 1000), y: Float64Array.from({ length: t.length }, (_, k) => data[k * indices.length + j]), label: `${v}[${i}]` }));
        await plot(`${stem}.${fileStem(v)}`, lineSvg(series, { title: `${name}: ${v}`, xLabel: 'time (ms)', yLabel: `${v} (SI)` }));
      }
      await csv(`${stem}.csv`, cols);
    }
  }
  files.push('run.json');
  await writeText(join(dir, 'run.json'), JSON.stringify({ ...o.summary, files }, null, 2) + '\n');
  return files;
}
