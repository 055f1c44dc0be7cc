/**
 * Bounded min-heap over (index, score) in typed arrays: keeps the best `capacity` offers in
 * O(log n) per accepted offer and never sorts the full candidate list. Ties go to the lower index,
 * so rankings are deterministic.
 */
export class TopNHeap {
  private readonly indices: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError(`bad top-N size ${capacity}`);
    this.indices = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  clear(): void {
    this.size = 0;
  }

  /** True when (ia, sa) ranks below (ib, sb). */
  private static worse(sa: number, ia: number, sb: number, ib: number): boolean {
    return sa < sb || (sa === sb && ia > ib);
  }

  /**
   * A score below which no offer is kept: the worst kept score once the heap is full, −∞ before
   * (a caller's inner loop compares against it without a call).
   */
  get floor(): number {
    if (this.capacity === 0) return Infinity;
    return this.size < this.capacity ? -Infinity : this.scores[0]!;
  }

  /**
   * Whether `offer(index, score)` would keep the entry: lets a caller skip costlier checks (an
   * exclusion set) for the many candidates that could not enter a full heap anyway.
   */
  admits(index: number, score: number): boolean {
    if (this.capacity === 0 || Number.isNaN(score)) return false;
    return (
      this.size < this.capacity || TopNHeap.worse(this.scores[0]!, this.indices[0]!, score, index)
    );
  }

  offer(index: number, score: number): void {
    if (this.capacity === 0 || Number.isNaN(score)) return;
    if (this.size < this.capacity) {
      let at = this.size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!TopNHeap.worse(score, index, this.scores[parent]!, this.indices[parent]!)) break;
        this.scores[at] = this.scores[parent]!;
        this.indices[at] = this.indices[parent]!;
        at = parent;
      }
      this.scores[at] = score;
      this.indices[at] = index;
      return;
    }
    if (!TopNHeap.worse(this.scores[0]!, this.indices[0]!, score, index)) return;
    this.siftDown(0, index, score, this.size);
  }

  /** Places (index, score) at `at` and restores heap order below it within `size` entries. */
  private siftDown(at: number, index: number, score: number, size: number): void {
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (
        right < size &&
        TopNHeap.worse(
          this.scores[right]!,
          this.indices[right]!,
          this.scores[left]!,
          this.indices[left]!,
        )
      ) {
        child = right;
      }
      if (!TopNHeap.worse(this.scores[child]!, this.indices[child]!, score, index)) break;
      this.scores[at] = this.scores[child]!;
      this.indices[at] = this.indices[child]!;
      at = child;
    }
    this.scores[at] = score;
    this.indices[at] = index;
  }

  /**
   * Writes the kept entries best-first into the outputs (from `offset`) and empties the heap;
   * returns how many were written. Heap-sort in place: O(n log n) for n kept entries only.
   */
  drainSorted(outIndices: Int32Array, outScores: Float32Array | Float64Array, offset = 0): number {
    const count = this.size;
    for (let end = count - 1; end >= 0; end--) {
      // The root is the worst remaining entry: it belongs at the back of the best-first output.
      outIndices[offset + end] = this.indices[0]!;
      outScores[offset + end] = this.scores[0]!;
      const lastIndex = this.indices[end]!;
      const lastScore = this.scores[end]!;
      this.siftDown(0, lastIndex, lastScore, end);
    }
    this.size = 0;
    return count;
  }
}
