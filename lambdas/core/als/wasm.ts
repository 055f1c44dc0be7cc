/**
 * Loading the WebAssembly kernels (cg-kernel.wat, gram-kernel.wat; `npm run build:wasm` turns
 * each into a base64 module). Node 22, the Lambda runtime, runs 128-bit SIMD natively.
 *
 * Only the few WebAssembly types used here are declared: this project compiles against ES2023 and
 * Node's types, which lack them (TypeScript's DOM lib has the full API).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

export const WASM_PAGE_BYTES = 65536;

const compiled = new Map<string, object>();

/**
 * A new instance (its own memory) of the kernel whose bytes `base64` holds. Compiled once per
 * thread, synchronously (a few KB), on first use.
 */
export function instantiateKernel<Exports extends { memory: WasmMemory }>(base64: string): Exports {
  let module = compiled.get(base64);
  if (module === undefined) {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
    module = new WebAssembly.Module(bytes);
    compiled.set(base64, module);
  }
  return new WebAssembly.Instance(module, {}).exports as Exports;
}

/** Grows `memory` to hold at least `bytes`. Views on its buffer must be made again after this. */
export function ensureMemory(memory: WasmMemory, bytes: number): void {
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES) - memory.buffer.byteLength / WASM_PAGE_BYTES;
  if (pages > 0) memory.grow(pages);
}
