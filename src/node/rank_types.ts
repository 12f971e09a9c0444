/** What a rank's builder module exports (see `runRanks`). */
import type { Network } from '../core/network.js';
import type { SpikeMonitor } from '../runner/monitors.js';
import type { RankOption } from '../runtime/limits.js';

/**
 * Builds the whole network for one rank (or for one process when `rank` is undefined): the same
 * model and seed on every rank, with `rank` passed to the network's options. `args` is the plain
 * data given to `runRanks` (e.g. a scale).
 */
export type RankBuilder = (rank: RankOption | undefined, args?: unknown) => { readonly net: Network; readonly spikes?: Readonly<Record<string, SpikeMonitor>> };
