import cassandra from 'cassandra-driver';
import type { BatchGrouping } from '../core/ingest/batching.ts';
import type { WritePace } from '../core/ingest/pacer.ts';
import { runPool } from '../core/pool.ts';
import { withRetry } from '../core/retry.ts';
import { assertIdentifier, renderSchemaCql } from '../core/schema/render-cql.ts';
import { TABLES } from '../core/schema/tables.ts';
import {
  partitionerFromName,
  planTokenRanges,
  type Partitioner,
} from '../core/train/token-ranges.ts';
import { SigV4AuthProvider } from './cassandra-sigv4.ts';
import { KEYSPACES_ROOT_CERTIFICATES } from './keyspaces-roots.ts';

/** Where the data lives: a Cassandra we run (laptop, CI, LocalStack) or Amazon Keyspaces. */
export type CassandraConfig =
  | {
      readonly mode: 'local';
      readonly contactPoints: readonly string[];
      readonly localDataCenter: string;
      readonly keyspace: string;
      /** The role this process logs in as; the local server enforces logins and grants. */
      readonly credentials: CassandraCredentials;
    }
  | { readonly mode: 'keyspaces'; readonly region: string; readonly keyspace: string };

export interface CassandraCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * The local server's built-in superuser. Tools, tests and migrations log in as it; each deployed
 * function logs in as its own role instead (CASSANDRA_USERNAME / CASSANDRA_PASSWORD), granted what
 * the stack's IAM policy grants it on Keyspaces.
 */
export const LOCAL_SUPERUSER: CassandraCredentials = {
  username: 'cassandra',
  password: 'cassandra',
};

export function cassandraConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CassandraConfig {
  const keyspace = assertIdentifier(env.RECSYS_KEYSPACE ?? 'recsys');
  const mode = env.RECSYS_DB ?? 'local';
  if (mode === 'keyspaces') {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('RECSYS_DB=keyspaces needs AWS_REGION');
    return { mode, region, keyspace };
  }
  if (mode !== 'local') throw new Error(`RECSYS_DB must be "local" or "keyspaces", got "${mode}"`);
  const contactPoints = (env.CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    mode,
    contactPoints,
    localDataCenter: env.CASSANDRA_LOCAL_DC ?? 'datacenter1',
    keyspace,
    credentials: credentialsFromEnv(env),
  };
}

function credentialsFromEnv(env: NodeJS.ProcessEnv): CassandraCredentials {
  const username = env.CASSANDRA_USERNAME?.trim();
  if (!username) return LOCAL_SUPERUSER;
  const password = env.CASSANDRA_PASSWORD;
  if (!password) throw new Error('CASSANDRA_USERNAME is set but CASSANDRA_PASSWORD is empty');
  return { username, password };
}

/** Amazon Keyspaces' CQL port (TLS only). */
export const KEYSPACES_PORT = 9142;

export function clientOptions(config: CassandraConfig): cassandra.ClientOptions {
  const common = {
    pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 2 } },
    socketOptions: { connectTimeout: 10_000, readTimeout: 20_000 },
    // The driver's default backoff grows to 10 minutes: a Lambda container that lived through a
    // short outage would keep failing long after the database is back. Cap it at 10 s.
    policies: {
      reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(
        500,
        10_000,
        false,
      ),
    },
  };
  if (config.mode === 'local') {
    return {
      ...common,
      contactPoints: [...config.contactPoints],
      localDataCenter: config.localDataCenter,
      authProvider: new cassandra.auth.PlainTextAuthProvider(
        config.credentials.username,
        config.credentials.password,
      ),
    };
  }
  const host = `cassandra.${config.region}.amazonaws.com`;
  return {
    ...common,
    contactPoints: [host],
    // The port for every node, not only the contact point: the driver connects to the peers it
    // discovers in system.peers on protocolOptions.port (default 9042, which Keyspaces does not
    // listen on), and a cold start would wait on those refused or dropped connections.
    protocolOptions: { port: KEYSPACES_PORT },
    localDataCenter: config.region,
    authProvider: new SigV4AuthProvider(config.region),
    // Keyspaces only speaks TLS. Trust exactly the roots its guide lists (Amazon Root CA 1–4 and
    // Starfield Class 2, which Node's bundled store lacks): keyspaces-roots.ts.
    sslOptions: {
      host,
      servername: host,
      rejectUnauthorized: true,
      ca: KEYSPACES_ROOT_CERTIFICATES.map((root) => root.pem),
    },
  };
}

