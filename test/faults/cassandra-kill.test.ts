/**
 * Cassandra killed (SIGKILL) in the middle of an ingestion and of a training run, then restarted.
 * These tests run THEIR OWN Cassandra (state in .local/cassandra-faults, CQL on 19042, gossip on
 * 17000, its own cluster name) started through the project's launcher, so the shared server other
 * tests use on 9042 is never touched. S3 is the shared local endpoint (not killed here).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { S3Store } from '../../lambdas/adapters/s3.ts';
import type { AlsOptions } from '../../lambdas/core/als/index.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { createApiHandler } from '../../lambdas/services/api/app.ts';
import { activeModelId, getModelRecord } from '../../lambdas/services/models/registry.ts';
import { releaseVersion } from '../../scripts/runtime/cassandra/probe.ts';
import { readPid } from '../../scripts/runtime/cassandra/proc.ts';
import { runLocalIngest } from '../../scripts/runtime/ingest/run-local-ingest.ts';
import type { LocalServices } from '../../scripts/runtime/local-pipeline.ts';
import type { LocalSfnEvent } from '../../scripts/runtime/local-sfn/index.ts';
import { ensureS3 } from '../../scripts/runtime/s3/local-s3.ts';
import { localLambdaContext } from '../../scripts/runtime/serve/api-event.ts';
import { insertRatings } from '../../scripts/runtime/train/insert-ratings.ts';
import {
  differences,
  faultTraining,
  publishedModel,
  TRAIN_BUCKET,
  trainBucket,
  trainLocally,
} from '../support/train-fixture.ts';
import { TestKeyspaces } from '../support/cassandra.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STATE_DIR = join(ROOT, '.local', 'cassandra-faults');
const PORT = 19042;
const CONTACT = `127.0.0.1:${PORT}`;
const OWN_ENV = {
  RECSYS_CASSANDRA_STATE_DIR: STATE_DIR,
  CASSANDRA_PORT: String(PORT),
  CASSANDRA_STORAGE_PORT: '17000',
  RECSYS_CASSANDRA_MODE: 'jvm',
  // The launcher skips fsync of system tables to speed up test suites; a server that is to be
  // killed must keep its schema, as any real one does (the last -D wins).
  CASSANDRA_JVM_OPTS: '-Dcassandra.unsafesystem=false',
};
const INGEST_BUCKET = 'recsys-faults-kill';
const figures: Record<string, unknown> = {};

function record(): void {
  console.log(`[faults] cassandra-kill: ${JSON.stringify(figures)}`);
  const dir = join(ROOT, 'test-output', 'reliability');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'faults-cassandra-kill.json'), JSON.stringify(figures, null, 2) + '\n');
}

/** `recsys cassandra start` for our own server; resolves with the seconds it took. */
async function startOwnCassandra(): Promise<number> {
  // The jar list is keyed by the pom, so the shared server's resolution can be reused as is.
  mkdirSync(STATE_DIR, { recursive: true });
  const shared = join(ROOT, '.local', 'cassandra');
  if (existsSync(shared)) {
    for (const file of readdirSync(shared).filter((f) => /^classpath-.*\.txt$/.test(f))) {
      if (!existsSync(join(STATE_DIR, file)))
        copyFileSync(join(shared, file), join(STATE_DIR, file));
    }
  }
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'recsys.mjs'), 'cassandra', 'start'], {
      env: { ...process.env, ...OWN_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => void (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (output += c.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`cassandra start exited ${code}: ${output}`)),
    );
  });
  return (performance.now() - started) / 1000;
}

/** SIGKILL, as a crashed node or a killed container: no drain, no flush. */
async function killOwnCassandra(): Promise<void> {
  const pid = readPid(join(STATE_DIR, 'cassandra.pid'));
  if (pid === undefined) throw new Error('no pid file for the fault-test Cassandra');
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && (await releaseVersion('127.0.0.1', PORT, 500)); i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
}

let services: LocalServices;
const keyspaces = new TestKeyspaces({ ...process.env, CASSANDRA_CONTACT_POINTS: CONTACT });

