import { BinaryReader, BinaryWriter } from './binary.ts';

/**
 * A bijection between sparse external ids (MovieLens userId / movieId) and dense indices 0..n-1.
 * Indices follow ascending id order, so the same set of ids always yields the same map no matter
 * the order the ratings arrived in — a precondition for block-count-independent training.
 */
export class IdMap {
  /** The external ids, ascending and unique; `ids[index]` is the id of a dense index. */
  readonly ids: Int32Array;
  private readonly minId: number;
  /** Dense index by `id - minId` when the id range is compact, else null (binary search). */
  private readonly table: Int32Array | null;

  private constructor(sortedUniqueIds: Int32Array) {
    this.ids = sortedUniqueIds;
    const n = sortedUniqueIds.length;
    this.minId = n > 0 ? sortedUniqueIds[0]! : 0;
    const range = n > 0 ? sortedUniqueIds[n - 1]! - this.minId + 1 : 0;
    // A direct table costs 4 bytes per id in the range; MovieLens ids are compact enough (max
    // movieId ~300k), while arbitrary ids (hashes, huge numbers) fall back to binary search.
    if (n > 0 && range <= Math.max(1 << 20, 8 * n)) {
      const table = new Int32Array(range).fill(-1);
      for (let i = 0; i < n; i++) table[sortedUniqueIds[i]! - this.minId] = i;
      this.table = table;
    } else {
      this.table = null;
    }
  }

  /** Builds the map from any list of ids (duplicates allowed, any order). */
  static fromIds(values: ArrayLike<number>): IdMap {
    return new IdMap(sortedUnique(values));
  }

  /** Adopts an already sorted, duplicate-free id list (e.g. decoded from storage); validates it. */
  static fromSortedUnique(ids: Int32Array): IdMap {
    for (let i = 1; i < ids.length; i++) {
      if (ids[i]! <= ids[i - 1]!) throw new Error(`ids not strictly ascending at index ${i}`);
    }
    return new IdMap(ids);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Dense index of an external id, or -1 when the id is unknown. */
  indexOf(id: number): number {
    if (this.table !== null) {
      const slot = id - this.minId;
      return slot >= 0 && slot < this.table.length ? this.table[slot]! : -1;
    }
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.ids[mid]!;
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  has(id: number): boolean {
    return this.indexOf(id) >= 0;
  }

  /** External id of a dense index. */
  idAt(index: number): number {
    if (index < 0 || index >= this.ids.length) throw new RangeError(`index ${index} out of range`);
    return this.ids[index]!;
  }

  /** Maps a whole column of external ids to dense indices (-1 for unknown ids). */
  indexAll(values: ArrayLike<number>): Int32Array {
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = this.indexOf(values[i]!);
    return out;
  }
}

function sortedUnique(values: ArrayLike<number>): Int32Array {
  const n = values.length;
  if (n === 0) return new Int32Array(0);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
      throw new RangeError(`id ${v} is not a 32-bit integer`);
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min + 1;
  // Marking a bitmap is linear and avoids sorting tens of millions of values when ids are compact.
  if (range <= Math.max(1 << 22, 4 * n)) {
    const seen = new Uint8Array(range);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const slot = values[i]! - min;
      if (seen[slot] === 0) {
        seen[slot] = 1;
        count++;
      }
    }
    const out = new Int32Array(count);
    for (let slot = 0, k = 0; slot < range; slot++) if (seen[slot] === 1) out[k++] = slot + min;
    return out;
  }
  const sorted = Int32Array.from(values).sort();
  let count = 1;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[count - 1]) sorted[count++] = sorted[i]!;
  return sorted.slice(0, count);
}

const ID_MAP_MAGIC = 'RSIDMAP1';
const ID_MAP_VERSION = 1;

/** Compact binary form: the sorted id array (indices are implied by position). */
export function encodeIdMap(map: IdMap): Uint8Array {
  return new BinaryWriter(ID_MAP_MAGIC, ID_MAP_VERSION).array(map.ids).finish();
}

export function decodeIdMap(bytes: Uint8Array): IdMap {
  const reader = new BinaryReader(bytes, ID_MAP_MAGIC, [ID_MAP_VERSION]);
  return IdMap.fromSortedUnique(reader.i32Array());
}
