import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import { createApiHandler } from '../../lambdas/services/api/app.ts';
import { migrateWithRoles } from '../../scripts/runtime/cassandra/roles.ts';
import { runLocalIngest } from '../../scripts/runtime/ingest/run-local-ingest.ts';
import { startLocalServer, type RunningServer } from '../../scripts/runtime/serve/local-server.ts';
import {
  API_ROLE,
  functionRoles,
  roleEnvironment,
  type FunctionRole,
} from '../../statemachines/function-roles.ts';
import { TestKeyspaces } from '../support/cassandra.ts';
import { writeBadRowsFixture, type BadRowsFixture } from '../support/ingest-fixture.ts';

/**
 * The local Cassandra enforces logins and grants the way Amazon Keyspaces enforces IAM: every
 * deployed function logs in as its own role, granted exactly the tables the stack's policy names
 * (scripts/runtime/cassandra/roles.ts). Taking one grant away must fail the route or the step that
 * needs it, as it would on AWS; the full grants must let them through.
 */

const run = randomBytes(3).toString('hex');
const BUCKET = 'recsys-it-grants';
const keyspaces = new TestKeyspaces();

/**
 * The stack's roles with one table's permission taken from one function, which logs in as a role of
 * its own (`…_narrowed`): the server caches a role's permissions for a few seconds, so the stack's
 * role must not change grants under a running test.
 */
function without(
  fn: string,
  permission: 'select' | 'modify',
  table: string,
): readonly FunctionRole[] {
  return functionRoles().map((role) =>
    role.function !== fn
      ? role
      : {
          ...role,
          role: `${role.role}_narrowed`,
          access: {
            ...role.access,
            [permission]: (role.access[permission] ?? []).filter((t) => t !== table),
          },
        },
  );
}

afterAll(async () => {
  await keyspaces.dropAll();
});

describe('the local Cassandra enforces logins and grants', () => {
  const keyspace = `it_grants_login_${run}`;

  it('refuses a role a table it was not granted, and a wrong password', async () => {
    const admin = keyspaces.open(keyspace);
    await migrateWithRoles(admin);
    // The ingest Finish step may modify `datasets` but not read ratings.
    const finish = functionRoles().find((r) => r.function === 'FinishFunctionArn')!;
    const asFinish = new CassandraStore(
      cassandraConfigFromEnv({
        ...process.env,
        RECSYS_KEYSPACE: keyspace,
        ...roleEnvironment(finish.role),
      }),
    );
    try {
      await expect(
        asFinish.execute(`SELECT * FROM ${asFinish.table('ratings_by_user')} LIMIT 1`),
      ).rejects.toThrow(/has no SELECT permission on <table [a-z0-9_]+\.ratings_by_user>/);
    } finally {
      await asFinish.shutdown();
    }
    const wrongPassword = new CassandraStore(
      cassandraConfigFromEnv({
        ...process.env,
        RECSYS_KEYSPACE: keyspace,
        CASSANDRA_USERNAME: finish.role,
        CASSANDRA_PASSWORD: 'not-its-password',
      }),
    );
    try {
      await expect(wrongPassword.connect()).rejects.toThrow(/password|credentials/i);
    } finally {
      await wrongPassword.shutdown();
    }
  });
});

