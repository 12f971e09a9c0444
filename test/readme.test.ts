/**
 * The README's training block, executed as written (only the package name is pointed at this
 * build): it must learn a task whose test set shares no sample with its training set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { syntheticDataset } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** The ```ts block that follows a `<!-- readme-test: NAME -->` marker. */
function readmeBlock(name: string): string {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const at = text.indexOf(`<!-- readme-test: ${name} -->`);
  assert.ok(at >= 0, `README has a block marked '${name}'`);
  const m = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(m, `the '${name}' marker is followed by a ts block`);
  return m[1];
}

test("the README's training snippet learns: ≥ 90 % on a test set disjoint from the training set", () => {
  const code = readmeBlock('train');
  // The snippet's two data sets: the same task, different samples.
  assert.match(code, /syntheticDataset\(\{ n: 512, d: 40, classes: 4, seed: 1, noiseSeed: 1 \}\)/);
  assert.match(code, /syntheticDataset\(\{ n: 256, d: 40, classes: 4, seed: 1, noiseSeed: 2 \}\)/);
  const tr = syntheticDataset({ n: 512, d: 40, classes: 4, seed: 1, noiseSeed: 1 });
  const te = syntheticDataset({ n: 256, d: 40, classes: 4, seed: 1, noiseSeed: 2 });
  const rows = new Set<string>();
  for (let s = 0; s < tr.n; s++) rows.add(Array.from(tr.x.subarray(s * 40, (s + 1) * 40)).join(','));
  for (let s = 0; s < te.n; s++) assert.ok(!rows.has(Array.from(te.x.subarray(s * 40, (s + 1) * 40)).join(',')), `test sample ${s} is also a training sample`);

  const dir = mkdtempSync(join(tmpdir(), 'braints-readme-'));
  const file = join(dir, 'train.mjs');
  writeFileSync(file, code.replace("from 'braints'", `from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'src', 'index.js')).href)}`));
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = /test accuracy ([\d.]+)/.exec(r.stdout);
  assert.ok(m, `the snippet prints its accuracy (got: ${r.stdout})`);
  console.log(`README training snippet: test accuracy ${m[1]}`);
  assert.ok(Number(m[1]) >= 0.9, `test accuracy ${m[1]} < 0.9`);
});
