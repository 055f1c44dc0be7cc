import { meanFromRatingSum, ratingSumUnits } from '../als/global-mean.ts';
import { splitUnit } from '../eval/split.ts';
import { BinaryReader, BinaryWriter } from '../matrix/binary.ts';
import { IdMap } from '../matrix/id-map.ts';
import { RatingsTableBuilder, type RatingsTable } from '../ratings.ts';
import { hashBlockOf } from './block-assignment.ts';

/**
 * The shuffle of the prepare phase, as Spark does it but through S3: each scan of a token range
 * routes every rating to the user block of its user and to the item block of its movie, with its
 * train/validation side decided by a hash of (user, movie, seed) — so the split is the one
 * `hashSplit(table, { test: validation, seed })` makes in-process, whoever reads the row.
 */
export interface ShufflePart {
  readonly train: RatingsTable;
  readonly validation: RatingsTable;
}

/** What one scan saw, summed exactly (integers) so the totals never depend on scan order. */
export interface ScanTotals {
  trainRatings: number;
  validationRatings: number;
  /** Σ train ratings in 2⁻²⁰ units (see global-mean.ts): exact, order-free. */
  ratingSumUnits: number;
  /** Smallest and largest train rating; null when the range held no train rating. */
  ratingMin: number | null;
  ratingMax: number | null;
}

export interface SplitSettings {
  readonly blockCount: number;
  /** Fraction of ratings held out for validation, in [0, 1). */
  readonly validation: number;
  readonly splitSeed: number;
}

class PartBuilder {
  readonly train = new RatingsTableBuilder(1024);
  readonly validation = new RatingsTableBuilder(256);

  finish(): ShufflePart {
    return { train: this.train.finish(), validation: this.validation.finish() };
  }
}

/** Routes the ratings of one token range to their user and item blocks. */
export class ShufflePartitioner {
  private readonly byUser: PartBuilder[];
  private readonly byItem: PartBuilder[];

  constructor(private readonly settings: SplitSettings) {
    const { blockCount, validation } = settings;
    if (!Number.isInteger(blockCount) || blockCount < 1) {
      throw new RangeError(`block count must be a positive integer, got ${blockCount}`);
    }
    if (!(validation >= 0 && validation < 1)) {
      throw new RangeError(`validation fraction must be in [0, 1), got ${validation}`);
    }
    this.byUser = Array.from({ length: blockCount }, () => new PartBuilder());
    this.byItem = Array.from({ length: blockCount }, () => new PartBuilder());
  }

  add(userId: number, movieId: number, rating: number): void {
    const { blockCount, validation, splitSeed } = this.settings;
    const held = splitUnit(userId, movieId, splitSeed) < validation;
    const side = (part: PartBuilder) => (held ? part.validation : part.train);
    side(this.byUser[hashBlockOf(userId, blockCount)]!).push(userId, movieId, rating);
    side(this.byItem[hashBlockOf(movieId, blockCount)]!).push(userId, movieId, rating);
  }

  /**
   * Parts per user block and per item block, every id seen (train and validation: the refit phase
   * trains on both, so the id maps hold both), and totals.
   */
  finish(): {
    byUser: ShufflePart[];
    byItem: ShufflePart[];
    userIds: Int32Array;
    movieIds: Int32Array;
    totals: ScanTotals;
  } {
    const byUser = this.byUser.map((part) => part.finish());
    const byItem = this.byItem.map((part) => part.finish());
    const allParts = byUser.flatMap((part) => [part.train, part.validation]);
    const totals: ScanTotals = {
      trainRatings: 0,
      validationRatings: 0,
      ratingSumUnits: 0,
      ratingMin: null,
      ratingMax: null,
    };
    for (const part of byUser) {
      totals.trainRatings += part.train.length;
      totals.validationRatings += part.validation.length;
      totals.ratingSumUnits += ratingSumUnits(part.train.ratings);
      for (const r of part.train.ratings) {
        if (totals.ratingMin === null || r < totals.ratingMin) totals.ratingMin = r;
        if (totals.ratingMax === null || r > totals.ratingMax) totals.ratingMax = r;
      }
    }
    return {
      byUser,
      byItem,
      userIds: IdMap.fromIds(concatInt32(allParts.map((t) => t.userIds))).ids,
      movieIds: IdMap.fromIds(concatInt32(allParts.map((t) => t.movieIds))).ids,
      totals,
    };
  }
}

