import { API_READ_TABLES, API_WRITE_TABLES } from '../lambdas/api/table-access.ts';
import type { TableAccess } from '../lambdas/core/schema/render-grants.ts';
import { INGEST_FUNCTIONS } from './ingest.functions.ts';
import type { PipelineFunctions } from './pipeline-function.ts';
import { TRAIN_FUNCTIONS } from './train.functions.ts';

/**
 * Who may touch which table, per deployed function, from the lists the stack's IAM policies are
 * made of (the `tables` of each function's row, lambdas/api/table-access.ts for the API). On AWS
 * each function reaches Keyspaces as its IAM role; against a Cassandra we run (laptop, LocalStack)
 * it logs in as a Cassandra role of the same name, granted the same tables
 * (scripts/runtime/cassandra/roles.ts provisions them; the `local` profile sets the login).
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

/** The role of a function (ASL substitution or `Api`); throws for one that has none. */
export function roleOf(fn: string, roles: readonly FunctionRole[] = functionRoles()): FunctionRole {
  const role = roles.find((r) => r.function === fn);
  if (!role) throw new Error(`no Cassandra role for function ${fn}`);
  return role;
}

/**
 * The environment that logs a function in as its role on a Cassandra we run: a fixed development
 * password, never a secret (such a server listens on loopback or a private bridge; on AWS the
 * functions sign in to Keyspaces with their IAM role and get none of this).
 */
export function roleEnvironment(role: string): Record<string, string> {
  return { CASSANDRA_USERNAME: role, CASSANDRA_PASSWORD: `${role}-local` };
}
