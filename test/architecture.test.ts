/**
 * The layout docs/architecture.md promises: no import cycles between the files of src/, nor
 * between its folders (a folder imports another only in one direction). Relative imports and
 * re-exports are read from the TypeScript sources, type-only ones included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** file → the src files it imports (relative specifiers ending in .js, resolved to .ts). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const spec = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const out: string[] = [];
    for (const m of text.matchAll(spec)) {
      const target = join(dirname(file), m[1].replace(/\.js$/, '.ts'));
      if (existsSync(target)) out.push(target);
    }
    graph.set(file, out);
  }
  return graph;
}

/** The strongly connected components with more than one node (Tarjan), as lists of names. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1) found.push(part);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('no import cycle between the files of src/', () => {
  const graph = importGraph();
  assert.ok(graph.size > 100, `${graph.size} source files read`);
  const found = cycles(graph).map((c) => c.map((f) => relative(root, f)));
  assert.deepEqual(found, [], `import cycles: ${JSON.stringify(found)}`);
});

test('no import cycle between the folders of src/', () => {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of importGraph()) {
    const from = dirname(file);
    if (!folders.has(from)) folders.set(from, new Set());
    for (const t of targets) if (dirname(t) !== from) folders.get(from)!.add(dirname(t));
  }
  const graph = new Map([...folders].map(([k, v]) => [k, [...v]]));
  const found = cycles(graph).map((c) => c.map((f) => relative(root, f)));
  assert.deepEqual(found, [], `folder cycles: ${JSON.stringify(found)}`);
});

test('the cycle finder finds a cycle (the test can fail)', () => {
  const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.deepEqual(cycles(g).map((c) => [...c].sort()), [['a', 'b', 'c']]);
});
