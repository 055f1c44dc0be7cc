import { describe, expect, it } from 'vitest';
import { buildRatingMatrices } from '../../lambdas/core/matrix/csr.ts';
import {
  choleskyInPlace,
  inverseColumn,
  inverseColumns4,
} from '../../lambdas/core/neighbours/dense-cholesky.ts';
import {
  factorGram,
  fitNeighbours,
  gramRows,
  inverseRows,
  memberPositions,
  neighbourMembers,
} from '../../lambdas/core/neighbours/ease.ts';
import {
  decodeNeighbourModel,
  encodeNeighbourModel,
  neighbourScores,
} from '../../lambdas/core/neighbours/model.ts';
import { resolveNeighbourSettings } from '../../lambdas/core/neighbours/options.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { itemSupport } from '../../lambdas/core/recommender/fit.ts';
import { plantedRatings } from '../support/planted-ratings.ts';

/** A random symmetric positive-definite n × n matrix: MᵀM + n·I. */
function spd(n: number, seed: number): Float64Array {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5;
  const m = Array.from({ length: n * n }, next);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += m[k * n + i]! * m[k * n + j]!;
      a[i * n + j] = s;
    }
  return a;
}

describe('dense Cholesky', () => {
  for (const n of [1, 2, 5, 8, 13]) {
    it(`factors and inverts a ${n} × ${n} SPD matrix`, () => {
      const a = spd(n, n);
      const l = a.slice();
      choleskyInPlace(l, n);
      // L Lᵀ reproduces A (lower triangle).
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k <= j; k++) s += l[i * n + k]! * l[j * n + k]!;
          expect(s).toBeCloseTo(a[i * n + j]!, 9);
        }
      // A · (column j of A⁻¹) = e_j.
      const column = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        inverseColumn(l, n, j, column);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a[i * n + k]! * column[k]!;
          expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
        }
      }
    });
  }

  it('solves four columns at once with the same bits as one at a time, in any grouping', () => {
    const n = 11;
    const l = spd(n, 3);
    choleskyInPlace(l, n);
    const single = new Float64Array(n);
    const work = new Float64Array(4 * n);
    for (const group of [
      [0, 1, 2, 3],
      [7, 2, 10, 5],
      [4, 4, 9, 0],
    ] as const) {
      inverseColumns4(l, n, group, work);
      group.forEach((j, c) => {
        inverseColumn(l, n, j, single);
        const fromGroup = Float64Array.from({ length: n }, (_, k) => work[k * 4 + c]!);
        expect(
          Buffer.from(fromGroup.buffer).equals(Buffer.from(single.buffer)),
          `column ${j}`,
        ).toBe(true);
      });
    }
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => choleskyInPlace(Float64Array.of(1, 2, 2, 1), 2)).toThrow(/positive definite/);
  });
});

