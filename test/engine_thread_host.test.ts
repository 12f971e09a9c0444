/**
 * The step engine's thread hook (src/engine/threads.ts) in Node, with a host that behaves as a
 * browser's does (its threads may not be waited for synchronously): the build starts no thread,
 * a run before `startThreads` is refused saying what to do, and after `await net.startThreads()`
 * the network gives the spikes of one thread. A thread that reports a failure before it is
 * ready makes `startThreads` reject with its message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelText, SpikeMonitor } from '../src/index.js';
import { engineThreadHost, setEngineThreadHost, type EngineThreadHost } from '../src/engine/threads.js';
import { smallCoba } from './support/playground.js';

function spikes(threads: number): { net: ReturnType<typeof loadModelText>['net']; mon: SpikeMonitor } {
  const loaded = loadModelText(smallCoba(), { threads });
  const mon = loaded.net.add(new SpikeMonitor(loaded.groups.get('P')!));
  return { net: loaded.net, mon };
}

test('a host whose threads start asynchronously: refused before startThreads, identical spikes after it', async (t) => {
  const node = engineThreadHost();
  let spawned = 0;
  const host: EngineThreadHost = { startsWhileBlocked: false, spawn: (d) => (spawned++, node.spawn(d)) };
  setEngineThreadHost(host);
  t.after(() => setEngineThreadHost(undefined));

  const early = spikes(2);
  early.net.build();
  assert.equal(spawned, 0, 'the build starts no thread');
  assert.throws(() => early.net.run('10 ms'), /await net\.startThreads\(\) before running/);
  early.net.close();

  const one = spikes(1);
  one.net.run('200 ms');
  const two = spikes(2);
  await two.net.startThreads();
  assert.equal(spawned, 1, 'one worker thread for threads: 2');
  await two.net.startThreads(); // already running: nothing more
  assert.equal(spawned, 1);
  two.net.run('100 ms');
  two.net.run('100 ms');
  two.net.close();
  assert.ok(one.mon.numSpikes > 100, `the model spikes (${one.mon.numSpikes})`);
  assert.deepEqual(two.mon.spikes().indices, one.mon.spikes().indices);
  assert.deepEqual(two.mon.spikes().times, one.mon.spikes().times);
});

test('a thread that fails before it is ready: startThreads rejects with its message', async (t) => {
  let terminated = 0;
  setEngineThreadHost({ startsWhileBlocked: false, spawn: () => ({ terminate: () => void terminated++, takeMessages: () => ['could not start (no such script)'] }) });
  t.after(() => setEngineThreadHost(undefined));
  const { net } = spikes(2);
  await assert.rejects(net.startThreads(), /worker threads did not start: could not start \(no such script\)/);
  assert.equal(terminated, 1, 'the failed thread is terminated');
});
