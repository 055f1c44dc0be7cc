import { hash4, unitFromHash } from '../matrix/hash.ts';
import { IdMap } from '../matrix/id-map.ts';
import { selectRows, type RatingsTable } from '../ratings.ts';

export interface HashSplitOptions {
  /** Fraction of rows for the test set, e.g. 0.2. */
  test: number;
  /** Fraction of rows for the validation set (grid search); 0 when tuning is not needed. */
  validation?: number;
  seed?: number;
}

export interface Split {
  train: RatingsTable;
  validation: RatingsTable;
  test: RatingsTable;
}

/**
 * Splits by a hash of (userId, movieId, seed): a row's side depends only on its own ids, never on row
 * order, file format or how the data was chunked — the same rating lands in the same set whether it is
 * read from one file here or from Keyspaces by many Lambdas. Fractions hold in expectation (±~1/√n).
 */
export function hashSplit(table: RatingsTable, options: HashSplitOptions): Split {
  const testFraction = options.test;
  const validationFraction = options.validation ?? 0;
  if (!(testFraction >= 0 && validationFraction >= 0 && testFraction + validationFraction < 1)) {
    throw new RangeError(
      `split fractions must be ≥ 0 and leave some training data (test ${testFraction}, validation ${validationFraction})`,
    );
  }
  const seed = options.seed ?? 0;
  const side = new Uint8Array(table.length);
  for (let i = 0; i < table.length; i++) {
    const u = splitUnit(table.userIds[i]!, table.movieIds[i]!, seed);
    side[i] = u < testFraction ? TEST : u < testFraction + validationFraction ? VALIDATION : TRAIN;
  }
  const [train, validation, test] = partitionRows(table, side, 3);
  return { train: train!, validation: validation!, test: test! };
}

const TRAIN = 0;
const VALIDATION = 1;
const TEST = 2;

/** One table per side value, rows kept in their original order. */
function partitionRows(table: RatingsTable, side: Uint8Array, sides: number): RatingsTable[] {
  const counts = new Int32Array(sides);
  for (let i = 0; i < side.length; i++) counts[side[i]!]!++;
  const rows = Array.from(counts, (count) => new Int32Array(count));
  const filled = new Int32Array(sides);
  for (let i = 0; i < side.length; i++) rows[side[i]!]![filled[side[i]!]!++] = i;
  return rows.map((indices) => selectRows(table, indices));
}

// Tag keeping split hashes apart from other hash4 uses of the same ids; with no validation set the
// split is the one the ALS calibration (scripts/bench) used, so its numbers stay comparable.
const SPLIT_TAG = 0x5b117;

/** The split coordinate of one rating, uniform in [0, 1). */
export function splitUnit(userId: number, movieId: number, seed: number): number {
  return unitFromHash(hash4(userId, movieId, seed, SPLIT_TAG));
}

/** Row indices grouped by dense user index (counting sort): rows[offsets[u] .. offsets[u+1]). */
export function rowsByUser(
  table: RatingsTable,
  users: IdMap,
): { offsets: Int32Array; rows: Int32Array } {
  const offsets = new Int32Array(users.size + 1);
  const userIndex = users.indexAll(table.userIds);
  for (let i = 0; i < table.length; i++) offsets[userIndex[i]! + 1]!++;
  for (let u = 0; u < users.size; u++) offsets[u + 1]! += offsets[u]!;
  const cursor = offsets.slice(0, users.size);
  const rows = new Int32Array(table.length);
  for (let i = 0; i < table.length; i++) rows[cursor[userIndex[i]!]!++] = i;
  return { offsets, rows };
}
