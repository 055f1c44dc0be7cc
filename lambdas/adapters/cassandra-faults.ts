import { appendFileSync } from 'node:fs';
import cassandra from 'cassandra-driver';

const { responseErrorCodes } = cassandra.types;

/**
 * FAULT HOOK FOR TESTS (test/faults): RECSYS_FAULT_CASSANDRA_RATE=p makes that share of the
 * statements sent through execute/batch fail with the driver's real error types, the way Amazon
 * Keyspaces throttles (WriteTimeout/ReadTimeout, "throttled"), sheds load (Overloaded) or a socket
 * times out (OperationTimedOutError). Half of the faults come after the statement was applied, as a
 * real timeout may, so a retry re-applies it: idempotent writes must make that harmless. Draws come
 * from RECSYS_FAULT_CASSANDRA_SEED; each fault appends its kind to RECSYS_FAULT_DIR/cassandra.log
 * when that is set, so a test can count what it survived. Unset (always, outside tests): no effect.
 */
export class CassandraFaults {
  private state: number;

  private constructor(
    private readonly rate: number,
    seed: number,
    private readonly logFile: string | undefined,
  ) {
    this.state = seed >>> 0 || 1;
  }

  static fromEnv(env: NodeJS.ProcessEnv): CassandraFaults {
    const rate = Number(env.RECSYS_FAULT_CASSANDRA_RATE ?? 0);
    const seed = Number(env.RECSYS_FAULT_CASSANDRA_SEED ?? 1);
    const dir = env.RECSYS_FAULT_DIR;
    return new CassandraFaults(
      Number.isFinite(rate) && rate > 0 ? Math.min(rate, 0.9) : 0,
      seed,
      dir ? `${dir}/cassandra.log` : undefined,
    );
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
    const error = make();
    throw error;
  }
}
