import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import { localChunkBytes } from '../../lambdas/core/ingest/chunk-boundaries.ts';
import { parseQuarantineCsv } from '../../lambdas/core/ingest/quarantine.ts';
import { RATINGS_TABLES } from '../../lambdas/core/ingest/write-budget.ts';
import { countStoredRows, readDatasetStatus } from '../../lambdas/services/datasets/registry.ts';
import type { LocalSfnEvent } from '../../scripts/runtime/local-sfn/index.ts';
import { TestKeyspaces } from '../support/cassandra.ts';
import { FakeKeyspacesControlPlane } from '../support/fake-keyspaces-control.ts';
import { writeBadRowsFixture, type BadRowsFixture } from '../support/ingest-fixture.ts';
import { localIngest } from '../support/ingest-run.ts';
import { expectMlSmallPresent, ML_SMALL_DIR } from '../support/movielens-small.ts';

// The same data set the unit tests find (honours RECSYS_ML_SMALL_DIR).
const ML_SMALL = ML_SMALL_DIR;
const BUCKET = 'recsys-it-ingest';
const run = randomBytes(3).toString('hex');
const keyspaces = new TestKeyspaces();
let s3: S3Store;

const { ingest, ingestFixture } = localIngest(BUCKET);

beforeAll(() => {
  s3 = new S3Store(s3ConfigFromEnv({ ...process.env, RECSYS_BUCKET: BUCKET }));
});

afterAll(async () => {
  await keyspaces.dropAll();
  await s3?.deleteByPrefix('datasets/').catch(() => undefined);
  await s3?.deleteByPrefix('quarantine/').catch(() => undefined);
  s3?.destroy();
});

describe('ingesting ml-latest-small', () => {
  const keyspace = `it_ingest_small_${run}`;
  const expected = { ratings: 100_836, movies: 9_742, users: 610, tags: 3_683 };

  it('stores exactly the published counts, and the same after ingesting it again', async () => {
    expectMlSmallPresent();
    const db = keyspaces.open(keyspace);
    // One chunk per worker thread, as `recsys ingest` plans them on one machine.
    const bytes = statSync(join(ML_SMALL, 'ratings.csv')).size;
    const chunks = Math.ceil(bytes / localChunkBytes(bytes, availableParallelism()));
    for (let attempt = 1; attempt <= 2; attempt++) {
      const result = await ingest({ dir: ML_SMALL, dataset: 'ml-latest-small', keyspace });
      expect(result.status).toBe('ready');
      expect(result.counts).toMatchObject({ ...expected, rejectedRows: 0, chunks });
      expect(result.rejected).toEqual({});
      expect(await countStoredRows(db)).toEqual(expected);
    }
    const status = await readDatasetStatus(db);
    expect(status).toMatchObject({ dataset: 'ml-latest-small', status: 'ready' });
    expect(status!.counts).toMatchObject(expected);

    const charts = await db.execute(
      `SELECT chart, data FROM ${db.table('dataset_stats')} WHERE dataset = ?`,
      ['ml-latest-small'],
    );
    const byName = new Map(charts.rows.map((r) => [r.get('chart'), JSON.parse(r.get('data'))]));
    expect([...byName.keys()]).toHaveLength(7);
    const bins = byName.get('movies_per_rating_count').bins as { movies: number }[];
    expect(bins.reduce((sum, bin) => sum + bin.movies, 0)).toBe(expected.movies);
    expect(byName.get('user_rating_count_vs_mean').points).toHaveLength(expected.users);
    expect(byName.get('movie_rating_count_vs_mean').points).toHaveLength(2000);

    // The CLI contract: `recsys stats --json` reads the same counts.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/recsys.mjs', 'stats', '--json', '--keyspace', keyspace],
      { cwd: join(import.meta.dirname, '../..') },
    );
    const lastLine = stdout.trim().split('\n').pop()!;
    expect(JSON.parse(lastLine)).toMatchObject(expected);
  });
});

