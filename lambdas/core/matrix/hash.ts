/**
 * Stateless integer hashing. Everything that must not depend on processing order (initial factors,
 * block assignment, hash splits) derives its randomness from a hash of stable keys instead of a
 * sequential RNG. Only 32-bit integer ops (Math.imul, shifts) are used, so results are bit-identical
 * on every JavaScript engine and platform.
 */

/** Murmur3's 32-bit finalizer: a full-avalanche bijection on uint32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of up to four 32-bit keys; each key goes through a full mixing round (order matters). */
export function hash4(a: number, b = 0, c = 0, d = 0): number {
  let h = fmix32((a ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ Math.imul(b | 0, 0xcc9e2d51)) + 0x7f4a7c15);
  h = fmix32((h ^ Math.imul(c | 0, 0x1b873593)) + 0x6a09e667);
  h = fmix32((h ^ Math.imul(d | 0, 0xe6546b64)) + 0x3c6ef372);
  return h;
}

/** Maps a uint32 hash to a double in [0, 1). */
export function unitFromHash(h: number): number {
  return (h >>> 0) / 4294967296;
}