describe('an API route without the grant it needs', () => {
  const keyspace = `it_grants_api_${run}`;
  let admin: CassandraStore;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    admin = keyspaces.open(keyspace);
    await admin.migrate();
    await admin.execute(
      `INSERT INTO ${admin.table('movies')} (movie_id, title, genres) VALUES (?, ?, ?)`,
      [1, 'Toy Story (1995)', ['Animation']],
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /** The real API handler behind the local server, logged in as the API role of `roles`. */
  async function apiAs(roles: readonly FunctionRole[]): Promise<string> {
    await migrateWithRoles(admin, roles);
    const api = roles.find((r) => r.function === API_ROLE.function)!;
    const server = await startLocalServer({
      handler: createApiHandler({
        env: {
          ...process.env,
          RECSYS_KEYSPACE: keyspace,
          RECSYS_BUCKET: BUCKET,
          RECSYS_API_KEY: 'grants-test',
          ...roleEnvironment(api.role),
        },
      }),
      port: 0,
    });
    servers.push(server);
    return server.url;
  }

  const putRating = (url: string, userId: number) =>
    fetch(`${url}/users/${userId}/ratings/1`, {
      method: 'PUT',
      headers: { 'x-api-key': 'grants-test', 'content-type': 'application/json' },
      body: JSON.stringify({ rating: 4.5 }),
    });

  it('PUT /users/{id}/ratings/{movieId} fails without Modify on data_changes, works with it', async () => {
    const narrowed = await apiAs(without('Api', 'modify', 'data_changes'));
    const refused = await putRating(narrowed, 7);
    expect(refused.status).toBe(500);
    expect(await refused.json()).toMatchObject({ error: { status: 500, code: 'internal' } });

    const full = await apiAs(functionRoles());
    const stored = await putRating(full, 8);
    expect(stored.status, await stored.clone().text()).toBe(200);
    const row = await admin.execute(
      `SELECT rating FROM ${admin.table('ratings_by_user')} WHERE user_id = ? AND movie_id = ?`,
      [8, 1],
    );
    expect(row.first()?.get('rating')).toBe(4.5);
  });

  it('PUT and DELETE of a rating fail without Modify on rating_changes_by_movie, work with it', async () => {
    const narrowed = await apiAs(without('Api', 'modify', 'rating_changes_by_movie'));
    const refused = await putRating(narrowed, 9);
    expect(refused.status).toBe(500);
    const refusedDelete = await fetch(`${narrowed}/users/9/ratings/1`, {
      method: 'DELETE',
      headers: { 'x-api-key': 'grants-test' },
    });
    expect(refusedDelete.status).toBe(500);

    const full = await apiAs(functionRoles());
    const stored = await putRating(full, 10);
    expect(stored.status, await stored.clone().text()).toBe(200);
    const change = () =>
      admin.execute(
        `SELECT rated FROM ${admin.table('rating_changes_by_movie')} WHERE movie_id = ? AND user_id = ?`,
        [1, 10],
      );
    expect((await change()).first()?.get('rated')).toBe(true);
    const deleted = await fetch(`${full}/users/10/ratings/1`, {
      method: 'DELETE',
      headers: { 'x-api-key': 'grants-test' },
    });
    expect(deleted.status, await deleted.clone().text()).toBe(200);
    expect((await change()).first()?.get('rated')).toBe(false);
  });
});

describe('an ingest step without the grant it needs', () => {
  const keyspace = `it_grants_ingest_${run}`;
  let fixture: BadRowsFixture;
  let s3: S3Store;

  beforeAll(() => {
    fixture = writeBadRowsFixture();
    s3 = new S3Store(s3ConfigFromEnv({ ...process.env, RECSYS_BUCKET: BUCKET }));
  });
  afterAll(async () => {
    rmSync(fixture.dir, { recursive: true, force: true });
    await s3.deleteByPrefix('datasets/').catch(() => undefined);
    await s3.deleteByPrefix('quarantine/').catch(() => undefined);
    s3.destroy();
  });

  it('the chunk step fails without Modify on ratings_by_user, as on Keyspaces', async () => {
    keyspaces.open(keyspace);
    const attempt = runLocalIngest({
      dir: fixture.dir,
      dataset: 'grants',
      keyspace,
      bucket: BUCKET,
      log: () => undefined,
      roles: without('ChunkFunctionArn', 'modify', 'ratings_by_user'),
    });
    await expect(attempt).rejects.toThrow(
      /has no MODIFY permission on <table [a-z0-9_]+\.ratings_by_user>/,
    );
  });
});
