/**
 * The package as a user gets it: `npm pack`, installed from the tarball into an empty project,
 * imported by name ('braints', 'braints/node', 'braints/web'), type-checked, and run from its
 * `braints` executable. Runtime dependencies come from npm's cache when it has them (after
 * `npm ci` it does), else from the registry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quiet = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_loglevel: 'error' };

function sh(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: quiet });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Every module specifier a compiled file imports statically (or by a literal dynamic import). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

test('npm pack → install the tarball in an empty project → import { Network } from "braints" runs a network, with types, and `braints` runs', () => {
  const work = mkdtempSync(join(tmpdir(), 'braints-pack-'));
  try {
    const packed = JSON.parse(sh(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root)) as { filename: string; files: { path: string }[] }[];
    const files = packed[0].files.map((f) => f.path);
    assert.ok(files.includes('dist/src/index.js') && files.includes('dist/src/index.d.ts'), 'the build is in the package');
    assert.ok(files.includes('dist/src/cli/main.js') && files.includes('examples/models/coba.yaml'));
    assert.ok(!files.some((f) => f.startsWith('dist/test/') || f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.map')), `no sources, tests or maps: ${files.filter((f) => !f.startsWith('dist/src/')).join(', ')}`);

    const proj = join(work, 'project');
    sh('mkdir', ['-p', proj], work);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
    const tarball = join(work, packed[0].filename);
    // the cache first (what `npm ci` left there); the registry for anything it lacks
    const offline = spawnSync(npm, ['install', '--offline', tarball], { cwd: proj, encoding: 'utf8', env: quiet });
    if (offline.status !== 0) sh(npm, ['install', '--prefer-offline', tarball], proj);
    const pkg = join(proj, 'node_modules', 'braints');
    assert.ok(existsSync(join(pkg, 'dist', 'src', 'index.js')));

    writeFileSync(
      join(proj, 'main.mjs'),
      `import { Network, NeuronGroup, LIF, SpikeMonitor } from 'braints';
import { encodeNpy } from 'braints/node';
import * as web from 'braints/web';
const net = new Network({ seed: 1 });
const P = net.add(new NeuronGroup(10, LIF));
P.setInput('I', '300 pA');
const sm = net.add(new SpikeMonitor(P));
net.run('100 ms');
console.log(JSON.stringify({ spikes: sm.numSpikes, npy: encodeNpy(new Float64Array(2)).length, web: web.Network === Network }));
`,
    );
    const run = JSON.parse(sh(process.execPath, ['main.mjs'], proj).trim()) as { spikes: number; npy: number; web: boolean };
    assert.ok(run.spikes > 0, 'the network spiked');
    assert.equal(run.npy, 128 + 16);
    assert.equal(run.web, true, "'braints/web' is the same core");

    // types: the user's TypeScript sees the real declarations (a wrong option is an error)
    writeFileSync(
      join(proj, 'main.ts'),
      `import { Network, NeuronGroup, LIF, SpikeMonitor } from 'braints';
import { writeNpy } from 'braints/node';
const net: Network = new Network({ seed: 1 });
const sm: SpikeMonitor = net.add(new SpikeMonitor(net.add(new NeuronGroup(10, LIF))));
const n: number = sm.numSpikes;
// @ts-expect-error: 'sed' is not an option of Network
new Network({ sed: 1 });
export { n, writeNpy };
`,
    );
    writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [], skipLibCheck: true }, files: ['main.ts'] }));
    sh(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], proj);

    // the executable
    const bin = join(proj, 'node_modules', '.bin', 'braints');
    assert.match(sh(bin, ['list'], proj), /coba\s+examples\/models\/coba\.yaml/);
    const out = sh(bin, ['run', 'coba', '--duration', '20ms', '--out', 'out', '--plot', 'svg'], proj);
    assert.match(out, /simulated 20\.0 ms/);
    assert.ok(existsSync(join(proj, 'out', 'spikes.indices.npy')));

    // 'braints/web' reaches no Node built-in module through its static imports
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        assert.ok(!spec.startsWith('node:') && !builtinModules.includes(spec), `${file.slice(pkg.length)} imports the Node module '${spec}'`);
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else bare.add(spec);
      }
    };
    visit(join(pkg, 'dist', 'src', 'web.js'));
    assert.ok(seen.size > 50, `walked ${seen.size} modules`);
    // zod and yaml read model files; apache-arrow is imported on demand by the sweep table's Arrow writer
    assert.deepEqual([...bare].sort(), ['apache-arrow', 'yaml', 'zod'], 'third-party modules of the browser entry');
    const nodeEntry = new Set<string>();
    for (const f of readdirSync(join(pkg, 'dist', 'src', 'node'))) if (f.endsWith('.js')) importsOf(join(pkg, 'dist', 'src', 'node', f)).forEach((s) => nodeEntry.add(s));
    assert.ok(nodeEntry.has('node:fs/promises'), "the Node-only adapters live under 'braints/node'");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