describe('EASE neighbour model', () => {
  const { table } = plantedRatings({
    users: 60,
    items: 25,
    rank: 3,
    density: 0.3,
    noise: 0.3,
    seed: 4,
  });
  const matrices = buildRatingMatrices(table);
  const support = itemSupport(matrices);
  const settings = resolveNeighbourSettings({ maxItems: 20, reg: 7, minSupport: 1 });

  it('keeps the most-rated movies, ascending', () => {
    const members = neighbourMembers(support, settings);
    expect(members.length).toBe(20);
    expect([...members]).toEqual([...members].sort((a, b) => a - b));
    const minKept = Math.min(...[...members].map((i) => support[i]!));
    for (let i = 0; i < support.length; i++) {
      if (!members.includes(i)) expect(support[i]!).toBeLessThanOrEqual(minKept);
    }
  });

  it('solves the ridge regression of every column on the others (EASE’s closed form)', () => {
    const model = fitNeighbours(matrices, support, settings);
    const members = neighbourMembers(support, settings);
    const M = members.length;
    const all = Int32Array.from({ length: M }, (_, k) => k);
    const G = gramRows(
      all,
      members,
      memberPositions(members, support.length),
      matrices.byItem,
      matrices.byUser,
      settings,
    );
    // Stationarity of ‖X_j − X B_j‖² + λ‖B_j‖² over the off-diagonal entries of column j:
    // (G + λI) B_j = G_j on every row i ≠ j.
    for (const j of [0, 7, M - 1]) {
      for (let i = 0; i < M; i++) {
        if (i === j) continue;
        let lhs = settings.reg * model.weights[i * M + j]!;
        for (let k = 0; k < M; k++) lhs += G[i * M + k]! * model.weights[k * M + j]!;
        expect(lhs).toBeCloseTo(G[i * M + j]!, 2);
      }
      expect(model.weights[j * M + j]).toBe(0);
    }
  });

  it('gives the same weights when P is computed in row blocks', () => {
    const members = neighbourMembers(support, settings);
    const M = members.length;
    const positions = memberPositions(members, support.length);
    const whole = fitNeighbours(matrices, support, settings);
    const rowsA = Int32Array.from({ length: 8 }, (_, k) => k);
    const rowsB = Int32Array.from({ length: M - 8 }, (_, k) => k + 8);
    const gram = new Float64Array(M * M);
    gram.set(gramRows(rowsA, members, positions, matrices.byItem, matrices.byUser, settings), 0);
    gram.set(
      gramRows(rowsB, members, positions, matrices.byItem, matrices.byUser, settings),
      8 * M,
    );
    factorGram(gram, M, settings.reg);
    const a = inverseRows(gram, M, rowsA);
    const b = inverseRows(gram, M, rowsB);
    const diagonal = Float64Array.from([...a.diagonal, ...b.diagonal]);
    const inverse = new Float32Array(M * M);
    inverse.set(a.rows, 0);
    inverse.set(b.rows, 8 * M);
    const scale = diagonal.map((d) => -1 / d);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < M; j++) {
        const expected = i === j ? 0 : inverse[i * M + j]! * scale[j]!;
        expect(whole.weights[i * M + j]).toBe(Math.fround(expected));
      }
  });

  it('scores a profile as Σ x_i·B[i][·] and round-trips through its file format', () => {
    const model = fitNeighbours(matrices, support, settings);
    const decoded = decodeNeighbourModel(encodeNeighbourModel(model));
    expect(decoded.movieIds).toEqual(model.movieIds);
    expect(decoded.weights).toEqual(model.weights);
    const ids = IdMap.fromSortedUnique(model.movieIds);
    const M = model.movieIds.length;
    const out = new Float64Array(M);
    const [a, b] = [model.movieIds[1]!, model.movieIds[4]!];
    const used = neighbourScores(
      model,
      ids,
      [
        { movieId: a, rating: 5 }, // liked: weight 1 + boost
        { movieId: b, rating: 2 },
        { movieId: 999_999, rating: 5 }, // unknown: ignored
      ],
      out,
    );
    expect(used).toBe(2);
    for (const j of [0, 3, M - 1]) {
      const expected =
        (1 + settings.positiveBoost) * model.weights[1 * M + j]! + model.weights[4 * M + j]!;
      expect(out[j]).toBeCloseTo(expected, 6);
    }
  });

  it('takes x from a weigh function in place of the stars, leaving out an x of 0', () => {
    const model = fitNeighbours(matrices, support, settings);
    const ids = IdMap.fromSortedUnique(model.movieIds);
    const M = model.movieIds.length;
    const out = new Float64Array(M);
    const [a, b, c] = [model.movieIds[1]!, model.movieIds[4]!, model.movieIds[6]!];
    // x = 0.5 at 3.5 stars, 0 below 3 (left out), 4 at 5 stars.
    const weigh = (r: number) => (r >= 5 ? 4 : r >= 3 ? 0.5 : 0);
    const ratings = [
      { movieId: a, rating: 5 },
      { movieId: b, rating: 3.5 },
      { movieId: c, rating: 2 },
    ];
    expect(neighbourScores(model, ids, ratings, out, weigh)).toBe(2);
    for (const j of [0, 3, M - 1]) {
      const expected = 4 * model.weights[1 * M + j]! + 0.5 * model.weights[4 * M + j]!;
      expect(out[j]).toBeCloseTo(expected, 6);
    }
    // Everything at x 0: nothing to go on, and the scores are zeros.
    expect(neighbourScores(model, ids, ratings, out, () => 0)).toBe(0);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('multiplies x by a rating’s weight (a recency weight), 1 when it has none', () => {
    const model = fitNeighbours(matrices, support, settings);
    const ids = IdMap.fromSortedUnique(model.movieIds);
    const M = model.movieIds.length;
    const out = new Float64Array(M);
    const [a, b] = [model.movieIds[1]!, model.movieIds[4]!];
    const ratings = [
      { movieId: a, rating: 5, weight: 2 }, // x = (1 + boost)·2
      { movieId: b, rating: 2 }, // x = 1
    ];
    expect(neighbourScores(model, ids, ratings, out)).toBe(2);
    for (const j of [0, 3, M - 1]) {
      const expected =
        2 * (1 + settings.positiveBoost) * model.weights[1 * M + j]! + model.weights[4 * M + j]!;
      expect(out[j]).toBeCloseTo(expected, 6);
    }
  });

  it('rejects bad settings with the name of the setting', () => {
    expect(() => resolveNeighbourSettings({ reg: 0 })).toThrow(/reg/);
    expect(() => resolveNeighbourSettings({ maxItems: 1.5 })).toThrow(/maxItems/);
  });
});
