#!/usr/bin/env node
/**
 * Writes docs/api.md: every export of the package's entry points ('braints', 'braints/node',
 * 'braints/web') with its kind, its signature and the first sentence of its doc comment, grouped
 * by the source folder it comes from. Run after changing an export:
 *
 *   node tools/api_doc.mjs > docs/api.md
 *
 * test/api_doc.test.ts checks that every runtime export is listed.
 */
import ts from 'typescript';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES = [
  ['braints', 'src/index.ts', 'Simulation, models, training, analysis and plots (no Node-specific imports).'],
  ['braints/node', 'src/node/index.ts', 'Node-only helpers: files (NPY, CSV, text), PNG rendering, progress bars, data sets on disk, sweeps.'],
  ['braints/web', 'src/web.ts', 'What runs in a browser (the playground uses it).'],
];

const program = ts.createProgram(ENTRIES.map(([, f]) => join(root, f)), { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, skipLibCheck: true, types: ['node'] });
const checker = program.getTypeChecker();

/** The first sentence of a doc comment, on one line. */
function summary(symbol) {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
  const m = /^(.+?\.)(\s|$)/.exec(text);
  const first = (m ? m[1] : text).replace(/\{@link ([^}]+)\}/g, '`$1`');
  return first.length > 220 ? `${first.slice(0, 219).replace(/:$/, '')}…` : first.replace(/:$/, '.');
}

const shorten = (s, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const flat = (s) => s.replace(/\s+/g, ' ');

function describe(name, symbol) {
  const decl = symbol.declarations?.[0];
  if (!decl) return undefined;
  const where = relative(root, decl.getSourceFile().fileName).replace(/\\/g, '/');
  const fmt = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
  let kind;
  let sig = '';
  if (ts.isClassDeclaration(decl)) {
    kind = 'class';
    const type = checker.getTypeOfSymbolAtLocation(symbol, decl);
    const ctor = type.getConstructSignatures()[0];
    if (ctor) sig = `new ${name}(${ctor.parameters.map((p) => `${p.name}${p.valueDeclaration && checker.isOptionalParameter(p.valueDeclaration) ? '?' : ''}`).join(', ')})`;
  } else if (ts.isFunctionDeclaration(decl)) {
    kind = 'function';
    const s = checker.getSignatureFromDeclaration(decl);
    sig = `${name}${flat(checker.signatureToString(s, undefined, fmt))}`;
  } else if (ts.isInterfaceDeclaration(decl)) {
    kind = 'interface';
  } else if (ts.isTypeAliasDeclaration(decl)) {
    kind = 'type';
  } else if (ts.isEnumDeclaration(decl)) {
    kind = 'enum';
  } else if (ts.isVariableDeclaration(decl)) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, decl);
    const calls = type.getCallSignatures();
    if (calls.length > 0) {
      kind = 'function';
      sig = `${name}${flat(checker.signatureToString(calls[0], undefined, fmt))}`;
    } else {
      kind = 'const';
      sig = `${name}: ${flat(checker.typeToString(type, undefined, fmt))}`;
    }
  } else {
    kind = ts.SyntaxKind[decl.kind];
  }
  return { name, kind, sig: shorten(sig), doc: summary(symbol), where };
}

const out = [
  '# API reference',
  '',
  'Every export of the package, generated from the sources by `node tools/api_doc.mjs > docs/api.md`',
  '(signatures and the first sentence of each doc comment; the full comments, with an example each,',
  'are in the sources and in your editor). `test/api_doc.test.ts` checks that every runtime export',
  'is listed here. For a guided start see [the tutorial](tutorial.md); for model files see',
  '[model-files.md](model-files.md).',
  '',
  'The three entry points:',
  '',
  '```ts',
  "import { Network, NeuronGroup, LIF, SpikeMonitor, rasterSvg } from 'braints';   // anywhere",
  "import { writeText } from 'braints/node';                                      // Node: files, PNG, data sets",
  "import { loadModelText } from 'braints/web';                                   // what a browser page needs",
  '',
  "const net = new Network({ seed: 1 });",
  "const P = net.add(new NeuronGroup(20, LIF));",
  "P.setInput('I', '300 pA');",
  "const spikes = net.add(new SpikeMonitor(P));",
  "net.run('100 ms');",
  "await writeText('out/api/raster.svg', rasterSvg(spikes.spikes(), { nNeurons: 20, tStop: 0.1 }));",
  "console.log(typeof loadModelText, spikes.numSpikes);",
  '```',
  '',
];
const listed = new Map(); // name → the entry point that lists it
for (const [pkg, file, what] of ENTRIES) {
  const sf = program.getSourceFile(join(root, file));
  const mod = checker.getSymbolAtLocation(sf);
  const items = [];
  let again = 0;
  for (const e of checker.getExportsOfModule(mod)) {
    const target = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
    const d = describe(e.name, target);
    if (!d) continue;
    const key = `${d.name} ${d.where}`;
    if (listed.has(key)) {
      again++;
      continue;
    }
    listed.set(key, pkg);
    items.push(d);
  }
  const byFolder = new Map();
  for (const d of items) {
    const folder = dirname(d.where);
    if (!byFolder.has(folder)) byFolder.set(folder, []);
    byFolder.get(folder).push(d);
  }
  const names = (n) => `${n} name${n === 1 ? '' : 's'}`;
  const also = again > 0 ? ` It ${items.length > 0 ? 'also ' : ''}exports the ${names(again)} of \`braints\` listed above.` : '';
  out.push(`## \`${pkg}\``, '', `${what}${items.length > 0 ? ` ${names(items.length)} listed here.` : ''}${also}`, '');
  for (const folder of [...byFolder.keys()].sort()) {
    out.push(`### ${folder}/`, '');
    for (const d of byFolder.get(folder).sort((a, b) => a.name.localeCompare(b.name))) {
      const head = d.sig ? `\`${d.sig.replace(/`/g, "'")}\`` : `\`${d.name}\``;
      out.push(`- ${head} — ${d.kind}${d.doc ? `. ${d.doc}` : ''} <sub>${d.where}</sub>`);
    }
    out.push('');
  }
}
process.stdout.write(out.join('\n'));
