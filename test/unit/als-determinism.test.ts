/**
 * ALS must produce bit-identical factors for any number of blocks, any block order, any
 * concurrency and any input row order — the property that lets a Step Functions Map fan blocks
 * out to Lambdas without changing the model. Arrays are compared byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { SolverScratch, solveBlock } from '../../lambdas/core/als/block-solver.ts';
import { meanFromRatingSum, ratingSumUnits } from '../../lambdas/core/als/global-mean.ts';
import { GRAM_CHUNK_ROWS, combineGramChunks, gramOfRows } from '../../lambdas/core/als/gram.ts';
import { ITEM_SALT, USER_SALT, initialFactors } from '../../lambdas/core/als/initial-factors.ts';
import type { AlsModel } from '../../lambdas/core/als/model.ts';
import { resolveAlsOptions, type AlsOptions } from '../../lambdas/core/als/options.ts';
import { trainAls } from '../../lambdas/core/als/train.ts';
import {
  buildRatingMatrices,
  decodeCsr,
  encodeCsr,
  splitIntoBlocks,
  type CsrBlock,
} from '../../lambdas/core/matrix/csr.ts';
import { hash4 } from '../../lambdas/core/matrix/hash.ts';
import { selectRows } from '../../lambdas/core/ratings.ts';
import { plantedRatings } from '../support/planted-ratings.ts';

// Heavy users give rows longer than the kernel's 128-entry chunk; popular items likewise.
const { table } = plantedRatings({
  users: 160,
  items: 300,
  rank: 3,
  density: 0.06,
  noise: 0.4,
  seed: 11,
  heavyUsers: 12,
});

function bytes(a: Float32Array | undefined): Buffer {
  if (!a) return Buffer.alloc(0);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function expectIdentical(a: AlsModel, b: AlsModel): void {
  expect(bytes(a.userFactors).equals(bytes(b.userFactors))).toBe(true);
  expect(bytes(a.itemFactors).equals(bytes(b.itemFactors))).toBe(true);
  expect(bytes(a.userBias).equals(bytes(b.userBias))).toBe(true);
  expect(bytes(a.itemBias).equals(bytes(b.itemBias))).toBe(true);
  expect(a.globalMean).toBe(b.globalMean);
}

const configs: [string, AlsOptions][] = [
  ['explicit with biases, Cholesky', { rank: 6, iterations: 4 }],
  ['explicit without biases, CG', { rank: 6, iterations: 4, biases: false, solver: 'cg' }],
  ['implicit, Cholesky', { rank: 6, iterations: 4, implicit: true, alpha: 3 }],
  ['implicit, CG', { rank: 6, iterations: 4, implicit: true, alpha: 3, solver: 'cg', cgSteps: 2 }],
];

describe.each(configs)('ALS determinism: %s', (_name, options) => {
  const reference = trainAls(table, { ...options, blocks: 1 });

  it('has a long row in the data (several kernel chunks)', () => {
    const { byUser } = buildRatingMatrices(table);
    let longest = 0;
    for (let r = 0; r < byUser.rows.length; r++)
      longest = Math.max(longest, byUser.rowPtr[r + 1]! - byUser.rowPtr[r]!);
    expect(longest).toBeGreaterThan(128);
  });

  it.each([
    ['4 range blocks', { blocks: 4 }, {}],
    ['7 range blocks', { blocks: 7 }, {}],
    ['7 hash blocks', { blocks: 7, partition: 'hash' as const }, {}],
    ['4 blocks in shuffled order', { blocks: 4 }, { blockOrderSeed: 5 }],
    [
      '7 hash blocks in shuffled order',
      { blocks: 7, partition: 'hash' as const },
      { blockOrderSeed: 9 },
    ],
  ])('is bit-identical with %s', (_label, blocking, hooks) => {
    expectIdentical(trainAls(table, { ...options, ...blocking }, hooks), reference);
  });

  it('tells models apart (the comparison is not vacuous)', () => {
    const other = trainAls(table, { ...options, blocks: 1, seed: 7 });
    expect(bytes(other.itemFactors).equals(bytes(reference.itemFactors))).toBe(false);
  });

  it('is bit-identical when the input rows arrive in another order', () => {
    const order = Array.from({ length: table.length }, (_, k) => k).sort(
      (a, b) => hash4(a, 3) - hash4(b, 3),
    );
    expectIdentical(trainAls(selectRows(table, order), { ...options, blocks: 3 }), reference);
  });

  it('is bit-identical when blocks go through storage and interleaved concurrent workers', async () => {
    expectIdentical(await simulateDistributedTraining(options, 5), reference);
  });
});

/**
 * What the Step Functions loop will do, in miniature: blocks are serialized as they would be in
 * S3, solved by independent "workers" (own scratch, interleaved with awaits, shuffled order), the
 * global mean comes from per-block partial sums and the implicit Gram matrix from per-chunk
 * partials computed in shuffled order.
 */