beforeAll(async () => {
  const s3 = await ensureS3({});
  figures.firstStartSeconds = await startOwnCassandra();
  services = {
    s3,
    cassandra: {
      startedByUs: false,
      releaseVersion: (await releaseVersion('127.0.0.1', PORT, 3000)) ?? '?',
      seconds: 0,
      contactPoint: CONTACT,
      mode: 'existing',
    },
    seconds: 0,
  };
});

afterAll(async () => {
  await keyspaces.dropAll();
  // Our own server only (by its pid file); never the shared one.
  const pid = readPid(join(STATE_DIR, 'cassandra.pid'));
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  record();
});

describe('Cassandra killed mid-ingest', () => {
  const { table } = generateRatingsTable({ ratings: 60_000, users: 600, movies: 1_500, seed: 3 });
  const expected = new Map<string, { rating: number; ts: number }>();
  for (let i = 0; i < table.length; i++) {
    const key = `${table.userIds[i]}:${table.movieIds[i]}`;
    const previous = expected.get(key);
    if (!previous || table.timestamps[i]! > previous.ts)
      expected.set(key, { rating: table.ratings[i]!, ts: table.timestamps[i]! });
  }
  const dir = join(tmpdir(), `recsys-kill-ingest-${process.pid}`);

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    const lines = ['userId,movieId,rating,timestamp'];
    for (let i = 0; i < table.length; i++) {
      lines.push(
        `${table.userIds[i]},${table.movieIds[i]},${table.ratings[i]},${table.timestamps[i]}`,
      );
    }
    writeFileSync(join(dir, 'ratings.csv'), lines.join('\n') + '\n');
  });

  it('the interrupted run fails; after a restart a re-run finishes with exact counts', async () => {
    const keyspace = `fk_ingest_${process.pid}`;
    const db = keyspaces.open(keyspace);
    let killedAfterChunks = -1;
    let chunksDone = 0;
    let killing: Promise<void> | undefined;
    const run = (onEvent?: (event: LocalSfnEvent) => void) =>
      runLocalIngest({
        dir,
        dataset: 'killed',
        keyspace,
        bucket: INGEST_BUCKET,
        chunkBytes: 128 * 1024,
        services,
        log: () => undefined,
        ...(onEvent ? { onEvent } : {}),
      });
    const first = run((event) => {
      if (event.type === 'StateExited' && event.stateName === 'IngestChunk') chunksDone++;
      if (chunksDone === 2 && killing === undefined) {
        killedAfterChunks = chunksDone;
        killing = killOwnCassandra();
      }
    });
    await expect(first).rejects.toThrow();
    await killing;
    expect(killedAfterChunks).toBe(2);

    figures.ingestRestartSeconds = await startOwnCassandra();
    const result = await run();
    expect(result.status).toBe('ready');
    expect(result.counts).toMatchObject({ ratings: expected.size, rejectedRows: 0 });
    const stored = new Map<string, number>();
    for await (const row of db.rows(
      `SELECT user_id, movie_id, rating FROM ${db.table('ratings_by_user')}`,
    )) {
      stored.set(`${row.get('user_id')}:${row.get('movie_id')}`, Number(row.get('rating')));
    }
    expect(stored.size).toBe(expected.size);
    expect(stored).toEqual(new Map([...expected].map(([k, v]) => [k, v.rating])));
    // Each rating written once: the by-movie table holds only the API's changes.
    let changes = 0;
    for await (const _row of db.rows(`SELECT movie_id FROM ${db.table('rating_changes_by_movie')}`))
      changes++;
    expect(changes).toBe(0);
    Object.assign(figures, {
      ingestRatings: expected.size,
      ingestChunks: result.counts.chunks,
      ingestKilledAfterChunks: killedAfterChunks,
      ingestStoredAfterRerun: stored.size,
    });
  });
});