const { responseErrorCodes, consistencies } = cassandra.types;

/**
 * Tables whose reads must see the latest acknowledged write: the data set and model registries and
 * the active-model pointer drive what the pipelines and the API do next, and a LOCAL_ONE read on
 * Keyspaces may return a replica that has not seen a write of a moment ago.
 */
export const QUORUM_READ_TABLES: ReadonlySet<string> = new Set([
  'datasets',
  'models',
  'active_model',
  'experiments',
]);

/**
 * LOCAL_QUORUM for every write (Keyspaces requires it), for reads asked to be `quorum`, and for
 * every read of {@link QUORUM_READ_TABLES}; LOCAL_ONE (half the read units) for other reads.
 */
export function statementConsistency(cql: string, requested: 'one' | 'quorum' | undefined): number {
  const match = /^\s*select\b[\s\S]*?\bfrom\s+(?:\w+\.)?(\w+)/i.exec(cql);
  if (!match) return consistencies.localQuorum;
  if (requested === 'quorum' || QUORUM_READ_TABLES.has(match[1]!.toLowerCase())) {
    return consistencies.localQuorum;
  }
  return consistencies.localOne;
}

const TRANSIENT_CODES = new Set<number>([
  responseErrorCodes.overloaded,
  responseErrorCodes.writeTimeout,
  responseErrorCodes.readTimeout,
  responseErrorCodes.unavailableException,
  responseErrorCodes.isBootstrapping,
]);

/** Timeouts, overload and throttling (Keyspaces reports throttling as a write/read timeout). */
export function isTransientCassandraError(error: unknown): boolean {
  if (error instanceof cassandra.errors.OperationTimedOutError) return true;
  if (error instanceof cassandra.errors.NoHostAvailableError) return true;
  if (error instanceof cassandra.errors.ResponseError) return TRANSIENT_CODES.has(error.code);
  return false;
}

export type Params = readonly unknown[];

export interface BatchQuery {
  readonly query: string;
  readonly params: Params;
}

/**
 * Batches to send, by index: an array, or anything that builds each batch when asked (so a bulk
 * load's statements exist only while in flight).
 */
export interface BatchSource {
  readonly length: number;
  at(index: number): readonly BatchQuery[] | undefined;
}

/** Amazon Keyspaces rejects batches of more statements than this. */
export const MAX_BATCH_STATEMENTS = 30;
export type Row = cassandra.types.Row;

export interface ExecuteOptions {
  /** Only idempotent statements are retried: a retried non-idempotent write could apply twice. */
  readonly idempotent?: boolean;
  readonly fetchSize?: number;
  readonly pageState?: string;
  /**
   * Reads only: `quorum` reads at LOCAL_QUORUM, which sees every acknowledged LOCAL_QUORUM write
   * (read-your-writes; on Keyspaces a strongly consistent read at twice the read units). Default
   * LOCAL_ONE.
   */
  readonly consistency?: 'one' | 'quorum';
}

/**
 * The single gateway to Cassandra/Keyspaces: prepared statements, paging, retries with backoff for
 * idempotent statements, LOCAL_QUORUM writes (what Keyspaces requires) and LOCAL_ONE reads.
 */
export class CassandraStore {
  readonly keyspace: string;
  private readonly client: cassandra.Client;
  private partitionerName: Promise<string> | undefined;

