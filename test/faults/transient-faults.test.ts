/**
 * Transient faults injected into real runs of the ingest and train state machines (real ASL, real
 * handlers in worker threads, the shared local Cassandra and S3): Keyspaces-style throttling and
 * timeouts inside the Cassandra adapter, an S3 read failing once, and 10 % of all training Tasks
 * failing once at random. Each run must end exactly as a clean run does: the same rows (no lost, no
 * duplicated), the same quarantine, bit-identical factors. Figures (faults survived) are printed
 * and written to test-output/reliability/faults-*.json for docs/reliability.md.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import type { AlsOptions } from '../../lambdas/core/als/index.ts';
import { readRankedList } from '../../lambdas/services/models/registry.ts';
import { insertRatings } from '../../scripts/runtime/train/insert-ratings.ts';
import { TestKeyspaces, freshStore } from '../support/cassandra.ts';
import { writeBadRowsFixture, type BadRowsFixture } from '../support/ingest-fixture.ts';
import { eventsOfType, localIngest } from '../support/ingest-run.ts';
import {
  differences,
  cleanUpTraining,
  faultDir,
  faultTraining,
  publishedModel,
  trainBucket,
  trainLocally,
} from '../support/train-fixture.ts';

const BUCKET = 'recsys-faults-ingest';
const run = Math.random().toString(36).slice(2, 8);
const keyspaces = new TestKeyspaces();
let s3: S3Store;
let fixture: BadRowsFixture;

function record(name: string, figures: Record<string, unknown>): void {
  console.log(`[faults] ${name}: ${JSON.stringify(figures)}`);
  const dir = join('test-output', 'reliability');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `faults-${name}.json`), JSON.stringify(figures, null, 2) + '\n');
}

const { ingestFixture } = localIngest(BUCKET);

/**
 * Every stored rating, as `user:movie` → rating, the row count, and the rows of
 * rating_changes_by_movie (only the API writes it: ingestion must leave it empty).
 */
async function storedRatings(db: CassandraStore) {
  const byUser = new Map<string, number>();
  let userRows = 0;
  for await (const row of db.rows(
    `SELECT user_id, movie_id, rating FROM ${db.table('ratings_by_user')}`,
  )) {
    byUser.set(`${row.get('user_id')}:${row.get('movie_id')}`, Number(row.get('rating')));
    userRows++;
  }
  let changeRows = 0;
  for await (const _row of db.rows(`SELECT movie_id FROM ${db.table('rating_changes_by_movie')}`))
    changeRows++;
  return { byUser, userRows, changeRows };
}

/** The quarantine the aggregate step wrote (whole-file line numbers), sorted by line. */
async function quarantine(dataset: string) {
  const rows: { line: number; reason: string }[] = [];
  for await (const key of s3.listKeys(`quarantine/${dataset}/`)) {
    // The renumbered files only; staged/ holds the chunks' own, chunk-relative copies.
    if (!new RegExp(`^quarantine/${dataset}/\\d+\\.csv$`).test(key)) continue;
    const text = await s3.getText(key);
    for (const line of text.trim().split('\n').slice(1)) {
      const [n, reason] = line.split(',');
      rows.push({ line: Number(n), reason: reason!.replace(/^"|"$/g, '') });
    }
  }
  return rows.sort((a, b) => a.line - b.line);
}

/** Exactly the fixture's answer: every expected rating with its winning value, nothing else. */
async function expectExactIngest(db: CassandraStore, dataset: string) {
  const stored = await storedRatings(db);
  expect(stored.userRows).toBe(fixture.expectedRatings.size);
  expect(stored.byUser).toEqual(new Map(fixture.expectedRatings));
  expect(stored.changeRows).toBe(0);
  expect(await quarantine(dataset)).toEqual(fixture.expectedRejects);
  return stored;
}

beforeAll(() => {
  s3 = new S3Store(s3ConfigFromEnv({ ...process.env, RECSYS_BUCKET: BUCKET }));
  fixture = writeBadRowsFixture();
});

afterAll(async () => {
  await keyspaces.dropAll();
  await s3?.deleteByPrefix('datasets/').catch(() => undefined);
  await s3?.deleteByPrefix('quarantine/').catch(() => undefined);
  s3?.destroy();
  if (fixture) rmSync(fixture.dir, { recursive: true, force: true });
});