describe('Cassandra killed mid-training', () => {
  const OPTIONS = { rank: 5, iterations: 4 } satisfies AlsOptions;
  const { table, reference, request: request } = faultTraining(OPTIONS);
  const keyspace = `fk_train_${process.pid}`;
  const serving = `serving-${process.pid}`;
  const interrupted = `interrupted-${process.pid}`;
  let db: CassandraStore;
  let s3: S3Store;

  beforeAll(async () => {
    db = keyspaces.open(keyspace);
    await db.migrate();
    await insertRatings(db, table);
    s3 = trainBucket();
    await trainLocally(keyspace, { request: { ...request, modelId: serving }, services });
    expect(await activeModelId(db)).toBe(serving);
  });
  afterAll(async () => {
    await s3?.deleteByPrefix(`models/${interrupted}/`).catch(() => undefined);
    await s3?.deleteByPrefix(`models/${serving}/`).catch(() => undefined);
    s3?.destroy();
  });

  it('the run fails, the active model keeps serving, and a re-run resumes from the checkpoint', async () => {
    let killing: Promise<void> | undefined;
    const failure = trainLocally(keyspace, {
      request: { ...request, modelId: interrupted },
      services,
      onEvent: (event) => {
        // After the first checkpoint: iteration 1 is safe in S3, the rest is not done yet.
        if (event.type === 'StateExited' && event.stateName === 'Checkpoint')
          killing ??= killOwnCassandra();
      },
    });
    await expect(failure).rejects.toThrow();
    await killing;
    expect(killing).toBeDefined();

    figures.trainRestartSeconds = await startOwnCassandra();
    // The client that lived through the outage (a warm Lambda container's) must find the server
    // again by itself: its reconnection backoff is capped at 10 s (the driver's default is 10 min).
    const back = performance.now();
    let answered = false;
    while (!answered && performance.now() - back < 60_000) {
      answered = await activeModelId(db).then(
        () => true,
        () => new Promise<boolean>((r) => setTimeout(() => r(false), 500)),
      );
    }
    figures.oldClientReconnectSeconds = (performance.now() - back) / 1000;
    expect(answered, 'the old client reconnects within 60 s of the restart').toBe(true);
    const after = db;
    // The API, as the Lambda runs it, still answers with the model that was active before.
    const api = createApiHandler({
      env: {
        ...process.env,
        RECSYS_API_KEY: 'k',
        RECSYS_KEYSPACE: keyspace,
        RECSYS_BUCKET: TRAIN_BUCKET,
        CASSANDRA_CONTACT_POINTS: CONTACT,
        S3_ENDPOINT: services.s3.endpoint,
        RECSYS_DB: 'local',
      },
    });
    const user = table.userIds[0]!;
    const reply = await api(
      {
        resource: '/users/{userId}/recommendations',
        path: `/users/${user}/recommendations`,
        httpMethod: 'GET',
        headers: { 'x-api-key': 'k' },
        multiValueHeaders: {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: { userId: String(user) },
        stageVariables: null,
        body: null,
        isBase64Encoded: false,
        requestContext: { requestId: 'kill-test' } as never,
      },
      localLambdaContext('kill-test'),
    );
    expect(reply.statusCode, reply.body).toBe(200);
    const body = JSON.parse(reply.body) as { modelId: string; items: unknown[] };
    expect(body.modelId).toBe(serving);
    expect(body.items.length).toBeGreaterThan(0);
    expect(await activeModelId(after)).toBe(serving);
    expect((await getModelRecord(after, interrupted))?.status).not.toBe('ready');

    const entered = new Set<string>();
    const resumed = await trainLocally(keyspace, {
      request: { modelId: interrupted, resume: true, concurrency: 2 },
      services,
      onEvent: (event) => {
        if (event.type === 'StateEntered' && event.index === undefined)
          entered.add(event.stateName!);
      },
    });
    expect(entered.has('ScanTokenRanges')).toBe(false);
    expect(resumed.history.map((h) => h.iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(differences(await publishedModel(s3, interrupted), reference.model)).toEqual([]);
    expect(await activeModelId(after)).toBe(interrupted);
    Object.assign(figures, {
      trainKilledAfter: 'first checkpoint',
      apiServedModelAfterCrash: body.modelId,
      resumeSkippedScan: true,
      resumedFactorsBitIdentical: true,
    });
  });
});
