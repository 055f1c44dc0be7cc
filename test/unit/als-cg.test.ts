/**
 * Solver 'cg' (the WebAssembly SIMD kernel of cg-kernel.wat): run to convergence it must give the
 * factors the direct Cholesky solve gives; a few steps must follow the float64 reference
 * `conjugateGradientSolve` step for step; and every row's result must depend only on that row, so
 * block counts, orders and reused scratch cannot change a bit. (test/unit/als-determinism.test.ts
 * checks the same property end to end through `trainAls` and a simulated distributed run.)
 */
import { describe, expect, it } from 'vitest';
import {
  SolverScratch,
  solveBlock,
  type BlockSolveInput,
} from '../../lambdas/core/als/block-solver.ts';
import { CgKernel, conjugateGradientSolve } from '../../lambdas/core/als/conjugate-gradient.ts';
import { computeGram, gramOfRows } from '../../lambdas/core/als/gram.ts';
import { USER_SALT, initialFactors } from '../../lambdas/core/als/initial-factors.ts';
import { packedSize } from '../../lambdas/core/als/normal-equations.ts';
import { resolveAlsOptions, type AlsOptions } from '../../lambdas/core/als/options.ts';
import { trainAls } from '../../lambdas/core/als/train.ts';
import { buildRatingMatrices, splitIntoBlocks } from '../../lambdas/core/matrix/csr.ts';
import { hash4, unitFromHash } from '../../lambdas/core/matrix/hash.ts';
import { plantedRatings } from '../support/planted-ratings.ts';

const { table } = plantedRatings({
  users: 120,
  items: 200,
  rank: 3,
  density: 0.08,
  noise: 0.4,
  seed: 5,
  heavyUsers: 6,
});
const matrices = buildRatingMatrices(table);
const { userIds, itemIds, byUser } = matrices;

function bytes(a: Float32Array | undefined): Buffer {
  return a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.alloc(0);
}

/** One user half-step's inputs against item factors from a short Cholesky training run. */
function userHalfStep(options: AlsOptions) {
  const settings = resolveAlsOptions(options, { ratingMin: 0.5, ratingMax: 5 });
  const trained = trainAls(table, { ...options, solver: 'cholesky', iterations: 2 });
  const input: BlockSolveInput = {
    block: byUser,
    fixedFactors: trained.itemFactors,
    fixedBias: trained.itemBias,
    globalMean: trained.globalMean,
    gram: settings.implicit ? computeGram(trained.itemFactors, settings.rank) : undefined,
    // A cold warm start (the hashed initial factors), so CG has real work to do.
    previous: initialFactors(userIds, settings.rank, 99, USER_SALT),
    previousBias: settings.biases ? new Float32Array(userIds.size).fill(0.3) : undefined,
  };
  return { settings, input };
}

const convergenceCases: [string, AlsOptions][] = [
  [
    'implicit, α₀ = 0.1, ν = 1 (the ranking model)',
    { rank: 6, implicit: true, alpha: 0, unobservedWeight: 0.1, reg: 0.01 },
  ],
  ['implicit, α = 3, α₀ = 1, rank a multiple of 4', { rank: 8, implicit: true, alpha: 3 }],
  ['explicit with biases', { rank: 7, reg: 0.05, biasReg: 1 }],
  ['explicit without biases', { rank: 5, reg: 0.05, biases: false }],
];

