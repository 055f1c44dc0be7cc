import { assertIdentifier } from './render-cql.ts';

/**
 * Amazon Keyspaces authorizes each statement against the caller's IAM policy: `cassandra:Select` on
 * a table for reads, `cassandra:Modify` for INSERT, UPDATE and DELETE. Apache Cassandra's
 * CassandraAuthorizer does the same with SELECT and MODIFY grants on a role, so a local role granted
 * exactly what a function's IAM policy grants refuses exactly what Keyspaces would refuse.
 *
 * One difference is deliberate: Cassandra wants SELECT as well as MODIFY for a conditional write
 * (`IF NOT EXISTS`, `IF col = …`), which reads before it writes. Erring on the strict side means a
 * grant that works here works on Keyspaces.
 */
export interface TableAccess {
  readonly select?: readonly string[];
  readonly modify?: readonly string[];
}

export type TablePermission = 'SELECT' | 'MODIFY';

/** One grant: a permission on one table of the keyspace. */
export interface TableGrant {
  readonly permission: TablePermission;
  readonly table: string;
}

/** The grants a function's access list asks for, each table once per permission, sorted. */
export function tableGrants(access: TableAccess): TableGrant[] {
  const grants = new Map<string, TableGrant>();
  const add = (permission: TablePermission, tables: readonly string[] = []) => {
    for (const table of tables) {
      assertIdentifier(table);
      grants.set(`${permission} ${table}`, { permission, table });
    }
  };
  add('SELECT', access.select);
  add('MODIFY', access.modify);
  return [...grants.values()].sort((a, b) =>
    a.table === b.table ? a.permission.localeCompare(b.permission) : a.table.localeCompare(b.table),
  );
}

/**
 * Parses a row of `LIST ALL PERMISSIONS OF role`: resource `<table ks.name>` and a permission.
 * Anything else (a keyspace-wide or role resource, another keyspace) is not a table grant here.
 */
export function parseTableGrant(
  keyspace: string,
  resource: string,
  permission: string,
): TableGrant | undefined {
  const match = /^<table (\w+)\.(\w+)>$/.exec(resource);
  if (!match || match[1] !== keyspace) return undefined;
  if (permission !== 'SELECT' && permission !== 'MODIFY') return undefined;
  return { permission, table: match[2]! };
}

/**
 * The GRANT and REVOKE statements that take a role from the grants it has on the keyspace's tables
 * to exactly the wanted ones (the rest of its permissions untouched).
 */
export function reconcileGrantsCql(
  keyspace: string,
  role: string,
  current: readonly TableGrant[],
  wanted: readonly TableGrant[],
): string[] {
  assertIdentifier(keyspace);
  assertIdentifier(role);
  const key = (g: TableGrant) => `${g.permission} ${g.table}`;
  const have = new Set(current.map(key));
  const want = new Set(wanted.map(key));
  return [
    ...current
      .filter((g) => !want.has(key(g)))
      .map((g) => `REVOKE ${g.permission} ON TABLE ${keyspace}.${g.table} FROM ${role}`),
    ...wanted
      .filter((g) => !have.has(key(g)))
      .map((g) => `GRANT ${g.permission} ON TABLE ${keyspace}.${g.table} TO ${role}`),
  ];
}
