/**
 * Bundles the playground (web/playground.ts, its Web Worker web/worker.ts with the library from
 * src/web.ts, and the step engine's thread script web/engine_thread.ts) into web/dist/ with
 * esbuild. Model files are bundled as text.
 *
 * Run: node web/build.mjs   (npm run web builds, then serves)
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds web/dist/playground.js, web/dist/worker.js and web/dist/engine_thread.js. */
export async function buildPlayground() {
  await build({
    entryPoints: [join(here, 'playground.ts'), join(here, 'worker.ts'), join(here, 'engine_thread.ts')],
    outdir: join(here, 'dist'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    loader: { '.yaml': 'text' },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildPlayground();