describe.each(convergenceCases)('solver cg: %s', (_name, options) => {
  const { settings, input } = userHalfStep(options);
  const direct = solveBlock(input, { ...settings, solver: 'cholesky' });

  it('converges to the direct (Cholesky) solution', () => {
    const cg = solveBlock(input, { ...settings, solver: 'cg', cgSteps: 300 });
    let scale = 0;
    for (const v of direct.factors) scale = Math.max(scale, Math.abs(v));
    expect(scale).toBeGreaterThan(0.05);
    for (let k = 0; k < direct.factors.length; k++) {
      expect(Math.abs(cg.factors[k]! - direct.factors[k]!)).toBeLessThan(2e-5 * scale);
    }
    if (direct.bias) {
      for (let r = 0; r < direct.bias.length; r++)
        expect(Math.abs(cg.bias![r]! - direct.bias[r]!)).toBeLessThan(2e-5 * scale);
    }
  });

  it('moves from the warm start toward it in the default three steps', () => {
    const cg = solveBlock(input, { ...settings, solver: 'cg', cgSteps: 3 });
    const distance = (a: Float32Array) => {
      let s = 0;
      for (let k = 0; k < a.length; k++) s += (a[k]! - direct.factors[k]!) ** 2;
      return Math.sqrt(s);
    };
    expect(distance(cg.factors)).toBeLessThan(0.5 * distance(input.previous!));
  });

  it('gives every row the same bits in any block, order or reused scratch', () => {
    const cgSettings = { ...settings, solver: 'cg' as const };
    const whole = solveBlock(input, cgSettings);
    for (const count of [3, 7]) {
      // Shared scratch, blocks in reverse: the kernel's memory is laid out anew for each block
      // (other longest rows) and holds the previous block's data when the next one starts.
      const scratch = new SolverScratch();
      const factors = new Float32Array(whole.factors.length);
      const bias = new Float32Array(userIds.size);
      const blocks = splitIntoBlocks(byUser, count, 'hash', userIds).reverse();
      for (const block of blocks) {
        const out = solveBlock(
          {
            ...input,
            block,
            previous: pick(input.previous!, block.rows, settings.rank),
            previousBias: input.previousBias ? pick(input.previousBias, block.rows, 1) : undefined,
          },
          cgSettings,
          scratch,
        );
        for (let r = 0; r < block.rows.length; r++) {
          const row = block.rows[r]!;
          factors.set(
            out.factors.subarray(r * settings.rank, (r + 1) * settings.rank),
            row * settings.rank,
          );
          if (out.bias) bias[row] = out.bias[r]!;
        }
      }
      expect(bytes(factors).equals(bytes(whole.factors))).toBe(true);
      if (whole.bias) expect(bytes(bias).equals(bytes(whole.bias))).toBe(true);
    }
  });
});

function pick(values: Float32Array, rows: Int32Array, width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++)
    out.set(values.subarray(rows[r]! * width, rows[r]! * width + width), r * width);
  return out;
}

/** A CG kernel prepared for these fixed factors and Gram matrix, without the bias feature. */
function preparedKernel(
  fixedFactors: Float32Array,
  rank: number,
  numCols: number,
  gram: Float64Array,
  maxRowLength: number,
): CgKernel {
  const kernel = new CgKernel();
  kernel.prepare({
    fixedFactors,
    rank,
    numCols,
    biasFeature: false,
    biasReg: 0,
    gram,
    maxRowLength,
  });
  return kernel;
}

