import { hash4, unitFromHash } from '../matrix/hash.ts';
import type { IdMap } from '../matrix/id-map.ts';

/** Salts keep user and item factors independent when a user id equals a movie id. */
export const USER_SALT = 0x75736572;
export const ITEM_SALT = 0x6974656d;

/**
 * Component k of the initial factor of one external id: a function of (id, k, seed, salt) only, so
 * it is the same whichever block, worker or run computes it. An Irwin–Hall sum of four hashed
 * uniforms stands in for a normal draw because it needs no transcendental functions (bit-identical
 * everywhere); it is scaled to variance 1/rank so the initial vector has roughly unit norm.
 */
export function initialFactorComponent(
  id: number,
  k: number,
  rank: number,
  seed: number,
  salt: number,
): number {
  const h1 = hash4(id, k, seed, salt);
  const h2 = hash4(h1, k, seed, ~salt);
  const sum =
    unitFromHash(h1 & 0xffff0000) +
    unitFromHash((h1 << 16) >>> 0) +
    unitFromHash(h2 & 0xffff0000) +
    unitFromHash((h2 << 16) >>> 0);
  // Sum of four U(0,1) has mean 2 and variance 1/3.
  return ((sum - 2) * Math.sqrt(3)) / Math.sqrt(rank);
}

/** Initial factors (ids.size × rank, row-major) for every id of a map. */
export function initialFactors(ids: IdMap, rank: number, seed: number, salt: number): Float32Array {
  const out = new Float32Array(ids.size * rank);
  for (let i = 0; i < ids.size; i++) {
    const id = ids.ids[i]!;
    for (let k = 0; k < rank; k++)
      out[i * rank + k] = initialFactorComponent(id, k, rank, seed, salt);
  }
  return out;
}
