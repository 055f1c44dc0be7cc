import { describe, expect, it } from 'vitest';
import { rankingDescription } from '../../scripts/runtime/demo/summary.ts';

describe('demo summary', () => {
  it('says what ranks the lists from the model row', () => {
    expect(
      rankingDescription(
        { ranking: { rank: 64 }, neighbours: { maxItems: 2000 }, blend: 0.5 },
        { refitIterations: 5 },
      ),
    ).toBe(
      'implicit ALS rank 64 + EASE over the 2,000 most-rated movies (blend 0.5); refitted on every rating (5 iterations)',
    );
    expect(rankingDescription({ ranking: { rank: 32 }, neighbours: null }, {})).toBe(
      'implicit ALS rank 32',
    );
    // A model published before bundles has no ranking parameters.
    expect(rankingDescription({ rank: 20 }, {})).toBeNull();
  });
});