/** Adds the totals of every scan; integer sums, so any order gives the same global mean. */
export function combineScanTotals(all: readonly ScanTotals[]): ScanTotals & { globalMean: number } {
  const sum: ScanTotals = {
    trainRatings: 0,
    validationRatings: 0,
    ratingSumUnits: 0,
    ratingMin: null,
    ratingMax: null,
  };
  for (const t of all) {
    sum.trainRatings += t.trainRatings;
    sum.validationRatings += t.validationRatings;
    sum.ratingSumUnits += t.ratingSumUnits;
    if (t.ratingMin !== null && (sum.ratingMin === null || t.ratingMin < sum.ratingMin)) {
      sum.ratingMin = t.ratingMin;
    }
    if (t.ratingMax !== null && (sum.ratingMax === null || t.ratingMax > sum.ratingMax)) {
      sum.ratingMax = t.ratingMax;
    }
  }
  if (!Number.isSafeInteger(sum.ratingSumUnits)) {
    throw new RangeError('rating sum exceeds exact integer range');
  }
  return { ...sum, globalMean: meanFromRatingSum(sum.ratingSumUnits, sum.trainRatings) };
}

export function concatInt32(parts: readonly Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Concatenates tables in the given order (the scan order, so files come out the same each run). */
export function concatRatings(parts: readonly RatingsTable[]): RatingsTable {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const out: RatingsTable = {
    length,
    userIds: new Int32Array(length),
    movieIds: new Int32Array(length),
    ratings: new Float32Array(length),
    timestamps: new Float64Array(length),
  };
  let at = 0;
  for (const p of parts) {
    out.userIds.set(p.userIds, at);
    out.movieIds.set(p.movieIds, at);
    out.ratings.set(p.ratings, at);
    out.timestamps.set(p.timestamps, at);
    at += p.length;
  }
  return out;
}

const TRIPLES_MAGIC = 'RSTRIPL1';
const PART_MAGIC = 'RSSHUFL1';
const FORMAT_VERSION = 1;

function writeTriples(writer: BinaryWriter, table: RatingsTable): BinaryWriter {
  return writer.array(table.userIds).array(table.movieIds).array(table.ratings);
}

function readTriples(reader: BinaryReader): RatingsTable {
  const userIds = reader.i32Array();
  const movieIds = reader.i32Array();
  const ratings = reader.f32Array();
  if (movieIds.length !== userIds.length || ratings.length !== userIds.length) {
    throw new Error('corrupt ratings file: column lengths differ');
  }
  // Timestamps play no part in training; the column exists only to satisfy RatingsTable.
  const length = userIds.length;
  return { length, userIds, movieIds, ratings, timestamps: new Float64Array(length) };
}

/** (user, movie, rating) columns; timestamps are not stored. */
export function encodeTriples(table: RatingsTable): Uint8Array {
  return writeTriples(new BinaryWriter(TRIPLES_MAGIC, FORMAT_VERSION), table).finish();
}

export function decodeTriples(bytes: Uint8Array): RatingsTable {
  return readTriples(new BinaryReader(bytes, TRIPLES_MAGIC, [FORMAT_VERSION]));
}

export function encodeShufflePart(part: ShufflePart): Uint8Array {
  const writer = new BinaryWriter(PART_MAGIC, FORMAT_VERSION);
  return writeTriples(writeTriples(writer, part.train), part.validation).finish();
}

export function decodeShufflePart(bytes: Uint8Array): ShufflePart {
  const reader = new BinaryReader(bytes, PART_MAGIC, [FORMAT_VERSION]);
  const train = readTriples(reader);
  return { train, validation: readTriples(reader) };
}

const IDS_MAGIC = 'RSSCNIDS';

/** The distinct train-side user and movie ids one scan saw (the id maps are their union). */
export function encodeScanIds(ids: { userIds: Int32Array; movieIds: Int32Array }): Uint8Array {
  return new BinaryWriter(IDS_MAGIC, FORMAT_VERSION)
    .array(ids.userIds)
    .array(ids.movieIds)
    .finish();
}

export function decodeScanIds(bytes: Uint8Array): { userIds: Int32Array; movieIds: Int32Array } {
  const reader = new BinaryReader(bytes, IDS_MAGIC, [FORMAT_VERSION]);
  const userIds = reader.i32Array();
  return { userIds, movieIds: reader.i32Array() };
}
