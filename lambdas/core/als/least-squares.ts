import { addOuterProducts, packedSize } from './normal-equations.ts';

/** Entries staged per pass of the outer-product kernel: 128 × 8 B × d stays cache-resident. */
const CHUNK = 128;

/**
 * One row's normal equations A·x = b (Spark's `NormalEquation`: add, merge, reset). Entry j, with
 * y_j its column's factor, adds
 *
 *   A += weight_j · y_j y_jᵀ        b += target_j · y_j
 *
 * With a bias feature every y_j ends in a constant 1 (x's last component is then the row's bias).
 * A is symmetric, so only its upper triangle is kept, packed (see `normal-equations.ts`).
 *
 * Worked example, rank 2, no bias: entries y = (1, 2) with weight 1, target 3 and y = (0, 1) with
 * weight 2, target 1 give A = [[1, 2], [2, 4]] + [[0, 0], [0, 2]] = [[1, 2], [2, 6]] (packed
 * [1, 2, 6]) and b = 3·(1, 2) + 1·(0, 1) = (3, 7).
 *
 * Entries are staged in dimension-major chunks and folded into A by `addOuterProducts` 128 at a
 * time (2 × 4 register tiles instead of one rank-1 update per entry). The fold order depends only
 * on the row's entry count, so A has the same bits however rows are grouped. `merge` and
 * `regularize` fold what is staged first: A is complete after either. With unit weights (explicit
 * ALS) weight_j·y_j is y_j itself, so the staged y_j serve as both sides of the outer product.
 */
export class NormalEquation {
  /** Unknowns: rank factors, plus one bias with a bias feature. */
  readonly d: number;
  /** A, the packed upper triangle (d·(d+1)/2 values). */
  readonly ata: Float64Array;
  /** b; `choleskySolvePacked` turns it into the solution x in place. */
  readonly atb: Float64Array;
  /** weight_j · y_j of the staged entries, dimension-major (dimension a at a·CHUNK). */
  private readonly left: Float64Array;
  /** y_j of the staged entries, dimension-major. */
  private readonly right: Float64Array;
  private staged = 0;
  /** Whether the staged entries have unit weights (then `left` is not written: `right` serves). */
  private unitWeights = false;

  constructor(
    readonly rank: number,
    readonly biasFeature: boolean,
  ) {
    this.d = rank + (biasFeature ? 1 : 0);
    this.ata = new Float64Array(packedSize(this.d));
    this.atb = new Float64Array(this.d);
    this.left = new Float64Array(this.d * CHUNK);
    this.right = new Float64Array(this.d * CHUNK);
  }

  /** Starts a new row: A = 0, b = 0. */
  reset(): void {
    this.ata.fill(0);
    this.atb.fill(0);
    this.staged = 0;
  }

  /**
   * Adds `count` entries: entry k has factor y = `factors[cols[first + k]·rank ..)`, weight
   * `weights[k]` (null: every weight 1) and target `targets[k]` (see the class comment).
   */
  addEntries(
    factors: Float32Array,
    cols: Int32Array,
    first: number,
    count: number,
    weights: Float64Array | null,
    targets: Float64Array,
  ): void {
    const unit = weights === null;
    if (unit !== this.unitWeights) {
      this.fold();
      this.unitWeights = unit;
    }
    const { rank, left, right, atb, biasFeature } = this;
    // Up to a chunk's free slots at a time; entry k goes to staging slot j.
    for (let k = 0; k < count;) {
      const slots = Math.min(CHUNK - this.staged, count - k);
      const end = this.staged + slots;
      for (let j = this.staged; j < end; j++, k++) {
        const offset = cols[first + k]! * rank;
        const target = targets[k]!;
        if (weights === null) {
          for (let a = 0; a < rank; a++) {
            const y = factors[offset + a]!;
            right[a * CHUNK + j] = y;
            atb[a]! += target * y;
          }
        } else {
          const weight = weights[k]!;
          for (let a = 0; a < rank; a++) {
            const y = factors[offset + a]!;
            right[a * CHUNK + j] = y;
            left[a * CHUNK + j] = weight * y;
            atb[a]! += target * y;
          }
          if (biasFeature) left[rank * CHUNK + j] = weight;
        }
        if (biasFeature) {
          right[rank * CHUNK + j] = 1;
          atb[rank]! += target;
        }
      }
      this.staged = end;
      if (end === CHUNK) this.fold();
    }
  }

  /**
   * A += a packed matrix formed elsewhere. Spark merges partial equations this way; here it is the
   * α₀·YᵀY every row of an implicit half-step shares (computed once, added to each row's A).
   */
  merge(packed: Float64Array): void {
    if (packed.length !== this.ata.length) throw new Error('merge needs a packed d × d matrix');
    this.fold();
    const { ata } = this;
    for (let p = 0; p < packed.length; p++) ata[p]! += packed[p]!;
  }

  /** The ridge term: `penalty` on each factor's diagonal entry, `biasPenalty` on the bias's. */
  regularize(penalty: number, biasPenalty: number): void {
    this.fold();
    const { ata, d, rank } = this;
    let p = 0; // packed (a, a)
    for (let a = 0; a < d; a++) {
      ata[p]! += a < rank ? penalty : biasPenalty;
      p += d - a;
    }
  }

  private fold(): void {
    if (this.staged === 0) return;
    const left = this.unitWeights ? this.right : this.left;
    addOuterProducts(this.ata, this.d, left, this.right, CHUNK, this.staged);
    this.staged = 0;
  }
}
