import type { RatingsTable } from '../ratings.ts';
import { BinaryReader, BinaryWriter } from './binary.ts';
import { hash4 } from './hash.ts';
import { IdMap } from './id-map.ts';

/**
 * A block of rows of a sparse rating matrix in compressed-sparse-row form. Rows are dense indices
 * (ascending) and columns are ascending within each row, so any sum over a row runs in one fixed
 * order — which is what makes ALS results independent of how rows are grouped into blocks.
 *
 * Worked example. Six ratings (userId, movieId, rating):
 *
 *   (10, 1, 4)  (10, 7, 3.5)  (20, 7, 5)  (30, 1, 2)  (30, 3, 1)  (30, 7, 4)
 *
 * The id maps number ids in ascending order: users 10→0, 20→1, 30→2; movies 1→0, 3→1, 7→2.
 * `byUser` holds every user row:
 *
 *   rows    [0, 1, 2]
 *   rowPtr  [0, 2, 3, 6]              user r owns entries rowPtr[r] .. rowPtr[r + 1] − 1
 *   colIdx  [0, 2   | 2 | 0, 1, 2]    (| marks where a row ends; not stored)
 *   values  [4, 3.5 | 5 | 2, 1, 4]
 *   totalRows 3, numCols 3
 *
 * Split into two range blocks balanced by entries (`splitIntoBlocks(byUser, 2)`), block 0 holds
 * users 0 and 1 (rows [0, 1], rowPtr [0, 2, 3], colIdx [0, 2, 2], values [4, 3.5, 5]) and block 1
 * user 2 (rows [2], rowPtr [0, 3], colIdx [0, 1, 2], values [2, 1, 4]); both keep totalRows 3 and
 * numCols 3. `byItem` is the same matrix transposed (rows = movies, columns = users): movie 0's
 * row is users [0, 2] with ratings [4, 2].
 *
 * In Spark's terms a CsrBlock is an `InBlock`: for each row it solves, the columns of the fixed
 * side it reads. Spark also keeps `OutBlock`s, which factor rows each block must send to which
 * other blocks; here there is none: every block solve reads the whole fixed side (one S3 object in
 * a distributed run), so a block needs nothing but its own rows. Solving user 2 reads item factors
 * 0, 1 and 2, in that order, and nothing about users 0 and 1.
 */
export interface CsrBlock {
  /** Dense row indices held by this block, ascending. */
  readonly rows: Int32Array;
  /** `rowPtr[r]..rowPtr[r+1]` are the entries of `rows[r]`; length `rows.length + 1`. */
  readonly rowPtr: Int32Array;
  /** Dense column index of each entry, ascending within a row. */
  readonly colIdx: Int32Array;
  readonly values: Float32Array;
  /**
   * Implicit models: a multiplier of each entry's confidence c (absent: 1 for every entry). Only
   * a fold-in sets it (a rating's `weight`, e.g. by recency); training blocks never carry it.
   */
  readonly confidence?: Float32Array;
  /** Row count of the whole matrix this block belongs to. */
  readonly totalRows: number;
  /** Column count of the whole matrix (the size of the other side's id map). */
  readonly numCols: number;
}

/** Both orientations of one rating matrix plus the id maps that define its dense indices. */
export interface RatingMatrices {
  readonly userIds: IdMap;
  readonly itemIds: IdMap;
  /** Rows = users, columns = items; every user row. */
  readonly byUser: CsrBlock;
  /** Rows = items, columns = users; every item row. */
  readonly byItem: CsrBlock;
}

/**
 * One row (row 0 of one) from a map of column → value, columns sorted: a single user's ratings as
 * the block the solver folds in; `confidence` (column → multiplier, 1 where absent) only when
 * some rating carries a weight.
 */
export function oneRowBlock(
  byColumn: ReadonlyMap<number, number>,
  numCols: number,
  confidence?: ReadonlyMap<number, number>,
): CsrBlock {
  const cols = Int32Array.from(byColumn.keys()).sort();
  return {
    rows: Int32Array.of(0),
    rowPtr: Int32Array.of(0, cols.length),
    colIdx: cols,
    values: Float32Array.from(cols, (i) => byColumn.get(i)!),
    ...(confidence && confidence.size > 0
      ? { confidence: Float32Array.from(cols, (i) => confidence.get(i) ?? 1) }
      : {}),
    totalRows: 1,
    numCols,
  };
}

export function nnz(block: CsrBlock): number {
  return block.rowPtr[block.rows.length]!;
}

/**
 * Builds a full CSR (every row 0..numRows-1) from coordinate triples with two stable counting sorts
 * (by column, then by row): linear time, and columns come out ascending within each row. Duplicate
 * (row, column) pairs are kept, in input order.
 */
