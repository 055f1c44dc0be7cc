/**
 * `npm run build:wasm`: assembles the WebAssembly kernels of lambdas/core/als (*.wat) with wabt
 * into TypeScript modules holding their bytes as base64 (*-wasm.ts), so tsx, vitest, esbuild and
 * the Lambda bundles load them like any module, with no loader or file next to the bundle.
 *
 *   npm run build:wasm            write the generated files that changed
 *   npm run build:wasm -- --check exit 1 if a generated file is not what its .wat assembles to
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNELS, assemble, renderKernelModule } from './wasm-kernel.ts';

const check = process.argv.includes('--check');
for (const kernel of KERNELS) {
  const wanted = renderKernelModule(kernel, await assemble(kernel));
  const target = fileURLToPath(kernel.ts);
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // not generated yet
  }
  if (current === wanted) continue;
  if (check) {
    process.stderr.write(`${target} is stale: run npm run build:wasm\n`);
    process.exitCode = 1;
  } else {
    writeFileSync(target, wanted);
    process.stderr.write(`wrote ${target}\n`);
  }
}
