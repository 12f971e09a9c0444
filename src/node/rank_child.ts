/**
 * One rank of a network split over processes (started by `runRanks`; not an API): imports the
 * module the coordinator names, builds the network for its rank, runs it with the spike exchange
 * over this process's IPC channel, and sends back its statistics and recorded spikes.
 */
import { runRank, type SpikeTransport } from '../distributed/rank.js';
import type { RankBuilder } from './rank_types.js';
import type { RankReply, RankRequest } from './ranks.js';

const send = (m: RankReply) => {
  if (!process.connected) process.exit(0);
  process.send!(m);
};
// the coordinator is gone: stop rather than compute for nobody
process.on('disconnect', () => process.exit(0));

/** Windows whose spikes arrived before this rank asked for them, and the one it waits for. */
const arrived = new Map<number, Int32Array[]>();
let waiting: { n0: number; resolve: (all: Int32Array[]) => void } | undefined;

const transport: SpikeTransport = {
  exchange(n0, _n1, mine) {
    send({ type: 'spikes', n0, data: mine });
    const ready = arrived.get(n0);
    if (ready) {
      arrived.delete(n0);
      return Promise.resolve(ready);
    }
    return new Promise((resolve) => (waiting = { n0, resolve }));
  },
};

process.on('message', async (msg: RankRequest) => {
  if (msg.type === 'all') {
    if (waiting && waiting.n0 === msg.n0) {
      const w = waiting;
      waiting = undefined;
      w.resolve(msg.data);
    } else arrived.set(msg.n0, msg.data);
    return;
  }
  try {
    const mod = (await import(msg.module)) as Record<string, unknown>;
    const build = mod[msg.exportName];
    if (typeof build !== 'function') throw new Error(`the module has no function '${msg.exportName}'`);
    const { net, spikes } = (build as RankBuilder)({ index: msg.rank, count: msg.ranks }, msg.args);
    const stats = await runRank(net, msg.duration, transport);
    const out: Record<string, { steps: Int32Array; indices: Int32Array }> = {};
    for (const [key, m] of Object.entries(spikes ?? {})) {
      const parts = m.spikes();
      out[key] = { steps: m.spikeSteps(), indices: parts.indices };
    }
    send({ type: 'done', stats, spikes: out });
  } catch (err) {
    send({ type: 'error', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
});
