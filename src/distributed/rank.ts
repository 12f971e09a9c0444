/**
 * One network split over processes: each rank runs the neurons of its part of the owner-computes
 * partition the engine's threads use, and the ranks exchange spikes once per minimum delay (the
 * scheme NEST runs over MPI). Within a window of D steps (D = the shortest delay) a rank needs no
 * spike from another rank, because a spike of step m is delivered at step m + delay ≥ m + D; at the
 * end of the window every rank sends the spikes its part emitted in it and copies in the others'.
 * The result is the same spikes as one process, for any number of ranks.
 *
 * This file is the platform-free driver; the transport (how bytes move between ranks) is given.
 * `runRanks` in braints/node starts the ranks as child processes on one machine.
 */
import type { Network } from '../core/network.js';
import { BuildError } from '../lang/errors.js';
import type { QuantityLike } from '../equations/quantity.js';
import { runSteps } from '../runtime/limits.js';

/** How a rank's spikes reach the other ranks. */
export interface SpikeTransport {
  /**
   * Sends this rank's spikes of steps [n0, n1) to every other rank and resolves with every rank's
   * (indexed by rank; this rank's own entry is not read).
   */
  exchange(n0: number, n1: number, mine: Int32Array): Promise<readonly Int32Array[]>;
}

/** What one rank measured over a {@link runRank} call. */
export interface RankRunStats {
  readonly rank: number;
  readonly ranks: number;
  readonly steps: number;
  /** Steps per exchange (the shortest delay). */
  readonly window: number;
  readonly exchanges: number;
  /** Bytes this rank sent (to each other rank). */
  readonly bytesSent: number;
  /** Seconds in the simulation, and waiting for or copying the exchange. */
  readonly computeSeconds: number;
  readonly exchangeSeconds: number;
}

/**
 * Runs `net` (built with `rank: { index, count }`) for `duration`, exchanging spikes through
 * `transport` after every window.
 *
 * @example
 * const net = build({ rank: { index, count: 2 } });
 * await runRank(net, '1 s', ipcTransport());
 */
export async function runRank(net: Network, duration: QuantityLike, transport: SpikeTransport): Promise<RankRunStats> {
  net.build();
  const first = net.rankExchange;
  if (!first) throw new BuildError(`network '${net.name}'`, 'rank', 'runRank needs a network built with the rank option', 'give the network rank: { index, count }');
  const dt = net.dt;
  const steps = runSteps(duration, dt, first.step, net.name);
  const end = first.step + steps;
  let computeSeconds = 0;
  let exchangeSeconds = 0;
  let bytesSent = 0;
  let exchanges = 0;
  for (let n0 = first.step; n0 < end; ) {
    const n1 = Math.min(end, n0 + first.window);
    const t0 = performance.now();
    // exactly n1 − n0 steps: the duration is rounded to steps by the network
    net.run(`${(n1 - n0) * dt} s`);
    const t1 = performance.now();
    const ex = net.rankExchange!;
    if (ex.step !== n1) throw new Error(`rank ${ex.index}: the window [${n0}, ${n1}) ended at step ${ex.step}`);
    const mine = ex.exportSpikes(n0, n1);
    const all = await transport.exchange(n0, n1, mine);
    for (let r = 0; r < ex.count; r++) if (r !== ex.index) ex.importSpikes(r, n0, n1, all[r]);
    computeSeconds += (t1 - t0) / 1000;
    exchangeSeconds += (performance.now() - t1) / 1000;
    bytesSent += mine.byteLength;
    exchanges++;
    n0 = n1;
  }
  return { rank: first.index, ranks: first.count, steps, window: first.window, exchanges, bytesSent, computeSeconds, exchangeSeconds };
}
