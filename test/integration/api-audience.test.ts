/**
 * Who rated a movie, after ingestion stopped writing a by-movie ratings table: the real ingest and
 * train state machines on a real Cassandra and S3 endpoint, then the real API handler. The
 * audience route must leave out exactly the users who rated the movie in the ratings file (the
 * raters index training published), and the API's own rating writes must count at once: a rating
 * PUT takes its user out of the audience, a DELETE brings them back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Store } from '../../lambdas/adapters/s3.ts';
import { createApiHandler } from '../../lambdas/services/api/app.ts';
import { runLocalIngest } from '../../scripts/runtime/ingest/run-local-ingest.ts';
import { writeDataset } from '../../scripts/runtime/datasets/write-dataset.ts';
import { startLocalServer, type RunningServer } from '../../scripts/runtime/serve/local-server.ts';
import { freshStore } from '../support/cassandra.ts';
import {
  TRAIN_BUCKET,
  cleanUpTraining,
  trainBucket,
  trainLocally,
} from '../support/train-fixture.ts';

const KEY = 'audience-test';
let db: Awaited<ReturnType<typeof freshStore>>;
let s3: S3Store;
let server: RunningServer;
let dir: string;
/** movie → the users who rated it, read from ratings.csv here (not from anything the code wrote). */
const ratersInFile = new Map<number, Set<number>>();
const usersInFile = new Set<number>();

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { 'x-api-key': KEY, 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

interface Audience {
  ratedBy: number;
  items: { userId: number }[];
}

async function audience(movieId: number): Promise<{ ratedBy: number; users: Set<number> }> {
  const reply = await call(`/movies/${movieId}/audience?limit=100`);
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  const body = reply.json as unknown as Audience;
  return { ratedBy: body.ratedBy, users: new Set(body.items.map((m) => m.userId)) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'recsys-audience-'));
  // 60 users: every non-rater fits one audience page (limit 100), so the page is exactly them.
  await writeDataset(dir, { ratings: 2_400, users: 60, movies: 120, seed: 11 });
  for (const line of readFileSync(join(dir, 'ratings.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [user, movie] = line.split(',').map(Number) as [number, number];
    usersInFile.add(user);
    let raters = ratersInFile.get(movie);
    if (!raters) ratersInFile.set(movie, (raters = new Set()));
    raters.add(user);
  }
  db = await freshStore('audience');
  s3 = trainBucket();
  await runLocalIngest({
    dir,
    dataset: 'audience',
    keyspace: db.keyspace,
    bucket: TRAIN_BUCKET,
    log: () => undefined,
  });
  // Three item blocks: the index has three parts, and a movie is looked up in its own.
  await trainLocally(db.keyspace, {
    request: { modelId: `audience-${db.keyspace}`, blocks: 3, options: { rank: 4, iterations: 2 } },
  });
  server = await startLocalServer({
    handler: createApiHandler({
      env: {
        ...process.env,
        RECSYS_KEYSPACE: db.keyspace,
        RECSYS_BUCKET: TRAIN_BUCKET,
        RECSYS_API_KEY: KEY,
      },
    }),
    port: 0,
  });
}, 600_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  await cleanUpTraining(s3, db);
});

describe('GET /movies/{movieId}/audience after ingest and training', () => {
  it('leaves out exactly the users who rated the movie in the ratings file', async () => {
    // The most and the least rated movies, and a few between.
    const byCount = [...ratersInFile].sort((a, b) => b[1].size - a[1].size);
    const picks = [0, 1, 7, 30, byCount.length - 1].map((i) => byCount[i]!);
    for (const [movieId, raters] of picks) {
      const { ratedBy, users } = await audience(movieId);
      expect(ratedBy, `movie ${movieId}`).toBe(raters.size);
      const expected = [...usersInFile].filter((u) => !raters.has(u)).sort((a, b) => a - b);
      expect(
        [...users].sort((a, b) => a - b),
        `movie ${movieId}`,
      ).toEqual(expected);
    }
  });

  it('drops a user who rates the movie through the API at once, and brings them back on DELETE', async () => {
    const [movieId, raters] = [...ratersInFile].sort((a, b) => b[1].size - a[1].size)[3]!;
    const before = await audience(movieId);
    const newcomer = [...before.users][0]!;
    expect(raters.has(newcomer)).toBe(false);

    const put = await call(`/users/${newcomer}/ratings/${movieId}`, {
      method: 'PUT',
      body: JSON.stringify({ rating: 4 }),
    });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    const rated = await audience(movieId);
    expect(rated.users.has(newcomer)).toBe(false);
    expect(rated.ratedBy).toBe(raters.size + 1);

    const removed = await call(`/users/${newcomer}/ratings/${movieId}`, { method: 'DELETE' });
    expect(removed.status, JSON.stringify(removed.json)).toBe(200);
    const back = await audience(movieId);
    expect(back.users).toEqual(before.users);
    expect(back.ratedBy).toBe(raters.size);
  });

  it('brings in a user whose rating from the file is deleted, and drops them when they rate again', async () => {
    const [movieId, raters] = [...ratersInFile].sort((a, b) => b[1].size - a[1].size)[5]!;
    const rater = [...raters].sort((a, b) => a - b)[0]!;
    expect((await audience(movieId)).users.has(rater)).toBe(false);

    const removed = await call(`/users/${rater}/ratings/${movieId}`, { method: 'DELETE' });
    expect(removed.status, JSON.stringify(removed.json)).toBe(200);
    const after = await audience(movieId);
    expect(after.users.has(rater)).toBe(true);
    expect(after.ratedBy).toBe(raters.size - 1);

    const again = await call(`/users/${rater}/ratings/${movieId}`, {
      method: 'PUT',
      body: JSON.stringify({ rating: 2.5 }),
    });
    expect(again.status, JSON.stringify(again.json)).toBe(200);
    const rerated = await audience(movieId);
    expect(rerated.users.has(rater)).toBe(false);
    expect(rerated.ratedBy).toBe(raters.size);
  });

  it('answers a movie not in the catalogue with a 404 and a bad id with a 400', async () => {
    // Not in the catalogue: 404 with a JSON reason, as before.
    const missing = await call('/movies/999999/audience');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { status: 404 } });
    const bad = await call('/movies/x/audience');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { status: 400 } });
  });
});
