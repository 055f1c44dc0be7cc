import { SCORE_KERNEL_WASM_BASE64 } from './score-kernel-wasm.ts';
import { ensureMemory, instantiateKernel, type WasmMemory } from './wasm.ts';

/**
 * What both kernel entries take after their query rows (byte offsets into the kernel's memory):
 * the rank, the panels' offset and count, where the scores go and the float64 panel scratch.
 */
type PanelArguments = [
  rank: number,
  panels: number,
  panelCount: number,
  out: number,
  scratch: number,
];

interface ScoreExports {
  memory: WasmMemory;
  /** `rowCount` query rows from byte offset `rows`, scored against every item. */
  scores(rows: number, rowCount: number, ...panel: PanelArguments): void;
  /** One query row (a served list, a fold-in): two panels at a time, eight independent sums. */
  scoresOfRow(row: number, ...panel: PanelArguments): void;
}

/** Items per panel of the kernel's layout (score-kernel.wat). */
export const PANEL_ITEMS = 8;

/**
 * Dot products of query rows with every item of a factor matrix — the one scoring step behind
 * every list (a user's top-N stored or served, a folded-in profile's list, similar movies).
 *
 * S[r][i] = Σₖ x[r][k]·y[i][k] is computed by the SIMD kernel of score-kernel.wat as one float64
 * running sum over k in order: the same bits as the scalar loop `s += x[k]·y[k]`, so a row scored
 * alone or inside any batch gives identical scores, hence identical lists.
 *
 * The item factors are laid out once (panels of 8 items, float32 as trained) in this scorer's own
 * WebAssembly memory: n·rank·4 bytes (16 MB for 62k movies at rank 64), then reused for every call.
 */
export class ItemScorer {
  readonly itemCount: number;
  private readonly kernel: ScoreExports;
  private readonly panelCount: number;
  /** Byte offset of the kernel's float64 panel scratch, after the panels. */
  private readonly scratchAt: number;
  /** Byte offset of the query rows, after the scratch; the output follows the rows. */
  private readonly rowsAt: number;

  /**
   * `order` (optional): the items in the order the panels hold them, position p holding item
   * order[p]; the scores of a call come back in that order. Default: the factor matrix's order.
   */
  constructor(
    itemFactors: Float32Array,
    readonly rank: number,
    order?: Int32Array,
  ) {
    if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`bad rank ${rank}`);
    if (itemFactors.length % rank !== 0) {
      throw new RangeError(
        `item factors (${itemFactors.length}) are not a multiple of rank ${rank}`,
      );
    }
    this.itemCount = itemFactors.length / rank;
    if (order !== undefined && order.length !== this.itemCount) {
      throw new RangeError(`order has ${order.length} items, the factors ${this.itemCount}`);
    }
    this.panelCount = Math.ceil(this.itemCount / PANEL_ITEMS);
    this.kernel = instantiateKernel<ScoreExports>(SCORE_KERNEL_WASM_BASE64);
    this.scratchAt = (this.panelCount * rank * PANEL_ITEMS * 4 + 15) & ~15;
    this.rowsAt = this.scratchAt + rank * PANEL_ITEMS * 8;
    ensureMemory(this.kernel.memory, this.rowsAt);
    const panels = new Float32Array(
      this.kernel.memory.buffer,
      0,
      this.panelCount * rank * PANEL_ITEMS,
    );
    // Panel q, step k: the k-th factor of the items at positions 8q … 8q+7 side by side (zeros
    // past the end).
    for (let p = 0; p < this.itemCount; p++) {
      const i = order === undefined ? p : order[p]!;
      const base = Math.floor(p / PANEL_ITEMS) * rank * PANEL_ITEMS + (p % PANEL_ITEMS);
      for (let k = 0; k < rank; k++) panels[base + k * PANEL_ITEMS] = itemFactors[i * rank + k]!;
    }
  }

  /** Floats between one output row and the next (the item count rounded up to a panel). */
  get rowStride(): number {
    return this.panelCount * PANEL_ITEMS;
  }

  /**
   * Scores `count` query rows (row-major in `rows`, `rank` values each, from row `from`) against
   * every item. Returns a view of the kernel's memory: row r's score of item i at
   * [r·rowStride + i]; valid until the next call on this scorer.
   */
  score(rows: ArrayLike<number>, from: number, count: number): Float64Array {
    return this.scoreRange(rows, from, count, 0, this.itemCount);
  }

  /**
   * As `score`, against the items at positions [start, end) only (`start` a multiple of
   * `PANEL_ITEMS`): row r's score of the item at position start + j at [r·stride + j], the stride
   * being end − start rounded up to a panel. Each entry has the bits `score` gives it.
   */
  scoreRange(
    rows: ArrayLike<number>,
    from: number,
    count: number,
    start: number,
    end: number,
  ): Float64Array {
    if (start % PANEL_ITEMS !== 0 || start < 0 || end > this.itemCount || end < start) {
      throw new RangeError(`bad item range [${start}, ${end}) of ${this.itemCount}`);
    }
    const { rank, kernel } = this;
    const first = start / PANEL_ITEMS;
    const panelCount = Math.ceil(end / PANEL_ITEMS) - first;
    const stride = panelCount * PANEL_ITEMS;
    const outAt = this.rowsAt + count * rank * 8;
    ensureMemory(kernel.memory, outAt + count * stride * 8);
    const x = new Float64Array(kernel.memory.buffer, this.rowsAt, count * rank);
    for (let p = 0; p < count * rank; p++) x[p] = rows[from * rank + p]!;
    const panelsAt = first * rank * PANEL_ITEMS * 4;
    const { scratchAt } = this;
    if (count === 1) kernel.scoresOfRow(this.rowsAt, rank, panelsAt, panelCount, outAt, scratchAt);
    else kernel.scores(this.rowsAt, count, rank, panelsAt, panelCount, outAt, scratchAt);
    return new Float64Array(kernel.memory.buffer, outAt, count * stride);
  }
}

const scorers = new WeakMap<Float32Array, ItemScorer>();

/**
 * The scorer of a factor matrix, laid out on first use and kept while the matrix lives: every
 * recommender over the same model (tuning builds many) shares one copy of the panels.
 */
export function itemScorerFor(itemFactors: Float32Array, rank: number): ItemScorer {
  let scorer = scorers.get(itemFactors);
  if (scorer === undefined || scorer.rank !== rank) {
    scorer = new ItemScorer(itemFactors, rank);
    scorers.set(itemFactors, scorer);
  }
  return scorer;
}
