/**
 * The step engine above 2 GiB: a network at full scale (the microcircuit's 3·10⁸ synapses) fills
 * more than 2 GiB of the engine's memory, where byte addresses no longer fit a signed 32-bit
 * integer. The test-only option `memoryOffset` lays a small network out above 2 GiB (the memory
 * below is reserved, never touched), so the control words, spike records and thread handshakes
 * are all addressed there: its spikes must be those of the same network laid out from 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cobaNetwork } from '../examples/models.js';

const ABOVE_2_GIB = 2 ** 31 + 2 ** 20;

function spikesOf(threads: number, memoryOffset?: number) {
  const { net, spikes } = cobaNetwork({ scale: 0.25, seed: 5, threads, ...(memoryOffset === undefined ? {} : { memoryOffset }) });
  net.build();
  assert.equal(net.loopReason, undefined, 'runs on the step engine');
  net.run('60 ms');
  net.close();
  return spikes.spikes();
}

for (const threads of [1, 2]) {
  test(`a network laid out above 2 GiB gives the spikes of the same network laid out from 0 (${threads} thread${threads > 1 ? 's' : ''})`, () => {
    const low = spikesOf(threads);
    const high = spikesOf(threads, ABOVE_2_GIB);
    assert.ok(low.indices.length > 100, `the network spikes (${low.indices.length})`);
    assert.deepEqual(high.indices, low.indices);
    assert.deepEqual(high.times, low.times);
  });
}
