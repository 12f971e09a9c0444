/**
 * The few WebAssembly JavaScript API entries the kernels use, typed locally: the project compiles
 * against lib ES2022 + Node types, which do not declare the `WebAssembly` namespace.
 */

/** A linear memory (`WebAssembly.Memory`). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
/** A compiled module (`WebAssembly.Module`). */
export type WasmModule = object;
/** An instance (`WebAssembly.Instance`). */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

/**
 * The global `WebAssembly` object, typed.
 *
 * @example
 * const ok = wasmApi().validate(bytes);
 */
export function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) throw new Error('WebAssembly is not available in this JavaScript engine');
  return api;
}

/**
 * Compiles and instantiates a module synchronously with `env.memory` (and any other imports).
 *
 * @example
 * const exports = instantiateSync(m.toBytes(), memory);
 */
export function instantiateSync(bytes: Uint8Array, memory: WasmMemory | null, imports: Record<string, unknown> = {}): Record<string, unknown> {
  const W = wasmApi();
  const mod = new W.Module(bytes);
  return new W.Instance(mod, { env: memory ? { memory, ...imports } : imports }).exports;
}

/**
 * A new memory of `pages` 64 KiB pages (shared memories need a maximum).
 *
 * @example
 * const mem = newMemory(16);
 */
export function newMemory(pages: number, opts: { maximum?: number; shared?: boolean } = {}): WasmMemory {
  const W = wasmApi();
  return new W.Memory({ initial: pages, ...(opts.maximum !== undefined ? { maximum: opts.maximum } : {}), ...(opts.shared ? { shared: true } : {}) });
}
