/**
 * The examples gallery (docs/gallery.md): every picture it shows is a committed PNG small enough
 * for a repository, and every picture tools/gallery.mjs draws is shown there (the script and the
 * page name the same set).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const docs = join(root, 'docs');

/** The local images a Markdown file shows: `![alt](path)`, paths relative to the file. */
function images(file: string): string[] {
  return [...readFileSync(join(docs, file), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((p) => !/^https?:/.test(p));
}

test('every image shown in docs/*.md is a PNG or SVG file under 200 KB, all of them under 2 MB', () => {
  const shown = readdirSync(docs).filter((f) => f.endsWith('.md')).flatMap((f) => images(f).map((p) => [f, p] as const));
  assert.ok(shown.length >= 10, `found ${shown.length} images`);
  let total = 0;
  for (const [file, path] of shown) {
    const full = join(docs, path);
    assert.ok(existsSync(full), `${file} shows ${path}, which does not exist`);
    const bytes = readFileSync(full);
    if (path.endsWith('.png')) assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${path} is not a PNG`);
    else assert.ok(path.endsWith('.svg'), `${path}: a picture is PNG or SVG`);
    assert.ok(statSync(full).size < 200 * 1024, `${path} is ${statSync(full).size} bytes`);
    total += statSync(full).size;
  }
  assert.ok(total < 2 * 1024 * 1024, `the images take ${total} bytes`);
});

test('the gallery shows exactly the pictures tools/gallery.mjs draws', () => {
  const script = readFileSync(join(root, 'tools', 'gallery.mjs'), 'utf8');
  const table = /const PICTURES = \{([\s\S]*?)\n\};/.exec(script);
  assert.ok(table, 'tools/gallery.mjs has a PICTURES table');
  const drawn = [...table[1].matchAll(/^ {2}(\w+):/gm)].map((m) => `img/${m[1]}.png`).sort();
  assert.ok(drawn.length >= 10, `the script draws ${drawn.length} pictures`);
  assert.deepEqual([...new Set(images('gallery.md'))].sort(), drawn);
  const committed = readdirSync(join(docs, 'img')).filter((f) => f.endsWith('.png')).map((f) => `img/${f}`).sort();
  assert.deepEqual(committed, drawn, 'docs/img holds the drawn pictures and nothing else');
});
