/**
 * `npm run build:wasm`: assembles lambdas/core/als/cg-kernel.wat with wabt into
 * lambdas/core/als/cg-kernel-wasm.ts (the bytes as base64, so tsx, vitest, esbuild and the Lambda
 * bundles load it like any module, with no loader or file next to the bundle).
 *
 *   npm run build:wasm            write the generated file
 *   npm run build:wasm -- --check exit 1 if the generated file is not what the .wat assembles to
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleCgKernel, CG_KERNEL_TS, renderKernelModule } from './wasm-kernel.ts';

const check = process.argv.includes('--check');
const wanted = renderKernelModule(await assembleCgKernel());
const target = fileURLToPath(CG_KERNEL_TS);
const current = readFileSync(target, 'utf8');
if (check) {
  if (current !== wanted) {
    process.stderr.write(`${target} is stale: run npm run build:wasm\n`);
    process.exitCode = 1;
  }
} else if (current !== wanted) {
  writeFileSync(target, wanted);
  process.stderr.write(`wrote ${target}\n`);
}
