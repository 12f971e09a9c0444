/**
 * Faults: every run terminates, every option is checked where it enters, a network that will not
 * fit in memory is refused before anything is allocated, and a worker thread that throws, traps,
 * exits or hangs is detected; the run stops with the cause and keeps what was recorded.
 * (Faults are injected with the test-only option `injectFault`, not provoked with timing.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, NeuronGroup, LIF, FixedProb, All2All, SpikeMonitor, StateMonitor, BuildError, RunFault, MAX_STEP, parseBytes, runSteps } from '../src/index.js';
import { cobaNetwork } from '../examples/models.js';

function refused(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BuildError, `expected a BuildError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

function small(options: ConstructorParameters<typeof Network>[0] = {}): Network {
  const net = new Network(options);
  net.add(new NeuronGroup(4, LIF));
  return net;
}

test('durations are finite, non-negative, carry a unit and keep the step index bounded', () => {
  const net = small();
  refused(() => net.run('1e400 s'), /duration/, /out of range/, /Fix: give a time/);
  refused(() => net.run('second*1e300*1e300'), /duration/, /must be finite/);
  refused(() => net.run('-1 ms'), /duration/, /≥ 0/);
  refused(() => net.run('NaN ms' as never), /duration/);
  refused(() => net.run(5 as never), /duration/, /needs a unit/);
  refused(() => net.run('5 mV'), /duration/, /dimension/);
  refused(() => net.run('1e9 s'), /duration/, new RegExp(`at most ${MAX_STEP} steps`), /run at most/);
  net.run('1 ms');
  assert.equal(net.stepIndex, 10);
  // the bound counts the steps already done
  refused(() => runSteps('10 s', 1, MAX_STEP - 5, 'net'), /at most 5 more steps/);
  assert.equal(runSteps('5 s', 1, MAX_STEP - 5, 'net'), 5);
});

test('the time step is checked: finite, positive, with a unit, at most a minute', () => {
  for (const dt of ['1e400 ms', 'NaN ms', '0 ms', '-0.1 ms', '2 min', '5 mV', 'banana']) {
    refused(() => small({ dt: dt as never }).build(), /network 'network': dt/, /Fix: give a time step/);
  }
  refused(() => small({ dt: 0.0001 as never }).build(), /dt/, /needs a unit/);
  refused(() => small({ dt: NaN as never }).build(), /dt/);
  assert.equal(small({ dt: '0.05 ms' }).build().dt, 5e-5);
});

test('seed, dtype, backend, threads, batch and unknown options are refused with the nearest valid name', () => {
  for (const seed of [NaN, -1, 1.5, 2 ** 32, Infinity, '1' as never]) refused(() => small({ seed }).build(), /seed/, /integer in \[0, 2\^32\)/);
  refused(() => small({ dtype: 'flaot64' as never }).build(), /unknown dtype 'flaot64'/, /did you mean 'float64'/);
  refused(() => small({ backend: 'wsam' as never }).build(), /unknown backend 'wsam'/, /did you mean 'wasm'/);
  refused(() => small({ backend: 42 as never }).build(), /backend/, /choose one of: auto, wasm, js/);
  refused(() => small({ threads: 1.5 }).build(), /threads/);
  refused(() => small({ batch: 0 }).build(), /batch/);
  refused(() => small({ sead: 3 } as never).build(), /options\.sead/, /unknown option/, /did you mean 'seed'/);
  refused(() => small(JSON.parse('{"__proto__": {"x": 1}}')).build(), /__proto__/);
  refused(() => small({ checkDivergence: 'no' as never }).build(), /checkDivergence/);
  refused(() => small({ stallTimeout: 0 }).build(), /stallTimeout/);
  refused(() => small({ injectFault: { thread: 1, step: 3, kind: 'throw' } }).build(), /injectFault\.thread/);
});

test('an unknown integration method is refused with the nearest valid name', () => {
  refused(() => new NeuronGroup(3, LIF, { method: 'rk_4' as never }), /method/, /unknown integrator 'rk_4'/, /did you mean 'rk4'/);
  refused(() => new NeuronGroup(3, LIF, { method: 'exp_eulr' as never }), /did you mean 'exp_euler'/);
  refused(() => new NeuronGroup(3, LIF, { method: 7 as never }), /method/, /choose one of/);
});

test('memory: networks that do not fit are refused before allocation, with the estimate and what fits', () => {
  // N = 1e12 against the machine's free memory: no RangeError, no allocation
  const huge = new Network();
  huge.add(new NeuronGroup(1e12, LIF));
  refused(() => huge.build(), /more than one group can index/, /split the population/);
  const big = new Network();
  big.add(new NeuronGroup(2e9, LIF));
  refused(() => big.build(), /needs about/, /free memory/, /would fit/);
  // N = 1.1e9 against a limit the user sets
  const limited = new Network({ memoryLimit: '2 GB' });
  limited.add(new NeuronGroup(1.1e9, LIF));
  refused(() => limited.build(), /needs about \d+ GB/, /memoryLimit of 2\.0 GB/, /about [\d.e+]+ neurons .* would fit/);
  // huge connectivity: the synapses dominate, and the scale that fits is the square root
  const dense = new Network({ memoryLimit: '1 GB' });
  const A = dense.add(new NeuronGroup(100_000, LIF));
  dense.connect(A, A, { comm: new FixedProb(0.5), weight: '1 mV', target: 'v' });
  refused(() => dense.build(), /synapses 20 GB/, /memoryLimit of 1\.0 GB/, /would fit/);
  const all = new Network({ memoryLimit: '100 MB' });
  const B = all.add(new NeuronGroup(20_000, LIF));
  all.connect(B, B, { comm: new All2All(), weight: '1 mV', target: 'v' });
  // with WebAssembly the step engine copies the synapses into its memory: they count twice
  refused(() => all.build(), /synapses 3\.2 GB/);
  const allJs = new Network({ memoryLimit: '100 MB', backend: 'js' });
  const C = allJs.add(new NeuronGroup(20_000, LIF));
  allJs.connect(C, C, { comm: new All2All(), weight: '1 mV', target: 'v' });
  refused(() => allJs.build(), /synapses 1\.6 GB/);
  // what fits builds
  const ok = new Network({ memoryLimit: '50 MB' });
  ok.add(new NeuronGroup(10_000, LIF));
  ok.build();
  refused(() => new Network({ memoryLimit: '-1 GB' }).build(), /memoryLimit/);
  refused(() => new Network({ memoryLimit: '2 GiBB' }).build(), /memoryLimit/);
  assert.equal(parseBytes('512 MiB', 'x', 'y'), 512 * 2 ** 20);
});

test('memory: a run whose state monitors would not fit is refused before reserving', () => {
  const net = new Network({ memoryLimit: '20 MB' });
  const P = net.add(new NeuronGroup(100, LIF));
  const vm = net.add(new StateMonitor(P, ['v'], { indices: Array.from({ length: 100 }, (_, i) => i) }));
  net.run('10 ms');
  refused(() => net.run('100 s'), /monitors would reserve about 808 MB for 1000000 steps/, /run at most about \d+ steps/);
  assert.equal(vm.result().t.length, 100, 'the refused run recorded nothing');
});

for (const kind of ['throw', 'trap', 'exit', 'hang'] as const) {
  test(`a worker thread that ${kind === 'hang' ? 'hangs' : kind === 'exit' ? 'exits' : kind === 'trap' ? 'traps' : 'throws'} mid-run is detected; spikes before it are kept`, { timeout: 60_000 }, () => {
    const whole = cobaNetwork({ scale: 0.25, seed: 11, threads: 2 });
    whole.net.run('60 ms');
    const steps = Array.from(whole.spikes.spikeSteps());
    whole.net.close();

    // only a hang needs the stall timeout; 2 s leaves room for a thread descheduled on a busy machine
    const stallTimeout = kind === 'hang' ? 2 : 60;
    const { net, spikes } = cobaNetwork({ scale: 0.25, seed: 11, threads: 2, stallTimeout, injectFault: { thread: 1, step: 321, kind } });
    const cause = { throw: /failed: Error: injected fault at step 321/, trap: /failed: RuntimeError: unreachable/, exit: /exited \(code 7\)/, hang: /did not reach the barrier for 2 s/ }[kind];
    assert.throws(
      () => net.run('60 ms'),
      (e: unknown) => e instanceof RunFault && e.thread === 1 && e.step === 321 && cause.test(e.message) && (e.partial as { steps: number }).steps === 321,
    );
    assert.equal(net.stepIndex, 321);
    const kept = Array.from(spikes.spikeSteps());
    assert.deepEqual(kept, steps.filter((s) => s < 321), 'the spikes of every step before the fault');
    refused(() => net.run('1 ms'), /cannot run: the run failed at step 321/, /net\.restore/);
    net.close();
  });
}

test('close() releases the worker threads; a later run starts new ones; closing twice is harmless', () => {
  const whole = cobaNetwork({ scale: 0.25, seed: 3, threads: 2 });
  whole.net.run('40 ms');
  const expected = Array.from(whole.spikes.spikeSteps());
  whole.net.close();
  const { net, spikes } = cobaNetwork({ scale: 0.25, seed: 3, threads: 2 });
  net.run('20 ms');
  net.close();
  net.close();
  net.run('20 ms');
  net.close();
  assert.deepEqual(Array.from(spikes.spikeSteps()), expected);
});

test('spike monitors keep working after a refused run (nothing half-done)', () => {
  const net = new Network();
  const P = net.add(new NeuronGroup(10, LIF));
  P.setInput('I', '1 nA');
  const sm = net.add(new SpikeMonitor(P));
  net.run('20 ms');
  const n = sm.numSpikes;
  refused(() => net.run('1e400 s'));
  assert.equal(sm.numSpikes, n);
  assert.equal(net.stepIndex, 200);
  net.run('20 ms');
  assert.ok(sm.numSpikes > n);
});

test('an exception thrown inside the JavaScript step loop leaves the network refusing to run until restored', () => {
  const net = new Network({ seed: 1, backend: 'js' });
  const P = net.add(new NeuronGroup(20, LIF));
  P.setInput('I', '1 nA');
  const sm = net.add(new SpikeMonitor(P));
  // a user-written monitor that fails at step 150 (monitors are called inside the step loop)
  net.add({ name: 'flaky', source: sm.source, reserve: () => undefined, clear: () => undefined, record: (n: number) => {
    if (n === 150) throw new RangeError('flaky monitor');
  } });
  net.run('10 ms');
  net.store('ok');
  assert.throws(() => net.run('10 ms'), RangeError);
  refused(() => net.run('1 ms'), /cannot run: the run failed in a step from step 100 on/, /RangeError: flaky monitor/, /net\.restore/);
  net.restore('ok');
  assert.equal(net.stepIndex, 100);
});
