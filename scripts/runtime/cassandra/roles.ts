import { LOCAL_SUPERUSER, type CassandraStore } from '../../../lambdas/adapters/cassandra.ts';
import {
  parseTableGrant,
  reconcileGrantsCql,
  tableGrants,
} from '../../../lambdas/core/schema/render-grants.ts';
import {
  functionRoles,
  roleEnvironment,
  roleOf,
  type FunctionRole,
} from '../../../statemachines/function-roles.ts';
import type { PipelineFunctions } from '../../../statemachines/pipeline-function.ts';

/**
 * Creates each role that is missing and brings its grants on `store`'s keyspace to exactly its
 * access list (revoking grants a narrower list no longer names). `store` logs in as the superuser.
 * Roles are global and grants per keyspace: provisioning one keyspace leaves the others' grants.
 */
export async function provisionRoles(
  store: CassandraStore,
  roles: readonly FunctionRole[] = functionRoles(),
): Promise<{ created: number; statements: number; enforced: boolean }> {
  if (store.config.mode !== 'local') {
    throw new Error('roles are provisioned on a local Cassandra; on AWS, IAM grants the access');
  }
  if (store.config.credentials.username !== LOCAL_SUPERUSER.username) {
    throw new Error('provisioning roles needs the local superuser');
  }
  let listed;
  try {
    listed = await store.execute('LIST ROLES');
    await store.execute(`LIST ALL PERMISSIONS OF ${LOCAL_SUPERUSER.username}`);
  } catch (error) {
    // A server someone else started without authentication or authorization (the stock image's
    // defaults): nothing to grant, and nothing would be enforced. Say so once, do not fail the run.
    const message = String((error as Error).message);
    if (!/not supported by AllowAll|logged in and not anonymous/i.test(message)) throw error;
    warnUnenforced(store.config.contactPoints.join(','));
    return { created: 0, statements: 0, enforced: false };
  }
  const existing = new Set(listed.rows.map((row) => String(row.get('role'))));
  let created = 0;
  let statements = 0;
  for (const { role, access } of roles) {
    if (!existing.has(role)) {
      const password = roleEnvironment(role).CASSANDRA_PASSWORD!;
      await store.execute(
        `CREATE ROLE IF NOT EXISTS ${role} WITH PASSWORD = '${password}' AND LOGIN = true`,
      );
      created += 1;
    }
    const permissions = await store.execute(`LIST ALL PERMISSIONS OF ${role} NORECURSIVE`);
    // A role with no permissions gets a void result, not an empty row set.
    const current = (permissions.rows ?? []).flatMap((row) => {
      const grant = parseTableGrant(
        store.keyspace,
        String(row.get('resource')),
        String(row.get('permission')),
      );
      return grant ? [grant] : [];
    });
    for (const cql of reconcileGrantsCql(store.keyspace, role, current, tableGrants(access))) {
      await store.execute(cql);
      statements += 1;
    }
  }
  return { created, statements, enforced: true };
}

let warned = false;
function warnUnenforced(server: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(
    `cassandra: ${server} does not enforce logins and grants (AllowAll authenticator/authorizer); the functions' roles are not checked there\n`,
  );
}

/** A pipeline's functions as local handler bindings, each logging in as its function's role. */
export function withFunctionRoles<T extends PipelineFunctions>(
  functions: T,
  roles: readonly FunctionRole[] = functionRoles(),
): { [K in keyof T]: T[K] & { readonly env: Record<string, string> } } {
  return Object.fromEntries(
    Object.entries(functions).map(([substitution, spec]) => [
      substitution,
      { ...spec, env: roleEnvironment(roleOf(substitution, roles).role) },
    ]),
  ) as { [K in keyof T]: T[K] & { readonly env: Record<string, string> } };
}

/** The schema, then every function's role and grants on it: what a local deployment starts from. */
export async function migrateWithRoles(
  store: CassandraStore,
  roles: readonly FunctionRole[] = functionRoles(),
): Promise<number> {
  const statements = await store.migrate();
  const provisioned = await provisionRoles(store, roles);
  return statements + provisioned.statements;
}