describe('ingestion under transient faults', () => {
  it('Keyspaces-style throttling and timeouts on 20 % of statements: backoff, no lost or duplicated rows', async () => {
    const keyspace = `ft_throttle_${run}`;
    const db = keyspaces.open(keyspace);
    const faults = faultDir();
    const { events: retried, onEvent } = eventsOfType('StateRetried');
    const result = await ingestFixture(fixture, 'throttled', keyspace, {
      handlerEnv: {
        RECSYS_FAULT_CASSANDRA_RATE: '0.2',
        RECSYS_FAULT_CASSANDRA_SEED: '11',
        RECSYS_FAULT_DIR: faults,
      },
      onEvent,
    });
    expect(result.status).toBe('ready');
    expect(result.counts).toMatchObject({
      ratings: fixture.expectedRatings.size,
      rejectedRows: fixture.expectedRejects.length,
    });
    const injected = readFileSync(join(faults, 'cassandra.log'), 'utf8').trim().split('\n');
    const applied = injected.filter((line) => line.endsWith(':applied')).length;
    // Enough faults of both kinds that the result means something.
    expect(injected.length).toBeGreaterThan(20);
    expect(applied).toBeGreaterThan(5);
    await expectExactIngest(db, 'throttled');
    const kinds: Record<string, number> = {};
    for (const line of injected) kinds[line] = (kinds[line] ?? 0) + 1;
    record('cassandra-throttling', {
      rows: fixture.expectedRatings.size,
      quarantined: fixture.expectedRejects.length,
      chunks: result.counts.chunks,
      faultsInjected: injected.length,
      faultsAfterTheWriteApplied: applied,
      byKind: kinds,
      taskRetries: retried.length,
      lostRows: 0,
      duplicatedRows: 0,
    });
  });

  it('an S3 read failing once (503 SlowDown) is retried and the result is exact', async () => {
    const keyspace = `ft_s3_${run}`;
    const db = keyspaces.open(keyspace);
    const faults = faultDir();
    const { events: retried, onEvent } = eventsOfType('StateRetried');
    const result = await ingestFixture(fixture, 's3-read', keyspace, {
      handlerEnv: { RECSYS_FAULT_S3_READ_ONCE: 'ratings.csv', RECSYS_FAULT_DIR: faults },
      onEvent,
    });
    expect(result.status).toBe('ready');
    const markers = readdirSync(faults).filter((f) => f.startsWith('s3-read'));
    // Every distinct read of ratings.csv (validation's head, each chunk's range) failed once.
    const chunks = result.counts.chunks ?? 0;
    expect(chunks).toBeGreaterThanOrEqual(2);
    expect(markers.length).toBeGreaterThanOrEqual(chunks + 1);
    expect(retried.length).toBe(markers.length);
    expect(retried.filter((e) => e.stateName === 'IngestChunk')).toHaveLength(chunks);
    await expectExactIngest(db, 's3-read');
    record('s3-read-once', {
      readsFailedOnce: markers.length,
      taskRetries: retried.length,
      retriedStates: [...new Set(retried.map((e) => e.stateName))],
      rows: fixture.expectedRatings.size,
    });
  });

  it('a chunk failing once after its writes is retried and leaves the same rows', async () => {
    const keyspace = `ft_chunk_once_${run}`;
    const db = keyspaces.open(keyspace);
    const markers = faultDir();
    const { events: retried, onEvent } = eventsOfType('StateRetried');
    await ingestFixture(fixture, 'chunk-once', keyspace, {
      handlerEnv: { RECSYS_FAULT_ONCE: 'chunk-1', RECSYS_FAULT_DIR: markers },
      onEvent,
    });
    expect(readdirSync(markers)).toEqual(['chunk-1.failed-once']);
    expect(retried.map((e) => [e.stateName, e.index])).toEqual([['IngestChunk', 1]]);
    await expectExactIngest(db, 'chunk-once');
  });
});

describe('training under transient faults', () => {
  const OPTIONS = { rank: 5, iterations: 3 } satisfies AlsOptions;
  const { table, reference, request: training } = faultTraining(OPTIONS);
  const request = { ...training, activate: false };
  let db: Awaited<ReturnType<typeof freshStore>>;
  let models: S3Store;

  beforeAll(async () => {
    db = await freshStore('faults_train');
    await insertRatings(db, table);
    models = trainBucket();
  });
  afterAll(() => cleanUpTraining(models, db));

  it('10 % of all Tasks failing once at random (seeded): bit-identical factors and top-N lists', async () => {
    const clean = `clean-${run}`;
    await trainLocally(db.keyspace, { request: { ...request, modelId: clean } });

    const faulty = `random-faults-${run}`;
    const faults = faultDir();
    const { events: retried, onEvent } = eventsOfType('StateRetried');
    const result = await trainLocally(db.keyspace, {
      request: { ...request, modelId: faulty },
      handlerEnv: { RECSYS_FAULT_RATE: '0.1', RECSYS_FAULT_SEED: '2026', RECSYS_FAULT_DIR: faults },
      onEvent,
    });
    const injected = readdirSync(faults).filter((f) => f.endsWith('.failed-once'));
    expect(injected.length).toBeGreaterThanOrEqual(3);
    expect(retried).toHaveLength(injected.length);
    expect(differences(await publishedModel(models, faulty), reference.model)).toEqual([]);
    expect(differences(await publishedModel(models, clean), reference.model)).toEqual([]);
    expect(result.rmse).toBe(reference.rmse);
    for (const user of [...reference.model.userIds.ids].slice(0, 20)) {
      expect(await readRankedList(db, 'recommendations', faulty, user, 50)).toEqual(
        await readRankedList(db, 'recommendations', clean, user, 50),
      );
    }
    record('training-random-task-failures', {
      rate: 0.1,
      seed: 2026,
      taskFailuresInjected: injected.length,
      retries: retried.length,
      failedTargets: injected.map((f) => f.replace('.failed-once', '')),
      factorsBitIdentical: true,
    });
  });

  it('Keyspaces-style throttling during training: identical factors, complete top-N lists', async () => {
    const modelId = `throttled-${run}`;
    const faults = faultDir();
    await trainLocally(db.keyspace, {
      request: { ...request, modelId },
      handlerEnv: {
        RECSYS_FAULT_CASSANDRA_RATE: '0.1',
        RECSYS_FAULT_CASSANDRA_SEED: '5',
        RECSYS_FAULT_DIR: faults,
      },
    });
    const injected = existsSync(join(faults, 'cassandra.log'))
      ? readFileSync(join(faults, 'cassandra.log'), 'utf8').trim().split('\n')
      : [];
    expect(injected.length).toBeGreaterThan(3);
    expect(differences(await publishedModel(models, modelId), reference.model)).toEqual([]);
    for (const user of [...reference.model.userIds.ids].slice(0, 20)) {
      expect((await readRankedList(db, 'recommendations', modelId, user, 50)).length).toBe(
        (await readRankedList(db, 'recommendations', `clean-${run}`, user, 50)).length,
      );
    }
    record('training-cassandra-throttling', {
      statementFaultsInjected: injected.length,
      factorsBitIdentical: true,
    });
  });
});
