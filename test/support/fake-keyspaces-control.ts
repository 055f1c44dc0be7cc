/**
 * A stand-in for Amazon Keyspaces' control plane (GetTable, UpdateTable) as Step Functions' AWS SDK
 * integration answers it: PascalCase fields, timestamps as ISO-8601 strings. It keeps each table's
 * capacity mode, makes a switch take a few GetTable polls (UPDATING, then ACTIVE), and enforces the
 * waiting periods Keyspaces documents ("Change capacity mode"): back to on-demand only 24 h after
 * the table's creation and only once in 24 h. So a state machine that tried an illegal switch would
 * fail here as it would on AWS. Local runs answer the ingest's capacity Tasks with it
 * (runStateMachine's `sdkCalls`); nothing else uses it.
 */
import type { LocalSdkCall } from '../../scripts/runtime/local-sfn/index.ts';
import type { JsonObject } from '../../scripts/runtime/local-sfn/json.ts';

const DAY_MS = 24 * 3600 * 1000;

export interface FakeTable {
  mode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  status: 'ACTIVE' | 'UPDATING';
  createdAt: number;
  lastPayPerRequestAt?: number;
  readUnits?: number;
  writeUnits?: number;
  /** GetTable calls left before an update in progress reports ACTIVE. */
  pollsLeft: number;
}

export interface SdkCallRecord {
  readonly action: 'getTable' | 'updateTable';
  readonly keyspace: string;
  readonly table: string;
  /** updateTable only: the requested mode and write capacity. */
  readonly mode?: string;
  readonly writeUnits?: number;
}

/** An error as Step Functions names it for an AWS SDK integration (`Keyspaces.<Exception>`). */
function keyspacesError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = `Keyspaces.${name}`;
  return error;
}

export class FakeKeyspacesControlPlane {
  readonly tables = new Map<string, FakeTable>();
  readonly calls: SdkCallRecord[] = [];
  /** Make every UpdateTable to this mode fail (the raise, or the switch back). */
  failUpdatesTo?: 'PROVISIONED' | 'PAY_PER_REQUEST';

  constructor(
    readonly keyspace: string,
    private readonly now: () => number = Date.now,
    private readonly pollsPerSwitch = 2,
  ) {}

  /** A table as it stands: on-demand, created `ageMs` ago, last returned to on-demand `sinceMs` ago. */
  addTable(table: string, ageMs: number, lastPayPerRequestMsAgo?: number): void {
    const now = this.now();
    this.tables.set(table, {
      mode: 'PAY_PER_REQUEST',
      status: 'ACTIVE',
      createdAt: now - ageMs,
      ...(lastPayPerRequestMsAgo !== undefined
        ? { lastPayPerRequestAt: now - lastPayPerRequestMsAgo }
        : {}),
      pollsLeft: 0,
    });
  }

  /** What runStateMachine's `sdkCalls` takes. */
  sdkCalls(): Record<string, LocalSdkCall> {
    return {
      'keyspaces:getTable': async (parameters) => this.getTable(parameters),
      'keyspaces:updateTable': async (parameters) => this.updateTable(parameters),
    };
  }

  private find(parameters: JsonObject): [string, FakeTable] {
    const keyspace = String(parameters.KeyspaceName);
    const name = String(parameters.TableName);
    const table = this.tables.get(name);
    if (keyspace !== this.keyspace || !table) {
      throw keyspacesError('ResourceNotFoundException', `no table ${keyspace}.${name}`);
    }
    return [name, table];
  }

  private getTable(parameters: JsonObject): JsonObject {
    const [name, table] = this.find(parameters);
    this.calls.push({ action: 'getTable', keyspace: this.keyspace, table: name });
    if (table.status === 'UPDATING' && --table.pollsLeft <= 0) table.status = 'ACTIVE';
    return {
      KeyspaceName: this.keyspace,
      TableName: name,
      Status: table.status,
      CreationTimestamp: new Date(table.createdAt).toISOString(),
      CapacitySpecification: {
        ThroughputMode: table.mode,
        ...(table.mode === 'PROVISIONED'
          ? { ReadCapacityUnits: table.readUnits!, WriteCapacityUnits: table.writeUnits! }
          : {}),
        ...(table.lastPayPerRequestAt !== undefined
          ? {
              LastUpdateToPayPerRequestTimestamp: new Date(table.lastPayPerRequestAt).toISOString(),
            }
          : {}),
      },
    };
  }

  private updateTable(parameters: JsonObject): JsonObject {
    const [name, table] = this.find(parameters);
    const spec = (parameters.CapacitySpecification ?? {}) as JsonObject;
    const mode = String(spec.ThroughputMode);
    const writeUnits =
      typeof spec.WriteCapacityUnits === 'number' ? spec.WriteCapacityUnits : undefined;
    this.calls.push({
      action: 'updateTable',
      keyspace: this.keyspace,
      table: name,
      mode,
      ...(writeUnits !== undefined ? { writeUnits } : {}),
    });
    if (this.failUpdatesTo === mode) {
      throw keyspacesError('ServiceQuotaExceededException', `${name}: ${mode} refused (test)`);
    }
    if (table.status !== 'ACTIVE') {
      throw keyspacesError('ValidationException', `${name} is ${table.status}`);
    }
    const now = this.now();
    if (mode === 'PAY_PER_REQUEST') {
      if (table.mode !== 'PROVISIONED') {
        throw keyspacesError('ValidationException', `${name} is already on-demand`);
      }
      if (
        now - table.createdAt < DAY_MS ||
        now - (table.lastPayPerRequestAt ?? -Infinity) < DAY_MS
      ) {
        throw keyspacesError(
          'ValidationException',
          `${name} may return to on-demand only 24 h after its creation and once in 24 h`,
        );
      }
      table.lastPayPerRequestAt = now;
      delete table.readUnits;
      delete table.writeUnits;
    } else if (mode === 'PROVISIONED') {
      table.readUnits = Number(spec.ReadCapacityUnits);
      table.writeUnits = Number(spec.WriteCapacityUnits);
    } else {
      throw keyspacesError('ValidationException', `unknown throughput mode ${mode}`);
    }
    table.mode = mode;
    table.status = 'UPDATING';
    table.pollsLeft = this.pollsPerSwitch;
    return {
      ResourceArn: `arn:aws:cassandra:local:000000000000:/keyspace/${this.keyspace}/table/${name}`,
    };
  }
}
