import { hash4 } from '../matrix/hash.ts';

/** The salt `partitionRows(…, 'hash')` mixes in; kept equal so both assign the same blocks. */
const HASH_PARTITION_SALT = 0x51ed;

/**
 * The block an external user or movie id belongs to: a hash of the id alone, so a scan Lambda can
 * route a rating to its block before anyone knows the dense indices. Equal to what
 * `partitionRows(n, blockCount, 'hash', { ids })` assigns (a unit test holds the two together).
 */
export function hashBlockOf(id: number, blockCount: number): number {
  return hash4(id, 0, HASH_PARTITION_SALT) % blockCount;
}

/** Dense indices (ascending) of the ids in `ids` (ascending) that belong to `block`. */
export function rowsOfBlock(ids: Int32Array, block: number, blockCount: number): Int32Array {
  const rows: number[] = [];
  for (let r = 0; r < ids.length; r++) if (hashBlockOf(ids[r]!, blockCount) === block) rows.push(r);
  return Int32Array.from(rows);
}
