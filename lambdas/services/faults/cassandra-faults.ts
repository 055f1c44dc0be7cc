import { appendFileSync } from 'node:fs';
import cassandra from 'cassandra-driver';
import { CassandraStore, type CassandraConfig } from '../../adapters/cassandra.ts';
import type { FaultSettings } from './settings.ts';

const { responseErrorCodes } = cassandra.types;

/**
 * FAULT HOOK FOR TESTS (test/faults): RECSYS_FAULT_CASSANDRA_RATE=p makes that share of the
 * statements sent through execute/batch fail with the driver's real error types, the way Amazon
 * Keyspaces throttles (WriteTimeout/ReadTimeout, "throttled"), sheds load (Overloaded) or a socket
 * times out (OperationTimedOutError). Half of the faults come after the statement was applied, as a
 * real timeout may, so a retry re-applies it: idempotent writes must make that harmless. Draws come
 * from RECSYS_FAULT_CASSANDRA_SEED; each fault appends its kind to RECSYS_FAULT_DIR/cassandra.log
 * when that is set, so a test can count what it survived.
 */
export class CassandraFaults {
  private state: number;
  private readonly rate: number;
  private readonly logFile: string | undefined;

  constructor(settings: Pick<FaultSettings, 'cassandraRate' | 'cassandraSeed' | 'dir'>) {
    this.rate = settings.cassandraRate;
    this.state = settings.cassandraSeed >>> 0 || 1;
    this.logFile = settings.dir ? `${settings.dir}/cassandra.log` : undefined;
  }

  /** xorshift32: tiny, seeded, good enough to pick which statements fail. */
  private next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }

  async around<T>(statement: () => Promise<T>): Promise<T> {
    if (this.rate === 0 || this.next() >= this.rate) return statement();
    const draw = this.next();
    const after = draw < 0.5;
    if (after) await statement();
    const kinds: [string, () => Error][] = [
      [
        'WriteTimeout',
        () =>
          new cassandra.errors.ResponseError(
            responseErrorCodes.writeTimeout,
            'Operation timed out - received only 0 responses (throttled)',
          ),
      ],
      [
        'Overloaded',
        () =>
          new cassandra.errors.ResponseError(
            responseErrorCodes.overloaded,
            'ServerError: throttled (injected)',
          ),
      ],
      [
        'ReadTimeout',
        () =>
          new cassandra.errors.ResponseError(
            responseErrorCodes.readTimeout,
            'Operation timed out - received only 0 responses (injected)',
          ),
      ],
      [
        'OperationTimedOut',
        () => new cassandra.errors.OperationTimedOutError('injected client-side timeout'),
      ],
    ];
    const [kind, make] = kinds[Math.floor(this.next() * kinds.length)]!;
    if (this.logFile) appendFileSync(this.logFile, `${kind}:${after ? 'applied' : 'refused'}\n`);
    throw make();
  }
}

/**
 * The Cassandra adapter with statement faults: every attempt at a statement, retries included,
 * goes through {@link CassandraFaults}, so the adapter's own backoff is what copes. Made instead of
 * a plain CassandraStore only when faults are asked for (runtime.ts).
 */
export class CassandraStoreWithFaults extends CassandraStore {
  constructor(
    config: CassandraConfig,
    private readonly faults: CassandraFaults,
  ) {
    super(config);
  }

  protected override attempt<T>(send: () => Promise<T>): Promise<T> {
    return this.faults.around(send);
  }
}
