/**
 * One network split over processes on this machine: `runRanks` starts one child process per rank
 * (src/node/rank_child.ts), relays each window's spikes between them (every rank sends its part's
 * spikes to the coordinator, which hands every rank all of them once all have arrived), and merges
 * what their spike monitors recorded. The ranks build the network themselves from a module chosen
 * by the caller (code on this machine, as for sweeps), never from data sent to them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { RankRunStats } from '../distributed/rank.js';
export type { RankBuilder } from './rank_types.js';
import { BuildError } from '../lang/errors.js';
import { moduleSpecifiers, type ModuleRef } from './sweep_modules.js';

/** Options of {@link runRanks}. */
export interface RunRanksOptions {
  /** A module whose export `exportName` builds the network for a rank (see {@link RankBuilder}). */
  readonly module: ModuleRef;
  /** The builder's export name (default 'build'). */
  readonly exportName?: string;
  /** Processes (2 … 64). */
  readonly ranks: number;
  /** Plain data passed to the builder as its second argument (numbers, strings, arrays, objects). */
  readonly args?: unknown;
  /** Simulated time, e.g. '1 s'. */
  readonly duration: string;
  /** Give up (and stop every rank) after this many seconds (default 600). */
  readonly timeout?: number;
}

/** Spikes of one monitor, merged over the ranks: sorted by step, then neuron index. */
export interface MergedSpikes {
  readonly steps: Int32Array;
  readonly indices: Int32Array;
}

/** What {@link runRanks} returns. */
export interface RanksResult {
  /** Per spike monitor the builder returned (by its key). */
  readonly spikes: Record<string, MergedSpikes>;
  /** Per rank: windows, bytes sent, compute and exchange seconds. */
  readonly stats: RankRunStats[];
}

/** Messages between the coordinator and a rank. */
export type RankRequest =
  | { readonly type: 'start'; readonly module: string; readonly exportName: string; readonly rank: number; readonly ranks: number; readonly duration: string; readonly args: unknown }
  | { readonly type: 'all'; readonly n0: number; readonly data: Int32Array[] };
export type RankReply =
  | { readonly type: 'spikes'; readonly n0: number; readonly data: Int32Array }
  | { readonly type: 'done'; readonly stats: RankRunStats; readonly spikes: Record<string, { steps: Int32Array; indices: Int32Array }> }
  | { readonly type: 'error'; readonly error: string };

/**
 * Runs one network split over `ranks` child processes and returns the merged spikes: the same
 * spikes as one process runs (test/ranks.test.ts).
 *
 * @example
 * const { spikes, stats } = await runRanks({ module: './dist/my_model.js', ranks: 2, duration: '1 s' });
 */
export async function runRanks(options: RunRanksOptions): Promise<RanksResult> {
  const where = 'runRanks';
  const R = options.ranks;
  if (!Number.isInteger(R) || R < 2 || R > 64) throw new BuildError(where, 'ranks', `must be an integer in [2, 64], got ${String(R)}`, 'give e.g. ranks: 2');
  const exportName = options.exportName ?? 'build';
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new BuildError(where, 'exportName', 'expected an identifier', "give e.g. exportName: 'build'");
  if (typeof options.duration !== 'string') throw new BuildError(where, 'duration', 'expected a time such as "1 s"', "give e.g. duration: '1 s'");
  const [module] = moduleSpecifiers([options.module], where);
  const timeout = (options.timeout ?? 600) * 1000;
  const children: ChildProcess[] = [];
  const pending = new Map<number, Int32Array[]>();
  const arrived = new Map<number, number>();
  const results: (Extract<RankReply, { type: 'done' }> | undefined)[] = new Array(R).fill(undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      const timer = setTimeout(() => reject(new Error(`runRanks: no result after ${timeout / 1000} s`)), timeout);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      for (let r = 0; r < R; r++) {
        const child = fork(new URL('./rank_child.js', import.meta.url), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        child.on('message', (msg: RankReply) => {
          if (msg.type === 'spikes') {
            // the window is complete when every rank has sent it: hand all of it to every rank
            const all = pending.get(msg.n0) ?? new Array<Int32Array>(R);
            all[r] = msg.data;
            pending.set(msg.n0, all);
            const k = (arrived.get(msg.n0) ?? 0) + 1;
            arrived.set(msg.n0, k);
            if (k === R) {
              pending.delete(msg.n0);
              arrived.delete(msg.n0);
              for (const c of children) c.send({ type: 'all', n0: msg.n0, data: all } satisfies RankRequest);
            }
          } else if (msg.type === 'done') {
            results[r] = msg;
            if (++finished === R) {
              clearTimeout(timer);
              resolve();
            }
          } else fail(new Error(`runRanks: rank ${r} failed: ${msg.error}`));
        });
        child.on('exit', (code, signal) => {
          if (!results[r]) fail(new Error(`runRanks: rank ${r} exited (${signal ?? `code ${code}`}) before it finished; the other ranks were stopped`));
        });
        child.send({ type: 'start', module, exportName, rank: r, ranks: R, duration: options.duration, args: options.args } satisfies RankRequest);
      }
    });
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  }
  return { spikes: mergeSpikes(results.map((x) => x!.spikes)), stats: results.map((x) => x!.stats) };
}

/** Concatenates each monitor's spikes over the ranks, sorted by (step, index). */
function mergeSpikes(parts: readonly Record<string, { steps: Int32Array; indices: Int32Array }>[]): Record<string, MergedSpikes> {
  const out: Record<string, MergedSpikes> = Object.create(null);
  for (const key of Object.keys(parts[0])) {
    const total = parts.reduce((s, p) => s + p[key].steps.length, 0);
    const order = new Array<[number, number]>(total);
    let k = 0;
    for (const p of parts) for (let s = 0; s < p[key].steps.length; s++) order[k++] = [p[key].steps[s], p[key].indices[s]];
    order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    out[key] = { steps: Int32Array.from(order, (x) => x[0]), indices: Int32Array.from(order, (x) => x[1]) };
  }
  return out;
}