describe('ingesting a data set with bad rows', () => {
  let fixture: BadRowsFixture;
  const keyspace = `it_ingest_bad_${run}`;

  beforeAll(() => {
    fixture = writeBadRowsFixture();
  });
  afterAll(() => rmSync(fixture.dir, { recursive: true, force: true }));

  it('stores every good row (latest duplicate wins) and quarantines every bad one', async () => {
    const db = keyspaces.open(keyspace);
    const result = await ingestFixture(fixture, 'bad-rows', keyspace);
    expect(result.status).toBe('ready');
    expect(result.counts.chunks).toBeGreaterThanOrEqual(2);
    expect(result.counts).toMatchObject({
      ratings: fixture.expectedRatings.size,
      movies: fixture.movies,
      tags: fixture.tags,
      rejectedRows: fixture.expectedRejects.length,
      skippedLines: fixture.blankLines + 1, // and the header
    });
    const byReason: Record<string, number> = {};
    for (const { reason } of fixture.expectedRejects)
      byReason[reason] = (byReason[reason] ?? 0) + 1;
    expect(result.rejected).toEqual(byReason);

    const stored = new Map<string, number>();
    for await (const row of db.rows(
      `SELECT user_id, movie_id, rating FROM ${db.table('ratings_by_user')}`,
    )) {
      stored.set(`${row.get('user_id')}:${row.get('movie_id')}`, row.get('rating') as number);
    }
    expect(stored).toEqual(fixture.expectedRatings);
    // Each rating is written once: the by-movie table holds only the API's changes.
    let changes = 0;
    for await (const _row of db.rows(`SELECT movie_id FROM ${db.table('rating_changes_by_movie')}`))
      changes++;
    expect(changes).toBe(0);

    const quarantined: { line: number; reason: string }[] = [];
    for (const key of result.quarantineKeys) {
      expect(key).toMatch(/^quarantine\/bad-rows\/\d{5}\.csv$/);
      for (const row of parseQuarantineCsv(await s3.getText(key))) {
        quarantined.push({ line: row.line, reason: row.reason });
      }
    }
    quarantined.sort((a, b) => a.line - b.line);
    expect(quarantined).toEqual(fixture.expectedRejects);

    const titles = await db.execute(`SELECT title, imdb_id, tmdb_id FROM ${db.table('movies')}`);
    expect(titles.rows.map((r) => r.get('title')).sort()).toEqual([...fixture.titles].sort());
  });

  it('refuses a second, different data set in the same keyspace', async () => {
    await expect(ingestFixture(fixture, 'another-one', keyspace)).rejects.toThrow(
      /DatasetConflict.*already holds data set bad-rows/,
    );
  });
});

describe('a chunk that fails once', () => {
  it('is retried by the state machine and the counts stay exact', async () => {
    const fixture = writeBadRowsFixture();
    const markers = mkdtempSync(join(tmpdir(), 'recsys-fault-'));
    const keyspace = `it_ingest_fault_${run}`;
    keyspaces.open(keyspace);
    const retried: LocalSfnEvent[] = [];
    const failed: LocalSfnEvent[] = [];
    try {
      const result = await ingestFixture(fixture, 'fault', keyspace, {
        handlerEnv: { RECSYS_FAULT_ONCE: 'chunk-1', RECSYS_FAULT_DIR: markers },
        onEvent: (event) => {
          if (event.type === 'StateRetried') retried.push(event);
          if (event.type === 'StateFailed') failed.push(event);
        },
      });
      expect(readdirSync(markers)).toEqual(['chunk-1.failed-once']);
      expect(retried).toHaveLength(1);
      expect(retried[0]).toMatchObject({ stateName: 'IngestChunk', index: 1 });
      expect(failed).toEqual([
        expect.objectContaining({ stateName: 'IngestChunk', index: 1, error: 'TransientError' }),
      ]);
      expect(result.counts).toMatchObject({
        ratings: fixture.expectedRatings.size,
        rejectedRows: fixture.expectedRejects.length,
      });
    } finally {
      rmSync(fixture.dir, { recursive: true, force: true });
      rmSync(markers, { recursive: true, force: true });
    }
  });
});

