/**
 * The JavaScript version of a group update described by an {@link UpdateKernelSpec}, generated
 * exactly as `Network.buildGroup` generates it (the integrators' `generateStep`, `emitJS`,
 * `KERNEL_HELPERS`), over typed-array views of the same memory. It is the reference the
 * WebAssembly kernels are tested and benchmarked against.
 */
import { emitJS, jsNumber, KERNEL_HELPERS } from '../equations/codegen.js';
import { generateStep } from '../integrators/index.js';
import { compileKernel } from '../lang/kernel.js';
import { type UpdateKernelSpec } from './kernel.js';
import { type WasmMemory } from './runtime.js';

/**
 * Builds the JavaScript update `(n, spikeOut) → count` over `memory` (float32 arrays for the
 * f32 lane types, float64 for the f64 ones; arithmetic in float64, as the network kernel).
 *
 * @example
 * const jsUpdate = buildJsUpdate(spec, arena.memory());
 * const count = jsUpdate(n, spikeOffset);
 */
export function buildJsUpdate(spec: UpdateKernelSpec, memory: WasmMemory): (n: number, spikeOut: number) => number {
  const dbl = spec.lanes === 'f64' || spec.lanes === 'f64x2';
  const N = spec.size;
  const names = Object.keys(spec.arrays);
  const id = (name: string) => `A_${name.replace(/\$/g, '_$')}`;
  const hoist = names.map((nm, k) => `const ${id(nm)} = new F(buf, ${spec.arrays[nm]}, ${N}); void ${k};`);
  const other = (n: string): string => {
    if (n === 't') return 't';
    if (spec.arrays[n] !== undefined) return `${id(n)}[i]`;
    const c = spec.constants?.[n];
    if (c !== undefined) return jsNumber(c);
    throw new Error(`unresolved symbol '${n}'`);
  };
  const refSteps = spec.refSteps ?? 0;
  const stateNames = new Set(spec.vars.map((v) => v.name));
  const stepCode = generateStep(spec.vars, spec.method, spec.dt, other, refSteps > 0 ? 'nr' : null).replace(/const n_/g, 'let n_');
  const afterStep = (n: string) => (stateNames.has(n) ? `n_${n}` : other(n));
  const out: string[] = [
    '"use strict";',
    ...hoist,
    `const LS = new Int32Array(buf, ${spec.lastSpikeOffset}, ${N});`,
    'return function update(n, spikeOut) {',
    `const t = n * ${jsNumber(spec.dt)};`,
    `const SP = new Int32Array(buf, spikeOut, ${N}); let ns = 0;`,
    `for (let i = 0; i < ${N}; i++) {`,
  ];
  for (const v of spec.vars) out.push(`const c_${v.name} = ${other(v.name)};`);
  if (refSteps > 0) out.push(`const nr = (n - LS[i]) >= ${refSteps};`);
  out.push(stepCode);
  if (spec.threshold) {
    out.push(`if (${refSteps > 0 ? 'nr && ' : ''}${emitJS(spec.threshold, afterStep)}) {`);
    for (const r of spec.reset ?? []) {
      const value = emitJS(r.value, afterStep);
      const lhs = afterStep(r.target);
      out.push(r.op === '=' ? `${lhs} = ${value};` : `${lhs} ${r.op} ${value};`);
    }
    out.push('LS[i] = n; SP[ns] = i; ns++;');
    out.push('}');
  }
  for (const v of spec.vars) out.push(`${other(v.name)} = n_${v.name};`);
  out.push('}', 'return ns;', '};');
  const make = compileKernel(['F', 'buf', 'H'], out.join('\n'));
  return make(dbl ? Float64Array : Float32Array, memory.buffer, KERNEL_HELPERS) as (n: number, spikeOut: number) => number;
}
