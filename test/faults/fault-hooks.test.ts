/**
 * The fault hooks themselves: that they fail what they say, as often as they say, with the error
 * types the real systems raise (so the production retry code, not a test double, is what copes).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { isTransientCassandraError } from '../../lambdas/adapters/cassandra.ts';
import { CassandraFaults } from '../../lambdas/services/faults/cassandra-faults.ts';
import { faultSettingsFromEnv } from '../../lambdas/services/faults/settings.ts';
import { drawnToFail, injectStepFault } from '../../lambdas/services/faults/step-faults.ts';
import { TransientError } from '../../lambdas/services/step-errors.ts';
import { isTransient } from '../../lambdas/services/transient-failures.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'fault-hooks-'));
const settings = (env: NodeJS.ProcessEnv) => faultSettingsFromEnv(env)!;

describe('step hook (services/faults/step-faults.ts)', () => {
  it('RECSYS_FAULT_RATE fails about that share of targets, the same ones for the same seed', () => {
    const targets = Array.from({ length: 10_000 }, (_, i) => `solve:user:${i % 7}:${i}`);
    const drawn = targets.filter((t) => drawnToFail(t, 0.1, '2026'));
    expect(drawn.length / targets.length).toBeGreaterThan(0.09);
    expect(drawn.length / targets.length).toBeLessThan(0.11);
    expect(targets.filter((t) => drawnToFail(t, 0.1, '2026'))).toEqual(drawn);
    expect(targets.filter((t) => drawnToFail(t, 0.1, '2027'))).not.toEqual(drawn);
    expect(targets.some((t) => drawnToFail(t, 0, '1'))).toBe(false);
  });

  it('a drawn target fails once with a TransientError, then succeeds', () => {
    const env = { RECSYS_FAULT_RATE: '1', RECSYS_FAULT_SEED: '1', RECSYS_FAULT_DIR: dir() };
    expect(() => injectStepFault('top-n:3', settings(env))).toThrow(TransientError);
    expect(() => injectStepFault('top-n:3', settings(env))).not.toThrow();
    expect(readdirSync(env.RECSYS_FAULT_DIR)).toEqual(['top-n_3.failed-once']);
  });

  it('RECSYS_FAULT_ONCE fails the named targets once and needs RECSYS_FAULT_DIR', () => {
    const env = { RECSYS_FAULT_ONCE: 'chunk-4, scan:1', RECSYS_FAULT_DIR: dir() };
    expect(() => injectStepFault('chunk-3', settings(env))).not.toThrow();
    expect(() => injectStepFault('chunk-4', settings(env))).toThrow(/chunk-4 fails once/);
    expect(() => injectStepFault('chunk-4', settings(env))).not.toThrow();
    expect(() => injectStepFault('scan:1', settings(env))).toThrow(TransientError);
    expect(() => injectStepFault('chunk-4', settings({ RECSYS_FAULT_ONCE: 'chunk-4' }))).toThrow(
      /needs RECSYS_FAULT_DIR/,
    );
  });

  it('is never composed in when no variable is set', () => {
    expect(faultSettingsFromEnv({})).toBeUndefined();
  });
});

describe('Cassandra adapter hook (CassandraFaults)', () => {
  it('fails about the configured share of statements with real, retryable driver errors', async () => {
    const faults = new CassandraFaults(
      settings({ RECSYS_FAULT_CASSANDRA_RATE: '0.3', RECSYS_FAULT_CASSANDRA_SEED: '9' }),
    );
    let applied = 0;
    const kinds = new Set<string>();
    let failed = 0;
    for (let i = 0; i < 2_000; i++) {
      try {
        await faults.around(async () => void applied++);
      } catch (error) {
        failed++;
        expect(isTransientCassandraError(error)).toBe(true);
        expect(isTransient(error)).toBe(true);
        expect(
          error instanceof cassandra.errors.ResponseError ||
            error instanceof cassandra.errors.OperationTimedOutError,
        ).toBe(true);
        kinds.add(
          error instanceof cassandra.errors.ResponseError ? `code ${error.code}` : 'timeout',
        );
      }
    }
    expect(failed / 2_000).toBeGreaterThan(0.25);
    expect(failed / 2_000).toBeLessThan(0.35);
    expect(kinds.size).toBe(4);
    // Some faults come after the statement ran: more statements applied than succeeded.
    expect(applied).toBeGreaterThan(2_000 - failed);
  });

  it('is off without RECSYS_FAULT_CASSANDRA_RATE', async () => {
    const faults = new CassandraFaults(settings({ RECSYS_FAULT_DIR: dir() }));
    for (let i = 0; i < 100; i++) await expect(faults.around(async () => i)).resolves.toBe(i);
  });
});