describe('an ingestion paced to a Keyspaces table’s write rate', () => {
  it('keeps every writer to its share of the rate and stores the same rows', async () => {
    const fixture = writeBadRowsFixture();
    const keyspace = `it_ingest_paced_${run}`;
    keyspaces.open(keyspace);
    const rate = 4_000;
    const entered: string[] = [];
    try {
      // What the stack tells Validate on AWS (RECSYS_TABLE_WRITE_UNITS): 4,000 WRU/s on the
      // ratings table makes 2 chunks at once, each at a chunk writer's 2,000 ratings/s
      // (write-budget.ts).
      const result = await ingestFixture(fixture, 'paced', keyspace, {
        handlerEnv: { RECSYS_TABLE_WRITE_UNITS: String(rate) },
        onEvent: (event) => {
          if (event.type === 'StateEntered' && event.index === undefined) {
            entered.push(event.stateName!);
          }
        },
      });
      // No capacity switch asked (on-demand): the Choice skips every Keyspaces SDK Task, which
      // a local run could not perform (it would stop the run, saying so).
      expect(entered.slice(0, 5)).toEqual([
        'Validate',
        'Plan',
        'CapacitySwitchRequested',
        'OnDemandPace',
        'IngestChunks',
      ]);
      expect(entered).not.toContain('DescribeRatingsTables');
      expect(result.counts).toMatchObject({
        ratings: fixture.expectedRatings.size,
        rejectedRows: fixture.expectedRejects.length,
      });
      // The summary says how the ratings were written: on-demand, no switch asked for.
      expect(result.capacity).toEqual({
        mode: 'on-demand',
        chunkConcurrency: 2,
        writeRatingsPerSecond: 2_000,
      });
      // Both tables at once, each at no more than its rate.
      const floor = result.counts.rowsAccepted! / rate;
      expect(result.seconds.chunks).toBeGreaterThanOrEqual(floor * 0.9);
    } finally {
      rmSync(fixture.dir, { recursive: true, force: true });
    }
  });
});

/**
 * The capacity switch of a provisioned load (-c ingestCapacity=provisioned): the real ASL and
 * handlers against Cassandra and S3, the Keyspaces SDK Tasks answered by a fake control plane that
 * keeps Keyspaces' 24-hour rules (test/support/fake-keyspaces-control.ts).
 */
