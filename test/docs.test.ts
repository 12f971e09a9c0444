/**
 * Executable documentation: every ```ts block of README.md and docs/*.md runs (transpiled by
 * TypeScript, with 'braints' pointed at this build), and every ```yaml model file in them
 * validates. A block that should not run is marked just above it with
 * `<!-- doc-test: skip REASON -->`; a block marked `<!-- readme-test: NAME -->` is run by its own
 * test (test/readme.test.ts), which checks what it prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { validateModelText } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A fenced block of a Markdown file, with the marker comment just above it (if any). */
interface Block {
  readonly file: string;
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  readonly marker: string | undefined;
}

/** The fenced code blocks of a Markdown file. */
export function codeBlocks(file: string): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const marker = k >= 0 && /^<!--.*-->$/.test(lines[k].trim()) ? lines[k].trim() : undefined;
    out.push({ file, line: i + 1, lang: open[1], code: lines.slice(i + 1, j).join('\n'), marker });
    i = j;
  }
  return out;
}

const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const blocks = DOCS.flatMap(codeBlocks);
const entry = (sub: string) => JSON.stringify(pathToFileURL(join(root, 'dist', 'src', sub)).href);

/** The block as a runnable module: TypeScript transpiled, the package's names pointed at this build. */
function runnable(code: string): string {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  return js
    .replace(/from\s+'braints'/g, `from ${entry('index.js')}`)
    .replace(/from\s+'braints\/node'/g, `from ${entry('node/index.js')}`)
    .replace(/from\s+'braints\/web'/g, `from ${entry('web.js')}`);
}

test('the docs have TypeScript blocks, and each is run here, run by its own test, or marked with a reason', () => {
  const tsBlocks = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
  assert.ok(tsBlocks.length >= 4, `found ${tsBlocks.length} blocks`);
  for (const b of tsBlocks) {
    if (b.marker === undefined) continue;
    assert.match(b.marker, /^<!-- (readme-test: [\w-]+|doc-test: skip \S.{10,}) -->$/, `${b.file}:${b.line}: a marker is '<!-- readme-test: NAME -->' or '<!-- doc-test: skip REASON -->'`);
  }
});

for (const b of blocks.filter((x) => (x.lang === 'ts' || x.lang === 'typescript') && x.marker === undefined)) {
  test(`${b.file}:${b.line}: the TypeScript block runs`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'braints-doc-'));
    try {
      const file = join(dir, 'block.mjs');
      writeFileSync(file, runnable(b.code));
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', cwd: root }); // paths in the docs are relative to the repository
      assert.equal(r.status, 0, `${b.file}:${b.line} failed:\n${r.stderr}`);
      // a block that calls something it never imported fails above; a block that imports nothing is not a program
      assert.match(b.code, /^import /m, `${b.file}:${b.line}: a block starts with its imports, so a reader can paste it`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('every model file shown in the docs (a ```yaml block with braints: 1) is valid', () => {
  const files = blocks.filter((b) => (b.lang === 'yaml' || b.lang === 'yml') && /^braints: 1$/m.test(b.code));
  assert.ok(files.length >= 1, 'the README shows a model file');
  for (const b of files) assert.deepEqual(validateModelText(b.code), [], `${b.file}:${b.line}`);
});
