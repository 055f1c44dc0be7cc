import { describe, expect, it } from 'vitest';
import { API_READ_TABLES, API_WRITE_TABLES } from '../../lambdas/api/table-access.ts';
import {
  parseTableGrant,
  reconcileGrantsCql,
  tableGrants,
} from '../../lambdas/core/schema/render-grants.ts';
import { TABLES } from '../../lambdas/core/schema/tables.ts';
import { withFunctionRoles } from '../../scripts/runtime/cassandra/roles.ts';
import { functionRoles } from '../../statemachines/function-roles.ts';
import { INGEST_FUNCTIONS } from '../../statemachines/ingest.functions.ts';
import { TRAIN_FUNCTIONS } from '../../statemachines/train.functions.ts';

describe('table grants from an access list', () => {
  it('lists each permission on each table once, sorted by table', () => {
    expect(tableGrants({ select: ['movies', 'datasets', 'movies'], modify: ['datasets'] })).toEqual(
      [
        { permission: 'MODIFY', table: 'datasets' },
        { permission: 'SELECT', table: 'datasets' },
        { permission: 'SELECT', table: 'movies' },
      ],
    );
    expect(tableGrants({})).toEqual([]);
  });

  it('refuses a table name that is not a plain identifier', () => {
    expect(() => tableGrants({ select: ['movies; DROP TABLE x'] })).toThrow(/invalid/);
  });

  it('reads table grants of one keyspace from LIST PERMISSIONS rows and ignores the rest', () => {
    expect(parseTableGrant('recsys', '<table recsys.movies>', 'SELECT')).toEqual({
      permission: 'SELECT',
      table: 'movies',
    });
    expect(parseTableGrant('recsys', '<table other.movies>', 'SELECT')).toBeUndefined();
    expect(parseTableGrant('recsys', '<keyspace recsys>', 'SELECT')).toBeUndefined();
    expect(parseTableGrant('recsys', '<table recsys.movies>', 'ALTER')).toBeUndefined();
  });

  it('revokes what is no longer wanted and grants only what is missing', () => {
    const current = [
      { permission: 'SELECT', table: 'movies' },
      { permission: 'MODIFY', table: 'movies' },
    ] as const;
    const wanted = [
      { permission: 'SELECT', table: 'movies' },
      { permission: 'MODIFY', table: 'data_changes' },
    ] as const;
    expect(reconcileGrantsCql('ks', 'recsys_api', current, wanted)).toEqual([
      'REVOKE MODIFY ON TABLE ks.movies FROM recsys_api',
      'GRANT MODIFY ON TABLE ks.data_changes TO recsys_api',
    ]);
    expect(reconcileGrantsCql('ks', 'recsys_api', wanted, wanted)).toEqual([]);
  });
});

describe('one local role per deployed function, from the lists the stack deploys', () => {
  const roles = functionRoles();

  it('covers every pipeline function and the API, each under its own role name', () => {
    const functions = [...Object.keys(INGEST_FUNCTIONS), ...Object.keys(TRAIN_FUNCTIONS), 'Api'];
    expect(roles.map((r) => r.function).sort()).toEqual(functions.sort());
    const names = roles.map((r) => r.role);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^recsys_[a-z0-9_]+$/);
    expect(names).toContain('recsys_ingest_chunk');
    expect(names).toContain('recsys_train_top_n');
  });

  it('grants each function exactly its IAM access list', () => {
    const byFunction = new Map(roles.map((r) => [r.function, r.access]));
    for (const [name, spec] of Object.entries({ ...INGEST_FUNCTIONS, ...TRAIN_FUNCTIONS })) {
      expect(byFunction.get(name), name).toEqual('tables' in spec ? spec.tables : {});
    }
    expect(byFunction.get('Api')).toEqual({ select: API_READ_TABLES, modify: API_WRITE_TABLES });
  });

  it('names only tables the schema has', () => {
    const known = new Set(TABLES.map((t) => t.name));
    for (const { role, access } of roles) {
      for (const grant of tableGrants(access)) expect(known, `${role}`).toContain(grant.table);
    }
  });

  it('gives each local handler binding its role login', () => {
    const bindings = withFunctionRoles(INGEST_FUNCTIONS);
    expect(bindings.ChunkFunctionArn.env).toEqual({
      CASSANDRA_USERNAME: 'recsys_ingest_chunk',
      CASSANDRA_PASSWORD: 'recsys_ingest_chunk-local',
    });
    expect(bindings.ChunkFunctionArn.module).toBe(INGEST_FUNCTIONS.ChunkFunctionArn.module);
  });
});
