import { describe, expect, it } from 'vitest';
import { solveBlock } from '../../lambdas/core/als/block-solver.ts';
import { conjugateGradientSolve } from '../../lambdas/core/als/conjugate-gradient.ts';
import { computeGram, gramOfRows } from '../../lambdas/core/als/gram.ts';
import { ITEM_SALT, initialFactors } from '../../lambdas/core/als/initial-factors.ts';
import { decodeModel, encodeModel, predict } from '../../lambdas/core/als/model.ts';
import {
  addOuterProducts,
  choleskySolvePacked,
  packedIndex,
  packedSize,
} from '../../lambdas/core/als/normal-equations.ts';
import { DEFAULT_ALS_OPTIONS } from '../../lambdas/core/als/options.ts';
import { trainAls } from '../../lambdas/core/als/train.ts';
import { csrFromCoordinates } from '../../lambdas/core/matrix/csr.ts';
import { hash4, unitFromHash } from '../../lambdas/core/matrix/hash.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { RatingsTableBuilder, selectRows, type RatingsTable } from '../../lambdas/core/ratings.ts';
import { plantedRatings, rmseOf } from '../support/planted-ratings.ts';

function pack(dense: number[][]): Float64Array {
  const d = dense.length;
  const out = new Float64Array(packedSize(d));
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) out[packedIndex(d, a, b)] = dense[a]![b]!;
  return out;
}

function split(table: RatingsTable, fraction: number): { train: RatingsTable; test: RatingsTable } {
  const train: number[] = [];
  const test: number[] = [];
  for (let k = 0; k < table.length; k++) {
    (unitFromHash(hash4(table.userIds[k]!, table.movieIds[k]!, 77)) < fraction ? test : train).push(
      k,
    );
  }
  return { train: selectRows(table, train), test: selectRows(table, test) };
}

describe('dense kernels', () => {
  it('solves a known SPD system by packed Cholesky', () => {
    // A = LLᵀ with L = [[2,0,0],[1,2,0],[0,1,1]] → A = [[4,2,0],[2,5,2],[0,2,2]]; x = (1,-1,2).
    const A = pack([
      [4, 2, 0],
      [2, 5, 2],
      [0, 2, 2],
    ]);
    const rhs = Float64Array.of(2, 1, 2);
    expect(choleskySolvePacked(A, 3, rhs)).toBe(true);
    expect(rhs[0]).toBeCloseTo(1, 12);
    expect(rhs[1]).toBeCloseTo(-1, 12);
    expect(rhs[2]).toBeCloseTo(2, 12);
    // The factor overwrote A: U = Lᵀ.
    expect(Array.from(A)).toEqual([2, 1, 0, 2, 1, 1]);
  });

  it('reports a matrix that is not positive definite', () => {
    const A = pack([
      [1, 2],
      [2, 1],
    ]);
    expect(choleskySolvePacked(A, 2, Float64Array.of(1, 1))).toBe(false);
  });

  it('accumulates Σ left·rightᵀ over the upper triangle like the naive triple loop', () => {
    for (const d of [1, 3, 4, 5, 9, 17]) {
      const count = 13;
      const stride = 16;
      const left = Float64Array.from({ length: d * stride }, (_, k) => Math.sin(k + d));
      const right = Float64Array.from({ length: d * stride }, (_, k) => Math.cos(k * 0.7));
      const A = new Float64Array(packedSize(d)).fill(0.5);
      addOuterProducts(A, d, left, right, stride, count);
      for (let a = 0; a < d; a++) {
        for (let b = a; b < d; b++) {
          let s = 0.5;
          for (let j = 0; j < count; j++) s += left[a * stride + j]! * right[b * stride + j]!;
          expect(A[packedIndex(d, a, b)]).toBeCloseTo(s, 10);
        }
      }
    }
  });

  it('conjugate gradient reaches the Cholesky solution in d steps', () => {
    const d = 6;
    const count = 20;
    const Y = Float64Array.from({ length: count * d }, (_, k) => Math.sin(k * 1.3));
    const w = Float64Array.from({ length: count }, (_, j) => 1 + j / 10);
    const gram = gramOfRows(
      Float32Array.from({ length: 8 * d }, (_, k) => Math.cos(k)),
      d,
      0,
      8,
    );
    const A = gram.slice();
    for (let a = 0; a < d; a++) {
      A[packedIndex(d, a, a)]! += 0.3;
      for (let b = a; b < d; b++) {
        let s = 0;
        for (let j = 0; j < count; j++) s += w[j]! * Y[j * d + a]! * Y[j * d + b]!;
        A[packedIndex(d, a, b)]! += s;
      }
    }
    const b = Float64Array.from({ length: d }, (_, k) => k - 2);
    const exact = b.slice();
    expect(choleskySolvePacked(A, d, exact)).toBe(true);
    const x = new Float64Array(d);
    const buffers = { r: new Float64Array(d), p: new Float64Array(d), Ap: new Float64Array(d) };
    const system = { d, rank: d, rowMajor: Y, weights: w, count, gram, reg: 0.3, biasReg: 0 };
    conjugateGradientSolve(system, b, x, d + 2, buffers);
    for (let a = 0; a < d; a++) expect(x[a]).toBeCloseTo(exact[a]!, 8);
  });

  it('computes the Gram matrix chunk-wise equal to the direct sum', () => {
    const rank = 5;
    const n = 2500;
    const F = Float32Array.from({ length: n * rank }, (_, k) => Math.sin(k * 0.37));
    const G = computeGram(F, rank);
    for (let a = 0; a < rank; a++) {
      for (let b = a; b < rank; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += F[i * rank + a]! * F[i * rank + b]!;
        expect(G[packedIndex(rank, a, b)]).toBeCloseTo(s, 8);
      }
    }
  });
});

