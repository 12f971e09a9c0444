#!/usr/bin/env node
/**
 * Are two builds of BrainTS the same machine work on the benchmark networks?
 *
 *   node tools/engine_identity.mjs <root A> <root B>
 *
 * Each root is a checkout built with `npx tsc -p tsconfig.json` (its dist/ is read). For every
 * benchmark network (coba, cuba at scales 1 and 10, cobahh at scale 1; 1 and 2 threads) it builds
 * the network in a child process per root, and compares the SHA-256 of every WebAssembly module
 * the build compiles and of the engine's whole memory just before the first step (after the
 * input variants are chosen). Equal modules and equal memory mean both builds execute the same
 * instructions on the same data; a benchmark difference between them is then the machine's
 * noise, not the code. Exits with 1 when any network differs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CASES = [
  ['coba', 1], ['coba', 10], ['cuba', 1], ['cuba', 10], ['cobahh', 1],
].flatMap(([model, scale]) => [1, 2].map((threads) => ({ model, scale, threads })));

/** In the child: build one network, print the hashes of its modules and of its engine memory. */
async function child(root, model, scale, threads) {
  const hashes = [];
  const Original = WebAssembly.Module;
  const Hashing = function (bytes) {
    const view = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
    hashes.push(`${createHash('sha256').update(view).digest('hex').slice(0, 16)}:${view.length}`);
    return new Original(bytes);
  };
  Hashing.prototype = Original.prototype;
  Object.assign(Hashing, { customSections: Original.customSections, exports: Original.exports, imports: Original.imports });
  WebAssembly.Module = Hashing;
  const { BENCH_MODELS } = await import(pathToFileURL(`${root}/dist/bench/models.js`).href);
  const { net } = BENCH_MODELS[model].build({ scale, seed: 1, threads });
  net.build();
  const engine = net.engine;
  if (!engine) throw new Error(`${model}: not on the step engine (${net.loopReason})`);
  engine.chooseVariants(); // what run() does first: the memory as the first step sees it
  const memory = new Uint8Array(engine.I32.buffer);
  const digest = createHash('sha256').update(memory).digest('hex').slice(0, 16);
  process.stdout.write(JSON.stringify({ modules: hashes, memory: `${digest}:${memory.length}` }));
  net.close?.();
  process.exit(0);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], +process.argv[5], +process.argv[6]);
} else {
  const [a, b] = process.argv.slice(2);
  if (!a || !b) {
    console.error('usage: node tools/engine_identity.mjs <root A> <root B>');
    process.exit(2);
  }
  const self = fileURLToPath(import.meta.url);
  const probe = (root, c) => JSON.parse(execFileSync(process.execPath, [self, '--child', root, c.model, String(c.scale), String(c.threads)], { encoding: 'utf8' }));
  let differ = 0;
  for (const c of CASES) {
    const [x, y] = [probe(a, c), probe(b, c)];
    const sameModules = JSON.stringify(x.modules) === JSON.stringify(y.modules);
    const sameMemory = x.memory === y.memory;
    if (!sameModules || !sameMemory) differ++;
    console.log(`${c.model} scale ${c.scale} threads ${c.threads}: modules ${sameModules ? 'identical' : `DIFFER (${x.modules} vs ${y.modules})`}, memory ${sameMemory ? 'identical' : 'DIFFERS'} (${x.modules.length} modules, ${x.memory.split(':')[1]} bytes)`);
  }
  process.exit(differ === 0 ? 0 : 1);
}
