/**
 * The Lambda entry point shape (services/lambda-handler.ts) run through real middy: transient
 * failures renamed to TransientError by its onError, and the step fault hook composed in only when
 * the environment asks for faults.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { faultSettingsFromEnv } from '../../lambdas/services/faults/settings.ts';
import { InjectedFault } from '../../lambdas/services/faults/step-faults.ts';
import { lambdaHandler } from '../../lambdas/services/lambda-handler.ts';
import { TransientError } from '../../lambdas/services/step-errors.ts';

const context = {
  awsRequestId: 'test-request',
  functionName: 'test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:test-function',
  memoryLimitInMB: '128',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

describe('transient failures', () => {
  const fail = (error: unknown) =>
    lambdaHandler(() => Promise.reject(error), {}, {})({ step: 1 }, context);

  it('renames Cassandra timeouts and S3 throttling to TransientError, which the ASL retries', async () => {
    const timeout = new cassandra.errors.OperationTimedOutError('no answer', '127.0.0.1:9042');
    await expect(fail(timeout)).rejects.toBeInstanceOf(TransientError);
    const slowDown = Object.assign(new Error('reduce your request rate'), { name: 'SlowDown' });
    await expect(fail(slowDown)).rejects.toMatchObject({
      name: 'TransientError',
      message: 'SlowDown: reduce your request rate',
      cause: slowDown,
    });
  });

  it('lets permanent failures through unchanged, so they fail fast', async () => {
    const invalid = Object.assign(new Error('bad header'), { name: 'DatasetInvalid' });
    await expect(fail(invalid)).rejects.toBe(invalid);
  });

  it('returns what the work returns', async () => {
    const handler = lambdaHandler(async (event: { step: number }) => event.step * 2, {}, {});
    await expect(handler({ step: 21 }, context)).resolves.toBe(42);
  });
});

describe('step fault hook', () => {
  const faultTarget = (event: { step: number }) => `step:${event.step}`;

  function counted(env: NodeJS.ProcessEnv) {
    const runs: number[] = [];
    const handler = lambdaHandler(
      async (event: { step: number }) => {
        runs.push(event.step);
        return event.step;
      },
      { faultTarget },
      env,
    );
    return { runs, invoke: (step: number) => handler({ step }, context) };
  }

  it('fails a target once after its work, with a TransientError, when RECSYS_FAULT_ONCE names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'step-faults-'));
    const { runs, invoke } = counted({ RECSYS_FAULT_ONCE: 'step:2', RECSYS_FAULT_DIR: dir });
    await expect(invoke(1)).resolves.toBe(1);
    await expect(invoke(2)).rejects.toBeInstanceOf(TransientError);
    await expect(invoke(2)).resolves.toBe(2);
    expect(runs).toEqual([1, 2, 2]);
    expect(readdirSync(dir)).toEqual(['step_2.failed-once']);
  });

  it('fails a target for good with a non-retryable error when RECSYS_FAULT_ALWAYS names it', async () => {
    const { invoke } = counted({ RECSYS_FAULT_ALWAYS: 'step:3' });
    await expect(invoke(3)).rejects.toBeInstanceOf(InjectedFault);
    await expect(invoke(3)).rejects.toBeInstanceOf(InjectedFault);
    await expect(invoke(4)).resolves.toBe(4);
  });

  it('has no settings, so nothing is composed in, without RECSYS_FAULT_* variables', () => {
    expect(faultSettingsFromEnv({ PATH: '/usr/bin', RECSYS_BUCKET: 'b' })).toBeUndefined();
    expect(faultSettingsFromEnv({ RECSYS_FAULT_ALWAYS: 'step:3' })).toMatchObject({
      stepAlways: ['step:3'],
      stepOnce: [],
    });
  });
});
