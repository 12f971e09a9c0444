/**
 * The example scripts' flags (examples/args.ts): the repro_* scripts refuse a misspelled flag or
 * a bad value with the flag, the value and what is valid, before any work starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function example(name: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'examples', `${name}.js`), ...args], { encoding: 'utf8', cwd: root, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('repro_* examples refuse bad flags and values by name', () => {
  const cases: [string, string[], RegExp][] = [
    ['repro_nalsm', ['--neurons', 'abc'], /option '--neurons <n>' argument 'abc' is invalid\. expected a whole number ≥ 1/],
    ['repro_nalsm', ['--models', 'nalsm,foo'], /'--models <names>' argument 'nalsm,foo' is invalid\. expected one or more of nalsm, lsm, stdp separated by commas \('foo' is not one\)/],
    ['repro_nalsm', ['--train', '60000'], /--train 60000: training images come from the first 50 000 of the training file: use at most 50000/],
    ['repro_nalsm', ['--astro-weight', '0'], /'--astro-weight <x>' argument '0' is invalid\. expected a positive number/],
    ['repro_hebbian_projection', ['--protocol', 'perm'], /'--protocol <name>' argument 'perm' is invalid\. expected one of split, permuted \(did you mean 'permuted'\?\)/],
    ['repro_hebbian_projection', ['--lr', '-1'], /'--lr <x>' argument '-1' is invalid\. expected a positive number/],
    ['repro_hebbian_projection', ['--batchsize', '8'], /unknown option '--batchsize'/],
    ['repro_adaptive_reservoir', ['--targets', '0.2,x'], /'--targets <x,y,\.\.\.>' argument '0\.2,x' is invalid\. expected positive numbers separated by commas, such as 1,2,4 \('x' is not one\)/],
    ['repro_adaptive_reservoir', ['--targets', '0.9'], /--targets 0\.9 with --spread 0\.15: targets must stay inside \(0, 1\)/],
    ['repro_adaptive_reservoir', ['--spread', '-0.1'], /'--spread <x>' argument '-0\.1' is invalid\. expected a number ≥ 0/],
    ['repro_what_when', ['--seeds', '0'], /'--seeds <n>' argument '0' is invalid\. expected a whole number ≥ 1/],
    ['repro_what_when', ['--sise', '3'], /unknown option '--sise'\n\(Did you mean --size\?\)/],
  ];
  for (const [name, args, message] of cases) {
    const r = example(name, args);
    assert.equal(r.status, 1, `${name} ${args.join(' ')}: exit status 1\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, `${name} ${args.join(' ')}`);
    assert.equal(r.stdout, '', `${name} ${args.join(' ')}: nothing ran`);
  }
});

test('repro_* examples list their flags with defaults in --help', () => {
  const r = example('repro_nalsm', ['--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--models <names>\s+liquids to run \(nalsm, lsm, stdp\)\s+\(default:\s+nalsm,lsm,stdp\)/);
  assert.match(r.stdout, /--frozen\s+no learning while an image is presented/);
  const h = example('repro_hebbian_projection', ['--help']);
  assert.match(h.stdout, /--protocol <name>/);
});
