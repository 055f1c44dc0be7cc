import { hash4 } from '../matrix/hash.ts';

/**
 * A small seeded PRNG (mulberry32). Each user and each movie gets its own stream seeded from a hash of
 * (seed, purpose, id), so any entity's data can be regenerated alone, in any order or process, and
 * the output does not shift when a parameter changes the number of draws made for another entity.
 */
export class Rng {
  private state: number;
  private spareNormal = Number.NaN;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A stream for one purpose and entity, e.g. `Rng.for(seed, STREAM.user, userId)`. */
  static for(seed: number, stream: number, id = 0): Rng {
    return new Rng(hash4(seed, stream, id));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, caching the second value of each pair). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const value = this.spareNormal;
      this.spareNormal = Number.NaN;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Stream ids: one per purpose, so that e.g. a user's activity and tastes are independent draws. */
export const STREAM = {
  userActivity: 1,
  userRatings: 2,
  movieFactors: 3,
  popularityOrder: 4,
  movieIds: 5,
  links: 6,
  movieTitle: 7,
  movieGenres: 8,
} as const;
