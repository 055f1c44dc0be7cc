import {
  LOCAL_SUPERUSER,
  type CassandraCredentials,
  type CassandraStore,
} from '../../../lambdas/adapters/cassandra.ts';
import { API_READ_TABLES, API_WRITE_TABLES } from '../../../lambdas/api/table-access.ts';
import {
  parseTableGrant,
  reconcileGrantsCql,
  tableGrants,
  type TableAccess,
} from '../../../lambdas/core/schema/render-grants.ts';
import { INGEST_FUNCTIONS } from '../../../statemachines/ingest.functions.ts';
import type { PipelineFunctions } from '../../../statemachines/pipeline-function.ts';
import { TRAIN_FUNCTIONS } from '../../../statemachines/train.functions.ts';

/**
 * One Cassandra role per deployed function, granted what the stack's IAM policy grants that function
 * on Keyspaces. The access lists are the ones infra/ deploys from (statemachines/*.functions.ts,
 * lambdas/api/table-access.ts): the local server enforces the stack's grants, not a copy of them.
 */
export interface FunctionRole {
  /** The ASL substitution (`ChunkFunctionArn`) or `Api`. */
  readonly function: string;
  readonly role: string;
  readonly access: TableAccess;
}

const snake = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

function pipelineRoles(pipeline: string, functions: PipelineFunctions): FunctionRole[] {
  return Object.entries(functions).map(([substitution, spec]) => {
    const name = snake(substitution.replace(/FunctionArn$/, '')).replace(`${pipeline}_`, '');
    return {
      function: substitution,
      role: `recsys_${pipeline}_${name}`,
      access: spec.tables ?? {},
    };
  });
}

export const API_ROLE: FunctionRole = {
  function: 'Api',
  role: 'recsys_api',
  access: { select: API_READ_TABLES, modify: API_WRITE_TABLES },
};

/** Every deployed function that reaches the keyspace, with its role. */
export function functionRoles(): FunctionRole[] {
  return [
    ...pipelineRoles('ingest', INGEST_FUNCTIONS),
    ...pipelineRoles('train', TRAIN_FUNCTIONS),
    API_ROLE,
  ];
}

/**
 * The role's login on the local server: a fixed development password, never a secret (the server
 * listens on loopback; on AWS functions sign in with their IAM role instead).
 */
export function roleCredentials(role: string): CassandraCredentials {
  return { username: role, password: `${role}-local` };
}

/** The environment a function's handler gets to log in as its role (CassandraStore.fromEnv). */
export function roleEnvironment(role: string): Record<string, string> {
  const { username, password } = roleCredentials(role);
  return { CASSANDRA_USERNAME: username, CASSANDRA_PASSWORD: password };
}

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
      const { password } = roleCredentials(role);
      await store.execute(
        `CREATE ROLE IF NOT EXISTS ${role} WITH PASSWORD = '${password}' AND LOGIN = true`,
      );
      created += 1;
    }
    const listed = await store.execute(`LIST ALL PERMISSIONS OF ${role} NORECURSIVE`);
    // A role with no permissions gets a void result, not an empty row set.
    const current = (listed.rows ?? []).flatMap((row) => {
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
    Object.entries(functions).map(([substitution, spec]) => {
      const role = roles.find((r) => r.function === substitution);
      if (!role) throw new Error(`no Cassandra role for function ${substitution}`);
      return [substitution, { ...spec, env: roleEnvironment(role.role) }];
    }),
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