describe('an ingestion that switches the ratings tables to provisioned capacity', () => {
  const HOUR = 3600 * 1000;
  const WCU = 8_000;
  const provisionedEnv = {
    RECSYS_TABLE_WRITE_UNITS: String(WCU),
    RECSYS_INGEST_CAPACITY: 'provisioned',
  };

  async function switchedIngest(
    name: string,
    control: (keyspace: string) => FakeKeyspacesControlPlane,
  ) {
    const fixture = writeBadRowsFixture();
    const keyspace = `it_ingest_${name.replace(/-/g, '_')}_${run}`;
    keyspaces.open(keyspace);
    const plane = control(keyspace);
    const entered: string[] = [];
    const paces: number[] = [];
    try {
      const outcome = await ingestFixture(fixture, name, keyspace, {
        workers: 2,
        handlerEnv: provisionedEnv,
        sdkCalls: plane.sdkCalls(),
        onEvent: (event) => {
          if (event.type !== 'StateEntered') return;
          if (event.index === undefined) entered.push(event.stateName!);
          if (event.stateName === 'IngestChunk') {
            paces.push((event.input as { writeRatingsPerSecond: number }).writeRatingsPerSecond);
          }
        },
      }).then(
        (summary) => ({ summary }),
        (error: unknown) => ({ error: error as Error }),
      );
      return { outcome, plane, entered, paces, fixture };
    } finally {
      rmSync(fixture.dir, { recursive: true, force: true });
    }
  }
  const tablesOf = (keyspace: string, ageMs: number, lastOnDemandMsAgo?: number) => {
    const plane = new FakeKeyspacesControlPlane(keyspace);
    for (const table of RATINGS_TABLES) {
      plane.addTable(table, ageMs, lastOnDemandMsAgo);
    }
    return plane;
  };

  it('raises the tables before the chunk Map, waits for ACTIVE, paces to the WCU and restores on-demand after', async () => {
    const { outcome, plane, entered, paces, fixture } = await switchedIngest('switched', (ks) =>
      tablesOf(ks, 30 * 24 * HOUR, 48 * HOUR),
    );
    expect('summary' in outcome && outcome.summary.status).toBe('ready');
    expect(entered).toEqual([
      'Validate',
      'Plan',
      'CapacitySwitchRequested',
      'DescribeRatingsTables',
      'SwitchAllowed',
      'RaiseCapacity',
      'ProvisionedPace',
      'IngestChunks',
      'CapacityToRestore',
      'RestoreCapacity',
      'AfterChunks',
      'Catalogue',
      'Aggregate',
      'MarkReady',
      'TrainAfter',
      'Done',
    ]);
    const updates = plane.calls.filter((c) => c.action === 'updateTable');
    expect(updates.map((c) => `${c.table} ${c.mode}`).sort()).toEqual(
      RATINGS_TABLES.flatMap((t) => [`${t} PAY_PER_REQUEST`, `${t} PROVISIONED`]).sort(),
    );
    // Every raise (at the WCU asked for) before any switch back; the Map waited for ACTIVE
    // (two polls per switch in the fake) before any chunk ran.
    const raises = RATINGS_TABLES.length;
    expect(updates.slice(0, raises).map((c) => [c.mode, c.writeUnits])).toEqual(
      RATINGS_TABLES.map(() => ['PROVISIONED', WCU]),
    );
    // Per table: the 24-hour check, two polls of the raise, the look before the switch back.
    expect(plane.calls.filter((c) => c.action === 'getTable')).toHaveLength(4 * raises);
    for (const table of plane.tables.values()) expect(table.mode).toBe('PAY_PER_REQUEST');
    // The chunk writers took their share of the provisioned WCU (2 at once), not the 4,000 WRU/s
    // of on-demand tables.
    expect(new Set(paces)).toEqual(new Set([WCU / 2]));
    expect('summary' in outcome && outcome.summary.capacity).toEqual({
      mode: 'provisioned',
      writeUnits: WCU,
      chunkConcurrency: 2,
      writeRatingsPerSecond: WCU / 2,
    });
    expect('summary' in outcome && outcome.summary.counts.ratings).toBe(
      fixture.expectedRatings.size,
    );
  });

  it('stays on-demand when a table returned to on-demand less than 24 h ago (it could not switch back)', async () => {
    const { outcome, plane, entered, paces } = await switchedIngest('too-soon', (ks) =>
      tablesOf(ks, 30 * 24 * HOUR, 3 * HOUR),
    );
    expect('summary' in outcome && outcome.summary.status).toBe('ready');
    expect(entered.slice(2, 7)).toEqual([
      'CapacitySwitchRequested',
      'DescribeRatingsTables',
      'SwitchAllowed',
      'CapacitySwitchSkipped',
      'OnDemandPace',
    ]);
    expect(entered).not.toContain('RaiseCapacity');
    expect(entered).not.toContain('RestoreCapacity');
    expect(plane.calls.filter((c) => c.action === 'updateTable')).toEqual([]);
    // The on-demand fallback's pace: a new table's 4,000 WRU/s shared by 2 writers.
    expect(new Set(paces)).toEqual(new Set([2_000]));
    // The summary says the switch was asked for and why it was not made.
    const capacity = 'summary' in outcome ? outcome.summary.capacity : undefined;
    expect(capacity).toMatchObject({ mode: 'on-demand', writeRatingsPerSecond: 2_000 });
    expect(capacity?.switchSkipped).toMatch(/24 h/);
  });

  it('stays on-demand for tables created less than 24 h ago (a new stack)', async () => {
    const { entered, plane } = await switchedIngest('new-stack', (ks) => tablesOf(ks, 2 * HOUR));
    expect(entered).toContain('CapacitySwitchSkipped');
    expect(plane.calls.filter((c) => c.action === 'updateTable')).toEqual([]);
  });

  it('returns a raised table to on-demand when the raise fails halfway, and marks the data set failed', async () => {
    let updates = 0;
    const { outcome, plane, entered } = await switchedIngest('raise-fails', (ks) => {
      const fake = tablesOf(ks, 30 * 24 * HOUR);
      // The last table's raise is refused (a quota): the others are already provisioned.
      const calls = fake.sdkCalls();
      const update = calls['keyspaces:updateTable']!;
      fake.sdkCalls = () => ({
        ...calls,
        'keyspaces:updateTable': async (parameters) => {
          const spec = parameters.CapacitySpecification as { ThroughputMode: string };
          if (spec.ThroughputMode === 'PROVISIONED' && ++updates === RATINGS_TABLES.length) {
            fake.failUpdatesTo = 'PROVISIONED';
          }
          return update(parameters);
        },
      });
      return fake;
    });
    expect('error' in outcome && outcome.error.message).toMatch(
      /Keyspaces\.ServiceQuotaExceededException/,
    );
    expect(entered).toEqual(
      expect.arrayContaining(['RaiseCapacity', 'RestoreCapacity', 'AfterChunks', 'MarkFailed']),
    );
    expect(entered).not.toContain('IngestChunks');
    expect(entered.indexOf('RestoreCapacity')).toBeLessThan(entered.indexOf('MarkFailed'));
    // Whatever was raised went back: no table is left provisioned.
    for (const table of plane.tables.values()) expect(table.mode).toBe('PAY_PER_REQUEST');
    // Each table raised before the refusal went back to on-demand.
    expect(
      plane.calls.filter((c) => c.action === 'updateTable' && c.mode === 'PAY_PER_REQUEST'),
    ).toHaveLength(RATINGS_TABLES.length - 1);
  });
});
