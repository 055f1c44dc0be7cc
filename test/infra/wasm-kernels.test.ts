import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KERNELS, assemble, renderKernelModule } from '../../scripts/tools/build/wasm-kernel.ts';

// The committed kernel modules are build outputs: each must be exactly what its .wat source
// assembles to, so the reviewed text and the running bytes cannot drift apart.
describe('the WebAssembly kernels', () => {
  it.each(KERNELS.map((k) => [k.ts.pathname.split('/').pop()!, k] as const))(
    '%s is what its .wat assembles to (npm run build:wasm regenerates it)',
    async (_name, kernel) => {
      const committed = readFileSync(fileURLToPath(kernel.ts), 'utf8');
      expect(committed).toBe(renderKernelModule(kernel, await assemble(kernel)));
    },
  );
});