describe('initial factors', () => {
  it('depend only on the id, not on which other ids exist', () => {
    const rank = 8;
    const a = initialFactors(IdMap.fromIds([5, 9, 12]), rank, 1, ITEM_SALT);
    const b = initialFactors(IdMap.fromIds([9, 100]), rank, 1, ITEM_SALT);
    expect(a.subarray(rank, 2 * rank)).toEqual(b.subarray(0, rank)); // id 9 in both
    const c = initialFactors(IdMap.fromIds([9]), rank, 2, ITEM_SALT);
    expect(c).not.toEqual(b.subarray(0, rank));
    let sq = 0;
    const many = initialFactors(
      IdMap.fromIds(Array.from({ length: 500 }, (_, i) => i)),
      rank,
      1,
      ITEM_SALT,
    );
    for (const v of many) sq += v * v;
    expect(sq / 500).toBeGreaterThan(0.8); // ≈ unit norm per vector on average
    expect(sq / 500).toBeLessThan(1.2);
  });
});

describe('explicit ALS', () => {
  const planted = plantedRatings({
    users: 300,
    items: 200,
    rank: 4,
    density: 0.25,
    noise: 0.3,
    seed: 3,
  });
  const { train, test } = split(planted.table, 0.2);
  const oracle = rmseOf(test, planted.truth);

  it('recovers planted low-rank structure to near the noise floor', () => {
    const model = trainAls(train, { rank: 4, reg: 0.03, biasReg: 1, iterations: 15 });
    const rmse = rmseOf(test, (u, m) => predict(model, u, m));
    expect(oracle).toBeGreaterThan(0.27);
    expect(oracle).toBeLessThan(0.33);
    expect(rmse).toBeLessThan(oracle * 1.15);
    const history = model.history.map((h) => h.trainRmse!);
    expect(history).toHaveLength(15);
    expect(history[14]!).toBeLessThan(history[0]!);
  });

  it('does well with the default options and with the CG solver', () => {
    // Defaults are calibrated for noisy real ratings, so here they only need to beat the
    // mean predictor by a wide margin.
    const defaults = trainAls(train);
    expect(defaults.rank).toBe(DEFAULT_ALS_OPTIONS.rank);
    const meanRmse = rmseOf(test, () => defaults.globalMean);
    expect(rmseOf(test, (u, m) => predict(defaults, u, m))).toBeLessThan(meanRmse * 0.6);
    const cg = trainAls(train, {
      rank: 4,
      reg: 0.03,
      biasReg: 1,
      iterations: 15,
      solver: 'cg',
      cgSteps: 4,
    });
    expect(rmseOf(test, (u, m) => predict(cg, u, m))).toBeLessThan(oracle * 1.2);
  });

  it('solves the bias-only special case in closed form', () => {
    // One user, three items with item factors zero: the user bias is Σ(r − μ − b_i)/(n + biasReg).
    const block = csrFromCoordinates(
      Int32Array.of(0, 0, 0),
      Int32Array.of(0, 1, 2),
      Float32Array.of(4, 5, 3),
      1,
      3,
    );
    const out = solveBlock(
      {
        block,
        fixedFactors: new Float32Array(3 * 2),
        fixedBias: Float32Array.of(0.5, 0, -0.5),
        globalMean: 3.5,
      },
      { ...DEFAULT_ALS_OPTIONS, rank: 2, reg: 0.1, biasReg: 1 },
    );
    expect(Array.from(out.factors)).toEqual([0, 0]);
    expect(out.bias![0]).toBeCloseTo((0 + 1.5 + 0) / (3 + 1), 6);
  });

  it('falls back to biases and the mean for unknown ids and clamps to the rating scale', () => {
    const model = trainAls(train, { rank: 4, iterations: 3 });
    const knownUser = train.userIds[0]!;
    const knownMovie = train.movieIds[0]!;
    const uIdx = model.userIds.indexOf(knownUser);
    const iIdx = model.itemIds.indexOf(knownMovie);
    const clamp = (v: number): number =>
      Math.min(model.options.ratingMax, Math.max(model.options.ratingMin, v));
    expect(predict(model, -1, -1)).toBeCloseTo(clamp(model.globalMean), 6);
    expect(predict(model, knownUser, -1)).toBeCloseTo(
      clamp(model.globalMean + model.userBias![uIdx]!),
      6,
    );
    expect(predict(model, -1, knownMovie)).toBeCloseTo(
      clamp(model.globalMean + model.itemBias![iIdx]!),
      6,
    );
    const squeezed = { ...model, options: { ...model.options, ratingMin: 2.9, ratingMax: 3.1 } };
    expect(predict(squeezed, knownUser, knownMovie)).toBeGreaterThanOrEqual(2.9);
    expect(predict(squeezed, knownUser, knownMovie)).toBeLessThanOrEqual(3.1);
  });

  it('round-trips a model through its binary form with identical predictions', () => {
    const model = trainAls(train, { rank: 4, iterations: 2 });
    const back = decodeModel(encodeModel(model));
    expect(back.userFactors).toEqual(model.userFactors);
    expect(back.itemFactors).toEqual(model.itemFactors);
    expect(back.userBias).toEqual(model.userBias);
    expect(back.globalMean).toBe(model.globalMean);
    expect(back.options).toEqual(model.options);
    expect(back.history).toEqual(model.history);
    for (let k = 0; k < 50; k++) {
      expect(predict(back, test.userIds[k]!, test.movieIds[k]!)).toBe(
        predict(model, test.userIds[k]!, test.movieIds[k]!),
      );
    }
    expect(() => decodeModel(new Uint8Array(20))).toThrow(/not a RSALSMD1 file/);
  });

  it('rejects bad options with a clear message', () => {
    expect(() => trainAls(train, { rank: 0 })).toThrow(/rank/);
    expect(() => trainAls(train, { reg: -1 })).toThrow(/reg/);
    expect(() => trainAls(train, { ratingMin: 5, ratingMax: 1 })).toThrow(/ratingMin/);
    expect(() => trainAls(new RatingsTableBuilder().finish())).toThrow(/empty/);
  });
});

