/**
 * The two halves of a row solve, apart: `RowTerms` turns a row's ratings into normal-equation terms
 * (the one place the explicit and implicit losses are written), `NormalEquation` accumulates them
 * (add / merge / regularize / reset). The end-to-end results are pinned by als.test.ts,
 * als-cg.test.ts and als-determinism.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { solverStartsFromCurrent } from '../../lambdas/core/als/block-solver.ts';
import { NormalEquation } from '../../lambdas/core/als/least-squares.ts';
import { packedIndex } from '../../lambdas/core/als/normal-equations.ts';
import { resolveAlsOptions, type AlsSolver } from '../../lambdas/core/als/options.ts';
import { RowTerms, rowPenalty } from '../../lambdas/core/als/row-terms.ts';
import { createRowSolver } from '../../lambdas/core/als/row-solvers.ts';
import type { CsrBlock } from '../../lambdas/core/matrix/csr.ts';
import { hash4, unitFromHash } from '../../lambdas/core/matrix/hash.ts';

/** The full symmetric matrix of a packed upper triangle. */
function unpack(packed: Float64Array, d: number): number[][] {
  return Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => packed[packedIndex(d, Math.min(a, b), Math.max(a, b))]!),
  );
}

describe('NormalEquation', () => {
  it('builds the worked example of its doc comment', () => {
    const eq = new NormalEquation(2, false);
    eq.reset();
    // Column 2's factor is (1, 2), column 0's (0, 1); entries list column 2 first.
    const factors = Float32Array.of(0, 1, 9, 9, 1, 2);
    eq.addEntries(
      factors,
      Int32Array.of(7, 2, 0),
      1,
      2,
      Float64Array.of(1, 2),
      Float64Array.of(3, 1),
    );
    eq.regularize(0, 0);
    expect([...eq.ata]).toEqual([1, 2, 6]);
    expect([...eq.atb]).toEqual([3, 7]);
  });

  it('unit weights (null) give what weights of 1 give, bit for bit, and mix with weighted entries', () => {
    const rank = 5;
    const n = 200;
    const factors = Float32Array.from({ length: n * rank }, (_, k) => unitFromHash(hash4(k, 3, 4)));
    const cols = Int32Array.from({ length: n }, (_, j) => (j * 37) % n);
    const targets = Float64Array.from({ length: n }, (_, j) => (j % 9) / 2 - 2);
    const ones = new Float64Array(n).fill(1);
    const weighted = new NormalEquation(rank, true);
    const unit = new NormalEquation(rank, true);
    for (const eq of [weighted, unit]) eq.reset();
    weighted.addEntries(factors, cols, 0, n, ones, targets);
    unit.addEntries(factors, cols, 0, 150, null, targets);
    // The rest weighted: staged unit entries are folded before the mode changes.
    unit.addEntries(factors, cols, 150, 50, ones, targets.subarray(150));
    for (const eq of [weighted, unit]) eq.regularize(0.25, 1);
    expect(unit.atb).toEqual(weighted.atb);
    for (let p = 0; p < unit.ata.length; p++) {
      expect(unit.ata[p], `packed ${p}`).toBeCloseTo(weighted.ata[p]!, 12);
    }
    // One mode per row, as the solvers use it: the same bits.
    const unitRow = new NormalEquation(rank, true);
    unitRow.reset();
    unitRow.addEntries(factors, cols, 0, n, null, targets);
    unitRow.regularize(0.25, 1);
    expect(unitRow.ata).toEqual(weighted.ata);
  });

  it('sums Σ w·y yᵀ and Σ t·y over many chunks, with a bias feature, a merge and the penalty', () => {
    const rank = 3;
    const n = 300; // more than two chunks of 128
    const factors = Float32Array.from({ length: n * rank }, (_, k) => unitFromHash(hash4(k, 1, 2)));
    const weight = (j: number): number => 1 + (j % 5);
    const target = (j: number): number => (j % 7) - 3;
    const eq = new NormalEquation(rank, true);
    const cols = Int32Array.from({ length: n }, (_, j) => j);
    const weights = Float64Array.from({ length: n }, (_, j) => weight(j));
    const targets = Float64Array.from({ length: n }, (_, j) => target(j));
    eq.reset();
    eq.addEntries(factors, cols, 0, 1, Float64Array.of(100), Float64Array.of(100)); // reset below
    eq.reset();
    eq.addEntries(factors, cols, 0, n, weights, targets);
    const shared = Float64Array.from({ length: 10 }, (_, p) => p + 1);
    eq.merge(shared);
    eq.regularize(0.5, 2);
    const d = rank + 1;
    const y = (j: number, a: number): number => (a < rank ? factors[j * rank + a]! : 1);
    const A = unpack(eq.ata, d);
    const S = unpack(shared, d);
    for (let a = 0; a < d; a++) {
      let b_a = 0;
      for (let j = 0; j < n; j++) b_a += target(j) * y(j, a);
      expect(eq.atb[a]).toBeCloseTo(b_a, 9);
      for (let b = 0; b < d; b++) {
        let sum = S[a]![b]! + (a === b ? (a < rank ? 0.5 : 2) : 0);
        for (let j = 0; j < n; j++) sum += weight(j) * y(j, a) * y(j, b);
        expect(A[a]![b]).toBeCloseTo(sum, 9);
      }
    }
  });

  it('refuses to merge a matrix of another size', () => {
    expect(() => new NormalEquation(2, false).merge(new Float64Array(6))).toThrow(/packed d × d/);
  });
});

