import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface BundleReport {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median of fresh processes: importing the bundle (module graph + top-level code). */
  readonly initMs: { median: number; runs: number[] };
  /** Median of fresh processes: first GET /users/1/recommendations (connect, catalogue, model). */
  readonly firstRequestMs: { median: number; runs: number[] };
}

/**
 * Bundles the API Lambda as CDK's NodejsFunction would (esbuild, node22, ESM, minified, the AWS
 * SDK v3 left to the runtime) and times a cold start in fresh Node processes.
 */
export async function measureApiBundle(
  root: string,
  outDir: string,
  env: Record<string, string>,
  runs = 5,
): Promise<BundleReport> {
  const file = join(outDir, 'api-handler.mjs');
  await build({
    entryPoints: [join(root, 'lambdas/api/handler.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    external: ['@aws-sdk/*'],
    // cassandra-driver and other CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  const probe = `
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(file)});
    const init = performance.now() - t0;
    const event = { httpMethod: 'GET', path: '/users/1/recommendations', resource: '/users/1/recommendations',
      headers: { 'x-api-key': process.env.RECSYS_API_KEY }, multiValueHeaders: {}, queryStringParameters: null,
      multiValueQueryStringParameters: null, pathParameters: null, stageVariables: null, body: null,
      isBase64Encoded: false, requestContext: { requestId: 'bench', stage: 'bench', httpMethod: 'GET', path: '/users/1/recommendations' } };
    const context = { awsRequestId: 'bench', functionName: 'bench', functionVersion: '1', invokedFunctionArn: 'arn',
      memoryLimitInMB: '1024', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: () => 30000 };
    const t1 = performance.now();
    const response = await handler(event, context);
    const first = performance.now() - t1;
    if (response.statusCode !== 200) throw new Error('status ' + response.statusCode + ' ' + response.body);
    console.log(JSON.stringify({ init, first }));
    process.exit(0);
  `;
  const inits: number[] = [];
  const firsts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`bundle probe failed: ${result.stderr}`);
    const { init, first } = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      init: number;
      first: number;
    };
    inits.push(round(init));
    firsts.push(round(first));
  }
  return {
    file: 'dist/bench/api-handler.mjs',
    bytes: statSync(file).size,
    gzipBytes: gzipSync(readFileSync(file)).length,
    initMs: { median: median(inits), runs: inits },
    firstRequestMs: { median: median(firsts), runs: firsts },
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
