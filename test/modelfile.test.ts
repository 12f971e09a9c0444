/**
 * Model files: the shipped benchmark networks, the round trip through net.toJSON(), and the
 * refusals (each with its path in the file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelText, validateModelText, buildModelFile, toModelFile, formatModelFile, parseModelText, ModelFileError, type SpikeMonitor } from '../src/index.js';
import { cobaNetwork } from '../examples/models.js';
import { cobahhNetwork } from '../examples/cobahh_model.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelsDir = join(root, 'examples', 'models');
const read = (name: string) => readFileSync(join(modelsDir, name), 'utf8');

function sameSpikes(a: { times: Float64Array; indices: Int32Array }, b: { times: Float64Array; indices: Int32Array }, what: string): void {
  assert.ok(a.indices.length > 0, `${what}: no spikes`);
  assert.equal(a.indices.length, b.indices.length, `${what}: spike counts`);
  assert.deepEqual(a.indices, b.indices, `${what}: spike indices`);
  assert.deepEqual(a.times, b.times, `${what}: spike times`);
}

test('examples/models/coba.yaml gives the same spikes as the COBA network built in code (examples/models.ts), for the same seed', () => {
  for (const seed of [1, 7]) {
    const { net, monitors } = loadModelText(read('coba.yaml'), { seed });
    net.run('100 ms');
    const code = cobaNetwork({ seed });
    code.net.run('100 ms');
    assert.equal(net.numSynapses, code.net.numSynapses);
    sameSpikes((monitors.get('spikes') as SpikeMonitor).spikes(), code.spikes.spikes(), `seed ${seed}`);
    net.close();
    code.net.close();
  }
});

test('examples/models/cobahh.yaml (a model given by its equations) gives the same spikes as the COBAHH network built in code', () => {
  const { net, monitors } = loadModelText(read('cobahh.yaml'));
  net.run('50 ms');
  const code = cobahhNetwork({ seed: 1 });
  code.net.run('50 ms');
  sameSpikes((monitors.get('spikes') as SpikeMonitor).spikes(), code.spikes.spikes(), 'COBAHH');
});

test('every shipped model file validates, and the file names its run settings', () => {
  const files = readdirSync(modelsDir).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length >= 3, `model files: ${files.join(', ')}`);
  for (const f of files) {
    assert.deepEqual(validateModelText(read(f), { format: f.endsWith('.json') ? 'json' : 'yaml' }), [], f);
    const { duration, net } = loadModelText(read(f));
    assert.equal(duration, 1, `${f}: run.duration`);
    assert.equal(net.options.seed, 1, `${f}: run.seed`);
  }
});

test('round trip: a network written by net.toJSON() and built again is the same declaration and gives the same spikes', () => {
  const code = cobaNetwork({ seed: 3, scale: 0.5 });
  const file = code.net.toJSON();
  const text = JSON.stringify(code.net);
  assert.deepEqual(JSON.parse(text), file, 'JSON.stringify(net) writes net.toJSON()');
  const again = buildModelFile(JSON.parse(text));
  assert.deepEqual(again.net.toJSON(), file, 'written, read and written again: the same file');
  code.net.run('100 ms');
  again.net.run('100 ms');
  sameSpikes((again.monitors.values().next().value as SpikeMonitor).spikes(), code.spikes.spikes(), 'COBA round trip');

  // a model declared by equations, through YAML
  const hh = loadModelText(read('cobahh.yaml'));
  const yaml = formatModelFile(toModelFile(hh.net), 'yaml');
  const hh2 = loadModelText(yaml);
  assert.deepEqual(hh2.net.toJSON(), hh.net.toJSON());
  assert.equal(hh2.file.models?.COBAHH.equations, hh.file.models?.COBAHH.equations);
});

function issuesOf(text: string): string[] {
  return validateModelText(text).map((i) => `${i.path}: ${i.message}`);
}

test("bad values are refused with their path: groups.E.params.tau: expected a time, got '20'", () => {
  const text = `
braints: 1
groups:
  E:
    size: 10
    model: LIF
    params: { tau: '20', Vth: 5 ms, tua: 3 ms }
    init: { v: { dist: normal, mean: -55 mV, std: 5 nS } }
    input: { J: 1 pA }
monitors:
  s: { type: spikes, group: F }
  r: { type: rate, group: 'E[0:20]' }
`;
  const issues = issuesOf(text);
  assert.ok(issues.includes("groups.E.params.tau: expected a time, got '20' (e.g. '20 ms')"), issues.join('\n'));
  assert.ok(issues.includes("groups.E.params.Vth: expected a voltage, got '5 ms' (e.g. '-65 mV')"), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith("groups.E.params.tua: unknown parameter of LIF 'tua': did you mean 'tau'?")), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith("groups.E.init.v.std: expected a voltage, got '5 nS'")), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith("groups.E.input.J: unknown input of LIF 'J'")), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith("monitors.s.group: unknown group 'F'")), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith('monitors.r.group: slice [0:20] is not inside group')), issues.join('\n'));
  assert.throws(() => loadModelText(text), (e: unknown) => e instanceof ModelFileError && e.issues.length === issues.length && e.message.includes('groups.E.params.tau'));
});

test('unknown keys and kinds are refused with the nearest valid name', () => {
  const base = read('coba.yaml');
  const issues = [
    ...issuesOf(base.replace('groups:', 'grups:')),
    ...issuesOf(base.replace('type: Expon, tau: 5 ms', 'type: Expo, tau: 5 ms')),
    ...issuesOf(base.replace('comm: { type: FixedProb, prob: 0.02 }', 'comm: { type: FixedProb, porb: 0.02 }')),
    ...issuesOf(base.replace('model: LIF', 'model: LIFF')),
    ...issuesOf(base.replace('braints: 1', 'braints: 2')),
  ];
  const want = [
    "unknown key 'grups': did you mean 'groups'?",
    "connections.E→P.syn.type: unknown synapse type 'Expo': did you mean 'Expon'?",
    "connections.E→P.comm: unknown key 'porb': did you mean 'prob'?",
    "groups.P.model: unknown model 'LIFF': did you mean 'LIF'?",
    'braints: expected braints: 1 (the format version)',
  ];
  for (const w of want) assert.ok(issues.some((i) => i.includes(w)), `expected '${w}' among:\n${issues.join('\n')}`);
});

test('a build error is placed at the part of the file it concerns', () => {
  const issues = issuesOf(read('coba.yaml').replace('weight: 6 nS', 'weight: 6 mV'));
  assert.equal(issues.length, 1);
  assert.match(issues[0], /^connections\.E→P: weight: .*Fix: give the weight in siemens/);
});

test('a model file is data: nothing in it runs, and its names never reach generated code', () => {
  // YAML tags that other loaders turn into code or objects are not read
  assert.throws(() => parseModelText('braints: 1\ngroups: !!js/function "function () { return 1 }"'), ModelFileError);
  // keys that would reach Object.prototype
  for (const k of ['__proto__', 'constructor', 'prototype']) {
    const issues = validateModelText(`{"braints": 1, "groups": {"${k}": {"size": 1, "model": "LIF"}}}`, { format: 'json' });
    assert.deepEqual(issues.map((i) => i.path), [`groups.${k}`]);
  }
  // equations are parsed, never evaluated: a call to anything but a known function is refused
  const calls = issuesOf(`braints: 1\nmodels:\n  M:\n    equations: "dv/dt = -v/tau + process.exit(3) : volt"\n    params: { tau: 10 ms }\ngroups: { P: { size: 2, model: M } }`);
  assert.equal(calls.length, 1);
  assert.match(calls[0], /^models\.M: equations: /);
  // hostile names are labels only: the kernel source holds compiler-minted names
  const evil = "E'); globalThis.pwned = 1; ('";
  const { net } = loadModelText(
    JSON.stringify({ braints: 1, groups: { [evil]: { size: 20, model: 'LIF', input: { I: '300 pA' } } }, connections: { [evil + '→']: { pre: evil, post: evil, comm: { type: 'FixedProb', prob: 0.2 }, weight: '0.5 mV', target: 'v' } }, monitors: { [evil + 'm']: { type: 'spikes', group: evil } } }),
    { backend: 'js' },
    { format: 'json' },
  );
  net.run('20 ms');
  assert.ok(!net.source.includes('pwned'), 'a user name reached the generated kernel');
  assert.equal((globalThis as { pwned?: unknown }).pwned, undefined);
});
