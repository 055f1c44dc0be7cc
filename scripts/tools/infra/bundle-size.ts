import { build } from 'esbuild';
import { mkdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { API_ENTRY } from '../../../infra/constructs/api.ts';
import { INGEST_FUNCTIONS } from '../../../statemachines/ingest.functions.ts';
import { TRAIN_FUNCTIONS } from '../../../statemachines/train.functions.ts';
import { BUNDLING } from '../../../infra/constructs/recsys-function.ts';
import { lambdaBuildOptions } from './lambda-build-options.ts';

/**
 * `npm run bundle-size`: bundles every Lambda exactly as the stack's NodejsFunction does (the
 * shared BUNDLING settings: nothing external, the AWS SDK v3 clients included) and prints each
 * bundle's size and the total; writes bench/results/bundle-sizes.json.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = join(ROOT, '.local/bundles');
const RESULTS = join(ROOT, 'bench/results/bundle-sizes.json');
export const GOAL_BYTES = 1.5 * 1024 * 1024;

const functions: Record<string, string> = {
  api: API_ENTRY,
  ...Object.fromEntries(
    Object.entries({ ...INGEST_FUNCTIONS, ...TRAIN_FUNCTIONS }).map(([substitution, binding]) => [
      substitution.replace(/FunctionArn$/, ''),
      binding.module,
    ]),
  ),
};

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);

rmSync(OUT, { recursive: true, force: true });
const rows = [];
for (const [name, entry] of Object.entries(functions)) {
  const outfile = join(OUT, name, 'index.mjs');
  mkdirSync(join(OUT, name), { recursive: true });
  await build({ ...lambdaBuildOptions(join(ROOT, entry)), outfile });
  const bytes = statSync(outfile).size;
  rows.push({
    name,
    entry,
    bytes,
    gzipBytes: gzipSync(readFileSync(outfile)).length,
    sourceMapBytes: statSync(`${outfile}.map`).size,
    withinGoal: bytes <= GOAL_BYTES,
  });
}

const total = rows.reduce((sum, r) => sum + r.bytes, 0);
const width = Math.max(...rows.map((r) => r.name.length));
console.log(`${'function'.padEnd(width)}  bundle MB  gzip MB  map MB`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(width)}  ${mb(r.bytes).padStart(9)}  ${mb(r.gzipBytes).padStart(7)}  ${mb(
      r.sourceMapBytes,
    ).padStart(6)}${r.withinGoal ? '' : '  over the 1.5 MB goal'}`,
  );
}
const over = rows.filter((r) => !r.withinGoal).length;
console.log(
  `total ${mb(total)} MB in ${rows.length} bundles (largest ${mb(Math.max(...rows.map((r) => r.bytes)))} MB); ` +
    `${over === 0 ? 'all within' : `${over} over`} the 1.5 MB goal`,
);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  RESULTS,
  JSON.stringify(
    {
      measuredAt: new Date().toISOString(),
      esbuild: BUNDLING,
      external: [...BUNDLING.externalModules],
      goalBytes: GOAL_BYTES,
      totalBytes: total,
      functions: rows,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${RESULTS.slice(ROOT.length)}`);
