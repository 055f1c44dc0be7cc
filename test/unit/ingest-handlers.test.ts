import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { requestFromEvent } from '../../lambdas/services/ingest/validate.ts';
import { classifyFailures, TransientError } from '../../lambdas/services/transient-error.ts';

describe('ingest execution input', () => {
  it('takes the data set from the manifest key EventBridge sends', () => {
    expect(requestFromEvent({ manifestKey: 'datasets/ml-25m/manifest.json' })).toEqual({
      dataset: 'ml-25m',
    });
    expect(requestFromEvent({ dataset: 'x', chunkBytes: 65_536 })).toEqual({
      dataset: 'x',
      chunkBytes: 65_536,
    });
    expect(() => requestFromEvent({ manifestKey: 'elsewhere/manifest.json' })).toThrow(
      /not datasets\/<name>\/manifest.json/,
    );
  });
});

describe('classifyFailures', () => {
  const fail = (error: unknown) => classifyFailures(() => Promise.reject(error));

  it('renames Cassandra timeouts and S3 throttling to TransientError, which the ASL retries', async () => {
    const timeout = new cassandra.errors.OperationTimedOutError('no answer', '127.0.0.1:9042');
    await expect(fail(timeout)).rejects.toBeInstanceOf(TransientError);
    const slowDown = Object.assign(new Error('reduce your request rate'), { name: 'SlowDown' });
    await expect(fail(slowDown)).rejects.toMatchObject({
      name: 'TransientError',
      message: 'SlowDown: reduce your request rate',
    });
  });

  it('lets permanent failures through unchanged, so they fail fast', async () => {
    const invalid = Object.assign(new Error('bad header'), { name: 'DatasetInvalid' });
    await expect(fail(invalid)).rejects.toBe(invalid);
  });
});