describe('the SIMD kernel', () => {
  it('follows the float64 reference step for step (float32 round-off apart)', () => {
    for (const [rank, count, steps] of [
      [5, 9, 1],
      [12, 33, 3],
      [17, 130, 4],
    ] as const) {
      const numCols = 150;
      const F = Float32Array.from(
        { length: numCols * rank },
        (_, k) => unitFromHash(hash4(k, rank, 1)) - 0.5,
      );
      const gram = computeGram(F, rank).map((v) => 0.1 * v);
      const cols = Int32Array.from({ length: count }, (_, j) => Math.floor((j * numCols) / count));
      const w = Float64Array.from({ length: count }, (_, j) => 0.9 + unitFromHash(hash4(j, 2)));
      const t = Float64Array.from({ length: count }, (_, j) => 1 + unitFromHash(hash4(j, 3)));
      const x0 = Float64Array.from({ length: rank }, (_, a) => unitFromHash(hash4(a, 4)) - 0.5);
      const reg = 0.7;
      // Reference: explicit right-hand side and gathered rows, float64 throughout.
      const Y = new Float64Array(count * rank);
      const b = new Float64Array(rank);
      for (let j = 0; j < count; j++)
        for (let a = 0; a < rank; a++) {
          Y[j * rank + a] = F[cols[j]! * rank + a]!;
          b[a]! += t[j]! * F[cols[j]! * rank + a]!;
        }
      const expected = x0.slice();
      conjugateGradientSolve(
        { d: rank, rank, rowMajor: Y, weights: w, count, gram, reg, biasReg: 0 },
        b,
        expected,
        steps,
        { r: new Float64Array(rank), p: new Float64Array(rank), Ap: new Float64Array(rank) },
      );
      const kernel = preparedKernel(F, rank, numCols, gram, count);
      kernel.cols.set(cols);
      kernel.weights.set(w);
      kernel.targets.set(t);
      kernel.x.set(x0);
      expect(kernel.solve(count, reg, steps)).toBe(steps);
      let scale = 0;
      for (const v of expected) scale = Math.max(scale, Math.abs(v));
      for (let a = 0; a < rank; a++)
        expect(Math.abs(kernel.x[a]! - expected[a]!)).toBeLessThan(1e-4 * scale);
    }
  });

  it('solves an empty row toward zero and keeps padding lanes at zero', () => {
    const rank = 6;
    const numCols = 10;
    const F = Float32Array.from({ length: numCols * rank }, (_, k) => Math.sin(k));
    const gram = computeGram(F, rank);
    expect(gram.length).toBe(packedSize(rank));
    const kernel = preparedKernel(F, rank, numCols, gram, 0);
    kernel.x.set([1, -1, 2, 0.5, 0, 3]);
    kernel.solve(0, 0.5, 50);
    for (let a = 0; a < 8; a++) expect(Math.abs(kernel.x[a]!)).toBeLessThan(1e-5);
  });
});

describe('the Gram kernel (gram-kernel.wat)', () => {
  /** The plain loop whose bits gramOfRows must reproduce. */
  function scalarGram(F: Float32Array, rank: number, from: number, to: number): Float64Array {
    const G = new Float64Array(packedSize(rank));
    for (let i = from; i < to; i++) {
      let p = 0;
      for (let a = 0; a < rank; a++)
        for (let b = a; b < rank; b++) G[p++]! += F[i * rank + a]! * F[i * rank + b]!;
    }
    return G;
  }

  it.each([1, 2, 3, 7, 8, 9, 16, 17, 21, 64])(
    'gives the bits of the plain loop at rank %i',
    (rank) => {
      const n = 1500;
      const F = Float32Array.from(
        { length: n * rank },
        (_, k) => (unitFromHash(hash4(k, rank, 7)) - 0.5) * (1 + (k % 5)),
      );
      for (const [from, to] of [
        [0, n],
        [3, 4],
        [17, 1041],
      ] as const) {
        const G = gramOfRows(F, rank, from, to);
        expect(
          Buffer.from(G.buffer).equals(Buffer.from(scalarGram(F, rank, from, to).buffer)),
        ).toBe(true);
      }
      expect(gramOfRows(F, rank, 5, 5).every((v) => v === 0)).toBe(true);
    },
  );
});

describe('CSR test data', () => {
  it('has rows longer than the kernel tiles and rows that are not a multiple of 4', () => {
    const lengths = new Set<number>();
    for (let r = 0; r < byUser.rows.length; r++)
      lengths.add(byUser.rowPtr[r + 1]! - byUser.rowPtr[r]!);
    expect(Math.max(...lengths)).toBeGreaterThan(40);
    expect([...lengths].some((n) => n % 4 !== 0)).toBe(true);
    expect(itemIds.size).toBeGreaterThan(100);
  });
});