describe('implicit ALS', () => {
  // Four taste groups; users interact with items of their own group only. One interaction per
  // user is held out; it must outrank the items of the other groups.
  const groups = 4;
  const users = 120;
  const items = 80;
  const groupOf = (x: number): number => x % groups;
  const build = (): { train: RatingsTable; heldOut: Map<number, number> } => {
    const b = new RatingsTableBuilder();
    const heldOut = new Map<number, number>();
    for (let u = 0; u < users; u++) {
      const mine = [];
      for (let i = 0; i < items; i++) {
        if (groupOf(u) === groupOf(i) && unitFromHash(hash4(u, i, 9)) < 0.5) mine.push(i);
      }
      // Hold out a different item for different users, so every item keeps training data.
      const held = mine[hash4(u, 11) % mine.length]!;
      heldOut.set(u, held);
      for (const i of mine) if (i !== held) b.push(u, i, 1 + (hash4(u, i, 10) % 4));
    }
    return { train: b.finish(), heldOut };
  };
  const { train, heldOut } = build();

  for (const solver of ['cholesky', 'cg'] as const) {
    it(`ranks a held-out planted positive above other groups' items (${solver})`, () => {
      const model = trainAls(train, {
        implicit: true,
        rank: 8,
        reg: 0.05,
        alpha: 5,
        iterations: 10,
        solver,
      });
      expect(model.userBias).toBeUndefined();
      let wins = 0;
      let comparisons = 0;
      for (const [u, positive] of heldOut) {
        const p = predict(model, u, positive);
        for (let i = 0; i < items; i++) {
          if (groupOf(i) === groupOf(u)) continue;
          comparisons++;
          if (p > predict(model, u, i)) wins++;
        }
      }
      expect(wins / comparisons).toBeGreaterThan(0.97);
    });
  }
});