async function simulateDistributedTraining(
  options: AlsOptions,
  blockCount: number,
): Promise<AlsModel> {
  const { userIds, itemIds, byUser, byItem } = buildRatingMatrices(table);
  const stored = (full: CsrBlock, ids: typeof userIds): Uint8Array[] =>
    splitIntoBlocks(full, blockCount, 'hash', ids).map(encodeCsr);
  const userFiles = stored(byUser, userIds);
  const itemFiles = stored(byItem, itemIds);

  let sumUnits = 0;
  let count = 0;
  let ratingMin = Infinity;
  let ratingMax = -Infinity;
  for (const file of [...userFiles].reverse()) {
    const block = decodeCsr(file);
    sumUnits += ratingSumUnits(block.values);
    count += block.values.length;
    for (const v of block.values) {
      ratingMin = Math.min(ratingMin, v);
      ratingMax = Math.max(ratingMax, v);
    }
  }
  const globalMean = meanFromRatingSum(sumUnits, count);
  const settings = resolveAlsOptions(options, { ratingMin, ratingMax });
  const { rank } = settings;

  interface Side {
    factors: Float32Array;
    bias: Float32Array;
  }
  let users: Side = {
    factors: initialFactors(userIds, rank, settings.seed, USER_SALT),
    bias: new Float32Array(userIds.size),
  };
  let items: Side = {
    factors: initialFactors(itemIds, rank, settings.seed, ITEM_SALT),
    bias: new Float32Array(itemIds.size),
  };

  const gramByChunks = (factors: Float32Array): Float64Array => {
    const n = factors.length / rank;
    const chunkCount = Math.ceil(n / GRAM_CHUNK_ROWS);
    const partials: Float64Array[] = new Array(chunkCount);
    const order = Array.from({ length: chunkCount }, (_, c) => c).reverse();
    for (const c of order)
      partials[c] = gramOfRows(
        factors,
        rank,
        c * GRAM_CHUNK_ROWS,
        Math.min(n, (c + 1) * GRAM_CHUNK_ROWS),
      );
    return combineGramChunks(partials, rank);
  };

  const halfStep = async (
    files: Uint8Array[],
    solving: { factors: Float32Array; bias: Float32Array },
    fixed: { factors: Float32Array; bias: Float32Array },
    iteration: number,
  ): Promise<{ factors: Float32Array; bias: Float32Array }> => {
    const next = {
      factors: new Float32Array(solving.factors.length),
      bias: new Float32Array(solving.bias.length),
    };
    const gram = settings.implicit ? gramByChunks(fixed.factors) : undefined;
    const order = files
      .map((_, b) => b)
      .sort((a, b) => hash4(a, iteration, 77) - hash4(b, iteration, 77));
    await Promise.all(
      order.map(async (b, worker) => {
        for (let wait = 0; wait < worker % 3; wait++) await new Promise((r) => setImmediate(r));
        const block = decodeCsr(files[b]!);
        const previous = new Float32Array(block.rows.length * rank);
        const previousBias = new Float32Array(block.rows.length);
        block.rows.forEach((row, r) => {
          previous.set(solving.factors.subarray(row * rank, (row + 1) * rank), r * rank);
          previousBias[r] = solving.bias[row]!;
        });
        const out = solveBlock(
          {
            block,
            fixedFactors: fixed.factors,
            fixedBias: fixed.bias,
            globalMean,
            gram,
            previous,
            previousBias,
          },
          settings,
          new SolverScratch(),
        );
        out.rows.forEach((row, r) => {
          next.factors.set(out.factors.subarray(r * rank, (r + 1) * rank), row * rank);
          if (out.bias) next.bias[row] = out.bias[r]!;
        });
      }),
    );
    return next;
  };

  for (let iteration = 1; iteration <= settings.iterations; iteration++) {
    users = await halfStep(userFiles, users, items, iteration);
    items = await halfStep(itemFiles, items, users, iteration);
  }
  const factors = { userFactors: users.factors, itemFactors: items.factors };
  const biases = settings.biases ? { userBias: users.bias, itemBias: items.bias } : {};
  const model: AlsModel = {
    rank,
    userIds,
    itemIds,
    ...factors,
    ...biases,
    globalMean,
    options: settings,
    history: [],
  };
  return model;
}
