import { describe, expect, it } from 'vitest';
import { requestFromEvent } from '../../lambdas/services/ingest/validate.ts';

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
