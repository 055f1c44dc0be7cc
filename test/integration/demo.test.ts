/**
 * `recsys demo` (what `npm run demo` runs) end to end, as a separate process like a user runs it:
 * the real ingest and train state machines on a generated MovieLens-shaped set in a keyspace of its
 * own, then the API and web UI on a free port until SIGINT, then a rerun that must skip both steps.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import type { GeneratorMetadata } from '../../lambdas/core/generator/dataset.ts';
import { DEMO_ROOT, demoBucket } from '../../scripts/runtime/demo/run-demo.ts';
import type { DemoSummary } from '../../scripts/runtime/demo/summary.ts';
import { writeDataset } from '../../scripts/runtime/datasets/write-dataset.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'recsys.mjs');
const API_KEY = 'demo-test-key';
const keyspace = `it_demo_${Math.random().toString(36).slice(2, 8)}`;
const bucket = demoBucket(keyspace);
let dir: string;
let generated: GeneratorMetadata;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function demo(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'demo', '--keyspace', keyspace, ...args], {
    cwd: ROOT,
    env: { ...process.env, RECSYS_API_KEY: API_KEY, MOVIELENS_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const finished = new Promise<Finished>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
  /** The JSON summary line, once the demo printed it (serving runs print it when ready). */
  const summary = async (): Promise<DemoSummary> => {
    for (;;) {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) return JSON.parse(line) as DemoSummary;
      if (child.exitCode !== null) throw new Error(`demo exited ${child.exitCode}:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return { child, finished, summary };
}

async function completed(args: string[]): Promise<{ summary: DemoSummary; run: Finished }> {
  const run = await demo(args).finished;
  expect(run.code, run.stderr).toBe(0);
  return { summary: JSON.parse(run.stdout.trim().split('\n').pop()!) as DemoSummary, run };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'recsys-demo-'));
  // Enough ratings that popular movies pass the 50-ratings bar recommendations need.
  ({ metadata: generated } = await writeDataset(dir, {
    ratings: 20_000,
    users: 200,
    movies: 800,
    seed: 11,
  }));
});

afterAll(async () => {
  const env = { ...process.env, RECSYS_KEYSPACE: keyspace, RECSYS_BUCKET: bucket };
  const db = new CassandraStore(cassandraConfigFromEnv(env));
  await db.dropKeyspace().catch(() => undefined);
  await db.shutdown();
  const s3 = new S3Store(s3ConfigFromEnv(env));
  for (const prefix of ['datasets/', 'quarantine/', 'runs/', 'models/', 'stats/']) {
    await s3.deleteByPrefix(prefix).catch(() => undefined);
  }
  s3.destroy();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(DEMO_ROOT, keyspace), { recursive: true, force: true });
  rmSync(join(ROOT, 'dist', 'demo', keyspace), { recursive: true, force: true });
});

describe('recsys demo', () => {
  it('refuses the shared keyspace and a folder without ratings, in one line', async () => {
    const shared = await demo(['--keyspace', 'recsys', '--no-serve']).finished;
    expect(shared.code).toBe(1);
    expect(shared.stderr.trim().split('\n')).toEqual([expect.stringMatching(/own.*"recsys"/)]);
    const empty = await demo(['--dir', tmpdir(), '--no-serve']).finished;
    expect(empty.code).toBe(1);
    expect(empty.stderr.trim().split('\n')).toEqual([expect.stringMatching(/no ratings file/)]);
  });

  it('ingests and trains, and the model beats both baselines on the held-out split', async () => {
    const { summary } = await completed(['--dir', dir, '--no-serve', '--json']);
    expect(summary.skipped).toEqual({});
    expect(summary.dataset).toMatchObject({
      ratings: generated.ratings,
      movies: generated.movies,
      users: generated.users,
      tags: generated.tags,
    });
    const { rmse, baselines } = summary.model;
    expect(baselines.trainRatings + baselines.validationRatings).toBe(generated.ratings);
    // A planted low-rank structure: learning tastes must beat biases, which must beat the mean.
    expect(rmse).not.toBeNull();
    expect(rmse!).toBeLessThan(baselines.biasOnly);
    expect(baselines.biasOnly).toBeLessThan(baselines.globalMean);
    expect(summary.url).toBeNull();
  });

  it('serves the API and UI until SIGINT, skipping unchanged steps, then frees the port', async () => {
    const movies = parse(readFileSync(join(dir, 'movies.csv'), 'utf8'), { columns: true }) as {
      movieId: string;
      title: string;
    }[];
    const titles = new Map(movies.map((m) => [Number(m.movieId), m.title]));
    const running = demo(['--dir', dir, '--port', '0', '--json']);
    const summary = await running.summary();
    expect(summary.skipped).toEqual({ ingest: 'unchanged', train: 'unchanged' });
    const url = summary.url!;
    expect(summary.apiKey).toBe(API_KEY);

    const health = (await (await fetch(`${url}/health`)).json()) as { activeModelId: string };
    expect(health.activeModelId).toBe(summary.model.modelId);
    expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/text\/html/);
    const path = `/users/${summary.sampleUserId}/recommendations?limit=5`;
    expect((await fetch(url + path)).status).toBe(401);
    const response = await fetch(url + path, { headers: { 'x-api-key': API_KEY } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { movieId: number; title: string }[] };
    expect(body.items).toHaveLength(5);
    for (const item of body.items) expect(item.title).toBe(titles.get(item.movieId));

    running.child.kill('SIGINT');
    const stopped = await running.finished;
    expect(stopped.code, stopped.stderr).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('puts model files lost with an S3 restart back from its copy instead of retraining', async () => {
    const s3 = new S3Store(s3ConfigFromEnv({ ...process.env, RECSYS_BUCKET: bucket }));
    try {
      const before = await completed(['--dir', dir, '--no-serve', '--json']);
      const prefix = `models/${before.summary.model.modelId}/`;
      expect(before.summary.skipped).toEqual({ ingest: 'unchanged', train: 'unchanged' });
      // The whole bundle: ranking and rating models, neighbours, content model, manifest, and
      // the raters index (one part for the demo's one block, and its manifest).
      expect(await s3.deleteByPrefix(prefix)).toBe(7);
      const { summary, run } = await completed(['--dir', dir, '--no-serve', '--json']);
      expect(summary.skipped).toEqual({ ingest: 'unchanged', train: 'unchanged' });
      expect(run.stderr).toMatch(/restored models\/\S+\/ from/);
      for (const file of [
        'model.bin',
        'rating.bin',
        'neighbours.bin',
        'content.bin',
        'recommender.json',
        'raters/b0000.bin',
        'raters/manifest.json',
      ]) {
        expect(await s3.head(prefix + file), file).toBeDefined();
      }
    } finally {
      s3.destroy();
    }
  });

  it('ingests and trains again once the data set changed', async () => {
    const ratings = readFileSync(join(dir, 'ratings.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'ratings.csv'), ratings.slice(0, -1).join('\n') + '\n');
    const { summary } = await completed(['--dir', dir, '--no-serve', '--json']);
    expect(summary.skipped).toEqual({});
    expect(summary.dataset.ratings).toBe(generated.ratings - 1);
  });
});
