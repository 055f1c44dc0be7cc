/**
 * The two halves of a row solve, apart: `RowTerms` turns a row's ratings into normal-equation terms
 * (the one place the explicit and implicit losses are written), `NormalEquation` accumulates them
 * (add / merge / regularize / reset). The end-to-end results are pinned by als.test.ts,
 * als-cg.test.ts and als-determinism.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { solverStartsFromCurrent } from '../../lambdas/core/als/block-solver.ts';
import { NormalEquation, type EntrySink } from '../../lambdas/core/als/least-squares.ts';
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
    eq.add(Float32Array.of(1, 2), 0, 1, 3);
    eq.add(Float32Array.of(9, 0, 1), 1, 2, 1); // y = (0, 1) at offset 1
    eq.regularize(0, 0);
    expect([...eq.ata]).toEqual([1, 2, 6]);
    expect([...eq.atb]).toEqual([3, 7]);
  });

  it('sums Σ w·y yᵀ and Σ t·y over many chunks, with a bias feature, a merge and the penalty', () => {
    const rank = 3;
    const n = 300; // more than two chunks of 128
    const factors = Float32Array.from({ length: n * rank }, (_, k) => unitFromHash(hash4(k, 1, 2)));
    const weight = (j: number): number => 1 + (j % 5);
    const target = (j: number): number => (j % 7) - 3;
    const eq = new NormalEquation(rank, true);
    eq.reset();
    eq.add(factors, 0, 100, 100); // cleared by the reset below
    eq.reset();
    for (let j = 0; j < n; j++) eq.add(factors, j * rank, weight(j), target(j));
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

/** Records what `RowTerms` feeds a solver. */
class Recorder implements EntrySink {
  entries: [number, number, number][] = [];
  add(col: number, weight: number, target: number): void {
    this.entries.push([col, weight, target]);
  }
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
    const sink = new Recorder();
    expect(terms.addRow(0, 3, sink)).toBe(3);
    expect(sink.entries).toEqual([
      [1, 1, 4 - 3 - 0.25],
      [4, 1, -2 - 3 - 1],
      [6, 1, 0.5 - 3 - 1.5],
    ]);
    expect(terms.penalty(3)).toBeCloseTo(0.1 * 3, 12);
  });

  it('implicit: weight c − α₀, target c·p, only positives count for the penalty', () => {
    const settings = resolveAlsOptions(
      { implicit: true, alpha: 2, unobservedWeight: 0.25, reg: 0.1, regExponent: 0.5 },
      { ratingMin: -2, ratingMax: 5 },
    );
    const terms = new RowTerms(settings, row, 0, null);
    const sink = new Recorder();
    expect(terms.addRow(0, 3, sink)).toBe(2);
    expect(sink.entries).toEqual([
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
