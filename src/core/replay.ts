/**
 * Spike monitors read a step's spikes from their group's runtime. Where the spikes were recorded
 * elsewhere (the step engine, a batch copy), they are replayed into the monitors through a
 * stand-in runtime, one step at a time.
 */
import type { GroupRuntime, NeuronGroup } from '../model/group.js';

/** What receives one step's spikes: a spike monitor's `record(n)`. */
export interface StepRecorder {
  record(n: number): void;
}

/** Hands over recorded spikes step by step: `each(n, indices, count)`. */
export type SpikeDrain = (each: (n: number, indices: Int32Array, count: number) => void) => void;

/** Replays what `drain` hands over into `monitors` of group `g`, then restores the group's runtime. */
export function replaySpikes(g: NeuronGroup, monitors: readonly StepRecorder[], drain: SpikeDrain): void {
  if (monitors.length === 0) return;
  const rt = g.runtime!;
  const counts = new Int32Array(1);
  const replay: GroupRuntime = { ...rt, ring: 1, counts, spikes: rt.spikes };
  g.runtime = replay;
  try {
    drain((n, indices, count) => {
      counts[0] = count;
      (replay as { spikes: Int32Array }).spikes = indices;
      for (const m of monitors) m.record(n);
    });
  } finally {
    g.runtime = rt;
  }
}