/** What `RowTerms.fillRow` wrote for entries from..to: [column, weight, target] each. */
function filled(terms: RowTerms, block: CsrBlock, from: number, to: number) {
  return Array.from({ length: to - from }, (_, j) => [
    block.colIdx[from + j],
    terms.weights[j],
    terms.targets[j],
  ]);
}

const row: CsrBlock = {
  rows: Int32Array.of(0),
  rowPtr: Int32Array.of(0, 3),
  colIdx: Int32Array.of(1, 4, 6),
  values: Float32Array.of(4, -2, 0.5),
  totalRows: 1,
  numCols: 10,
};

describe('RowTerms', () => {
  it('explicit: weight 1, target r − μ − b_col, every rating counts for the penalty', () => {
    const settings = resolveAlsOptions({ reg: 0.1 }, { ratingMin: -2, ratingMax: 5 });
    const fixedBias = Float32Array.from({ length: 10 }, (_, c) => c / 4);
    const terms = new RowTerms(settings, row, 3, fixedBias);
    expect(terms.fillRow(0, 3)).toBe(3);
    expect(terms.unitWeights).toBe(true);
    expect(filled(terms, row, 0, 3)).toEqual([
      [1, 1, 4 - 3 - 0.25],
      [4, 1, -2 - 3 - 1],
      [6, 1, 0.5 - 3 - 1.5],
    ]);
    expect(terms.penalty(3)).toBeCloseTo(0.1 * 3, 12);
  });

  it('fills a later row of a block from index 0, its columns read at the block offset', () => {
    const twoRows: CsrBlock = {
      ...row,
      rows: Int32Array.of(0, 1),
      rowPtr: Int32Array.of(0, 3, 5),
      colIdx: Int32Array.of(1, 4, 6, 2, 9),
      values: Float32Array.of(4, -2, 0.5, 3, 1),
      totalRows: 2,
    };
    const settings = resolveAlsOptions({}, { ratingMin: -2, ratingMax: 5 });
    const fixedBias = Float32Array.from({ length: 10 }, (_, c) => c / 4);
    const terms = new RowTerms(settings, twoRows, 3, fixedBias);
    expect(terms.fillRow(0, 3)).toBe(3);
    expect(terms.fillRow(3, 5)).toBe(2);
    expect(filled(terms, twoRows, 3, 5)).toEqual([
      [2, 1, 3 - 3 - 0.5],
      [9, 1, 1 - 3 - 2.25],
    ]);
  });

  it('implicit: weight c − α₀, target c·p, only positives count for the penalty', () => {
    const settings = resolveAlsOptions(
      { implicit: true, alpha: 2, unobservedWeight: 0.25, reg: 0.1, regExponent: 0.5 },
      { ratingMin: -2, ratingMax: 5 },
    );
    const terms = new RowTerms(settings, row, 0, null);
    expect(terms.fillRow(0, 3)).toBe(2);
    expect(terms.unitWeights).toBe(false);
    expect(filled(terms, row, 0, 3)).toEqual([
      [1, 9 - 0.25, 9],
      [4, 5 - 0.25, 0],
      [6, 2 - 0.25, 2],
    ]);
    expect(terms.penalty(2)).toBeCloseTo(0.1 * Math.sqrt(2 + 0.25 * 10), 12);
    expect(rowPenalty(settings, 2, 10)).toBe(terms.penalty(2));
  });
});

describe('row solvers', () => {
  it('only CG starts from the current factors; an unknown solver is refused', () => {
    expect(solverStartsFromCurrent({ solver: 'cholesky' })).toBe(false);
    expect(solverStartsFromCurrent({ solver: 'cg' })).toBe(true);
    expect(() => createRowSolver('lu' as AlsSolver)).toThrow(/solver must be/);
  });
});