  constructor(
    readonly config: CassandraConfig,
    private readonly retries = 6,
  ) {
    this.keyspace = config.keyspace;
    this.client = new cassandra.Client(clientOptions(config));
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): CassandraStore {
    return new CassandraStore(cassandraConfigFromEnv(env));
  }

  /**
   * One attempt at a statement: every execute and batch goes through here, inside the retries.
   * Fault injection for tests overrides it (services/faults/cassandra-faults.ts).
   */
  protected attempt<T>(send: () => Promise<T>): Promise<T> {
    return send();
  }

  /** Fully qualified table name; statements never rely on a session keyspace. */
  table(name: string): string {
    return `${this.keyspace}.${assertIdentifier(name)}`;
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async execute(cql: string, params: Params = [], options: ExecuteOptions = {}) {
    const isRead = /^\s*select\b/i.test(cql);
    const queryOptions: cassandra.QueryOptions = {
      prepare: true,
      isIdempotent: options.idempotent ?? isRead,
      consistency: statementConsistency(cql, options.consistency),
      ...(options.fetchSize ? { fetchSize: options.fetchSize } : {}),
      ...(options.pageState ? { pageState: options.pageState } : {}),
    };
    const run = () =>
      this.attempt(() => this.client.execute(cql, params as unknown[], queryOptions));
    return queryOptions.isIdempotent ? this.retrying(run) : run();
  }

  /** Retries a transient failure with backoff: only for idempotent statements and batches. */
  private retrying<T>(run: () => Promise<T>): Promise<T> {
    return withRetry(run, {
      retries: this.retries,
      baseDelayMs: 50,
      maxDelayMs: 5_000,
      isRetryable: isTransientCassandraError,
    });
  }

  /** Streams every row of a query page by page, so a full-table scan never sits in memory. */
  async *rows(
    cql: string,
    params: Params = [],
    fetchSize = 5_000,
    consistency: 'one' | 'quorum' = 'one',
  ): AsyncGenerator<Row> {
    let pageState: string | undefined;
    do {
      const result = await this.execute(cql, params, {
        idempotent: true,
        fetchSize,
        consistency,
        ...(pageState ? { pageState } : {}),
      });
      yield* result.rows;
      pageState = result.pageState ?? undefined;
    } while (pageState);
  }

  /**
   * The partitioner of the cluster this client talks to (system.local). Keyspaces sets it per
   * account and Region, and it can be changed at any time: Murmur3 (tokens −2⁶³…2⁶³−1) or
   * Random/Default (tokens 0…2¹²⁷). Read once per client.
   */
  async partitioner(): Promise<Partitioner> {
    this.partitionerName ??= this.execute('SELECT partitioner FROM system.local').then((result) =>
      String(result.first()?.get('partitioner')),
    );
    try {
      return partitionerFromName(await this.partitionerName);
    } catch (error) {
      this.partitionerName = undefined;
      throw error;
    }
  }

  /**
   * A full-table scan cut into `splits` token ranges that can be read in parallel (each query with
   * {@link rows}). The ranges cover the whole token ring of the cluster's partitioner, so together
   * they return every row once.
   */
  async tokenRangeScans(
    tableName: string,
    columns: readonly string[],
    partitionKey: readonly string[],
    splits: number,
  ): Promise<{ cql: string; params: Params }[]> {
    const token = `token(${partitionKey.map(assertIdentifier).join(', ')})`;
    const cql =
      `SELECT ${columns.map(assertIdentifier).join(', ')} FROM ${this.table(tableName)} ` +
      `WHERE ${token} > ? AND ${token} <= ?`;
    // Bounds as decimal strings: the driver encodes them as bigint (Murmur3) or varint (Random)
    // from the prepared statement's metadata.
    return planTokenRanges(splits, await this.partitioner()).map((range) => ({
      cql,
      params: [range.lower, range.upper],
    }));
  }

  /**
   * Runs one idempotent statement for many parameter sets with bounded concurrency. `pace`, if
   * given, is awaited before each statement is sent (a rate cap; core/ingest/pacer.ts).
   */
  async executeMany(
    cql: string,
    paramSets: readonly Params[],
    concurrency = 32,
    pace?: WritePace,
  ): Promise<void> {
    await runPool(paramSets.length, concurrency, async (index) => {
      if (pace) await pace(1, index);
      await this.execute(cql, paramSets[index]!, { idempotent: true });
    });
  }

  /**
   * Runs statements as one UNLOGGED batch (one round trip). Callers keep a batch within one
   * partition and at most {@link MAX_BATCH_STATEMENTS} statements: Keyspaces' limits, and on
   * Cassandra a single-partition batch is applied as one mutation.
   */
  async batch(queries: readonly BatchQuery[], options: { idempotent?: boolean } = {}) {
    const queryOptions: cassandra.QueryOptions = {
      prepare: true,
      logged: false,
      isIdempotent: options.idempotent ?? false,
      consistency: consistencies.localQuorum,
    };
    const run = () =>
      this.attempt(() =>
        this.client.batch(
          queries.map((q) => ({ query: q.query, params: q.params as unknown[] })),
          queryOptions,
        ),
      );
    return queryOptions.isIdempotent ? this.retrying(run) : run();
  }

  /**
   * How bulk writes should group rows into UNLOGGED batches (core/ingest/batching.ts). On a
   * single-node Cassandra every partition has the same replica, so several partitions share a batch
   * (`replica`) at no cost to any other node; on Keyspaces and on a cluster, one partition per batch.
   */
  async batchGrouping(): Promise<BatchGrouping> {
    if (this.config.mode !== 'local') return 'partition';
    await this.client.connect();
    return this.client.hosts.length === 1 ? 'replica' : 'partition';
  }

  /**
   * Runs many idempotent batches with bounded concurrency; `onDone` hears of each finished one.
   * `pace`, if given, is awaited with each batch's statement count and index before it is sent (a
   * rate cap; core/ingest/pacer.ts).
   */
  async batchMany(
    batches: BatchSource,
    concurrency = 32,
    onDone?: (batch: readonly BatchQuery[]) => void,
    pace?: WritePace,
  ): Promise<void> {
    await runPool(batches.length, concurrency, async (index) => {
      const batch = batches.at(index)!;
      if (pace) await pace(batch.length, index);
      await this.batch(batch, { idempotent: true });
      onDone?.(batch);
    });
  }

  /**
   * Creates the keyspace and tables (idempotent). On Keyspaces, CloudFormation owns the schema, so
   * this only runs against a Cassandra we manage.
   */
  async migrate(replicationFactor = 1): Promise<number> {
    if (this.config.mode !== 'local') {
      throw new Error('the Keyspaces schema is created by the CDK stack, not by migrate');
    }
    const statements = renderSchemaCql(this.keyspace, replicationFactor);
    for (const cql of statements) {
      await this.client.execute(cql);
    }
    // CREATE TABLE IF NOT EXISTS leaves an older table as it was: add the columns it lacks.
    for (const table of TABLES) {
      const existing = await this.client.execute(
        'SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
        [this.keyspace, table.name],
        { prepare: true },
      );
      const present = new Set(existing.rows.map((row) => String(row.get('column_name'))));
      for (const [column, type] of Object.entries(table.columns)) {
        if (present.has(column)) continue;
        await this.client.execute(`ALTER TABLE ${this.table(table.name)} ADD ${column} ${type}`);
      }
    }
    return statements.length;
  }

  /** Tests use a fresh keyspace per run and drop it afterwards. */
  async dropKeyspace(): Promise<void> {
    if (this.config.mode !== 'local') throw new Error('refusing to drop a Keyspaces keyspace');
    await this.client.execute(`DROP KEYSPACE IF EXISTS ${this.keyspace}`);
  }

  async releaseVersion(): Promise<string> {
    const result = await this.execute('SELECT release_version FROM system.local');
    return String(result.first()?.get('release_version'));
  }

  async shutdown(): Promise<void> {
    await this.client.shutdown();
  }
}