export function csrFromCoordinates(
  rowIndex: Int32Array,
  colIndex: Int32Array,
  values: Float32Array,
  numRows: number,
  numCols: number,
): CsrBlock {
  const n = rowIndex.length;
  const byCol = countingOrder(colIndex, numCols, null);
  const order = countingOrder(rowIndex, numRows, byCol);
  const rowPtr = new Int32Array(numRows + 1);
  for (let i = 0; i < n; i++) rowPtr[rowIndex[i]! + 1]!++;
  for (let r = 0; r < numRows; r++) rowPtr[r + 1]! += rowPtr[r]!;
  const colIdx = new Int32Array(n);
  const vals = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const src = order[k]!;
    colIdx[k] = colIndex[src]!;
    vals[k] = values[src]!;
  }
  const rows = new Int32Array(numRows);
  for (let r = 0; r < numRows; r++) rows[r] = r;
  return { rows, rowPtr, colIdx, values: vals, totalRows: numRows, numCols };
}

/** Stable counting sort of positions by `keys` (visiting positions in `within` order if given). */
function countingOrder(keys: Int32Array, numKeys: number, within: Int32Array | null): Int32Array {
  const n = keys.length;
  const start = new Int32Array(numKeys + 1);
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    if (key < 0 || key >= numKeys) throw new RangeError(`index ${key} outside [0, ${numKeys})`);
    start[key + 1]!++;
  }
  for (let k = 0; k < numKeys; k++) start[k + 1]! += start[k]!;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const pos = within === null ? i : within[i]!;
    out[start[keys[pos]!]!++] = pos;
  }
  return out;
}

/**
 * Builds id maps (unless given) and both CSR orientations of a ratings table. Ratings whose user or
 * movie is missing from supplied maps are dropped.
 */
export function buildRatingMatrices(
  table: RatingsTable,
  maps: { userIds?: IdMap; itemIds?: IdMap } = {},
): RatingMatrices {
  const userIds = maps.userIds ?? IdMap.fromIds(table.userIds);
  const itemIds = maps.itemIds ?? IdMap.fromIds(table.movieIds);
  let users = userIds.indexAll(table.userIds);
  let items = itemIds.indexAll(table.movieIds);
  let ratings = table.ratings;
  let kept = 0;
  for (let i = 0; i < table.length; i++) if (users[i]! >= 0 && items[i]! >= 0) kept++;
  if (kept < table.length) {
    const u = new Int32Array(kept);
    const m = new Int32Array(kept);
    const r = new Float32Array(kept);
    for (let i = 0, k = 0; i < table.length; i++) {
      if (users[i]! < 0 || items[i]! < 0) continue;
      u[k] = users[i]!;
      m[k] = items[i]!;
      r[k++] = ratings[i]!;
    }
    users = u;
    items = m;
    ratings = r;
  }
  return {
    userIds,
    itemIds,
    byUser: csrFromCoordinates(users, items, ratings, userIds.size, itemIds.size),
    byItem: csrFromCoordinates(items, users, ratings, itemIds.size, userIds.size),
  };
}

export type PartitionStrategy = 'range' | 'hash';

/**
 * Splits dense rows 0..numRows-1 into `blockCount` ascending row lists. 'range' gives contiguous
 * ranges balanced by entry count when `rowPtr` is given (else by row count); 'hash' assigns a row
 * by a hash of its external id, so a row keeps its block when other ids come and go.
 */
export function partitionRows(
  numRows: number,
  blockCount: number,
  strategy: PartitionStrategy = 'range',
  options: { rowPtr?: Int32Array; ids?: IdMap; seed?: number } = {},
): Int32Array[] {
  if (!Number.isInteger(blockCount) || blockCount < 1) {
    throw new RangeError(`blockCount must be a positive integer, got ${blockCount}`);
  }
  const assignment = new Int32Array(numRows);
  if (strategy === 'hash') {
    const ids = options.ids;
    for (let r = 0; r < numRows; r++) {
      const key = ids ? ids.ids[r]! : r;
      assignment[r] = hash4(key, options.seed ?? 0, 0x51ed) % blockCount;
    }
  } else {
    const rowPtr = options.rowPtr;
    const total = rowPtr ? rowPtr[numRows]! : numRows;
    for (let r = 0; r < numRows; r++) {
      // Assign by the midpoint of the row's share of the work, so blocks carry similar weight.
      const before = rowPtr ? rowPtr[r]! : r;
      const weight = rowPtr ? rowPtr[r + 1]! - rowPtr[r]! : 1;
      const mid = total > 0 ? (before + weight / 2) / total : r / Math.max(1, numRows);
      assignment[r] = Math.min(blockCount - 1, Math.floor(mid * blockCount));
    }
  }
  const counts = new Int32Array(blockCount);
  for (let r = 0; r < numRows; r++) counts[assignment[r]!]!++;
  const blocks = Array.from(counts, (count) => new Int32Array(count));
  const fill = new Int32Array(blockCount);
  for (let r = 0; r < numRows; r++) {
    const b = assignment[r]!;
    blocks[b]![fill[b]!++] = r;
  }
  return blocks;
}

/** Copies the given rows (ascending dense indices present in `source`) into a new block. */
export function selectCsrRows(source: CsrBlock, rows: Int32Array): CsrBlock {
  const position = rowPositionLookup(source);
  const rowPtr = new Int32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) {
    if (r > 0 && rows[r]! <= rows[r - 1]!) throw new Error('rows must be strictly ascending');
    const p = position(rows[r]!);
    rowPtr[r + 1] = rowPtr[r]! + source.rowPtr[p + 1]! - source.rowPtr[p]!;
  }
  const count = rowPtr[rows.length]!;
  const colIdx = new Int32Array(count);
  const values = new Float32Array(count);
  for (let r = 0; r < rows.length; r++) {
    const p = position(rows[r]!);
    const from = source.rowPtr[p]!;
    const to = source.rowPtr[p + 1]!;
    colIdx.set(source.colIdx.subarray(from, to), rowPtr[r]!);
    values.set(source.values.subarray(from, to), rowPtr[r]!);
  }
  return {
    rows: rows.slice(),
    rowPtr,
    colIdx,
    values,
    totalRows: source.totalRows,
    numCols: source.numCols,
  };
}

function rowPositionLookup(source: CsrBlock): (row: number) => number {
  const full = source.rows.length === source.totalRows;
  if (full) return (row) => row;
  const index = new Int32Array(source.totalRows).fill(-1);
  for (let p = 0; p < source.rows.length; p++) index[source.rows[p]!] = p;
  return (row) => {
    const p = row >= 0 && row < index.length ? index[row]! : -1;
    if (p < 0) throw new Error(`row ${row} is not in the source block`);
    return p;
  };
}

/**
 * The block of `rows` built from coordinate triples (e.g. the ratings a distributed prepare step
 * shuffled to this block); entries of other rows are ignored. Rows come out exactly as they would
 * in a slice of the full matrix, so training results do not depend on how blocks were built.
 */
export function csrBlockFromCoordinates(
  rowIndex: Int32Array,
  colIndex: Int32Array,
  values: Float32Array,
  rows: Int32Array,
  totalRows: number,
  numCols: number,
): CsrBlock {
  return selectCsrRows(csrFromCoordinates(rowIndex, colIndex, values, totalRows, numCols), rows);
}

/** Splits a full CSR into blocks as `partitionRows` assigns them. */
export function splitIntoBlocks(
  full: CsrBlock,
  blockCount: number,
  strategy: PartitionStrategy = 'range',
  ids?: IdMap,
): CsrBlock[] {
  const rowLists = partitionRows(full.totalRows, blockCount, strategy, {
    rowPtr: full.rowPtr,
    ids,
  });
  return rowLists.map((rows) => selectCsrRows(full, rows));
}

const CSR_MAGIC = 'RSCSRBK1';
const CSR_VERSION = 1;

/** Compact little-endian binary form (header + the four typed arrays) for storage in S3. */
export function encodeCsr(block: CsrBlock): Uint8Array {
  return new BinaryWriter(CSR_MAGIC, CSR_VERSION)
    .u32(block.totalRows)
    .u32(block.numCols)
    .array(block.rows)
    .array(block.rowPtr)
    .array(block.colIdx)
    .array(block.values)
    .finish();
}

export function decodeCsr(bytes: Uint8Array): CsrBlock {
  const reader = new BinaryReader(bytes, CSR_MAGIC, [CSR_VERSION]);
  const totalRows = reader.u32();
  const numCols = reader.u32();
  const block: CsrBlock = {
    totalRows,
    numCols,
    rows: reader.i32Array(),
    rowPtr: reader.i32Array(),
    colIdx: reader.i32Array(),
    values: reader.f32Array(),
  };
  validateCsr(block);
  return block;
}

/** Structural checks, so a corrupt or mismatched file fails loudly instead of producing NaNs. */
export function validateCsr(block: CsrBlock): void {
  const { rows, rowPtr, colIdx, values } = block;
  if (rowPtr.length !== rows.length + 1) throw new Error('corrupt CSR: rowPtr length mismatch');
  if (rowPtr[0] !== 0 || rowPtr[rows.length] !== colIdx.length || colIdx.length !== values.length) {
    throw new Error('corrupt CSR: entry counts disagree');
  }
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row < 0 || row >= block.totalRows || (r > 0 && row <= rows[r - 1]!)) {
      throw new Error(`corrupt CSR: row ${row} out of order or range`);
    }
    const from = rowPtr[r]!;
    const to = rowPtr[r + 1]!;
    if (to < from || to > colIdx.length) throw new Error('corrupt CSR: rowPtr out of order');
    for (let k = from; k < to; k++) {
      const c = colIdx[k]!;
      if (c < 0 || c >= block.numCols || (k > from && c < colIdx[k - 1]!)) {
        throw new Error(`corrupt CSR: column ${c} out of order or range in row ${row}`);
      }
    }
  }
}
