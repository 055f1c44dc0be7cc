/**
 * 95 % confidence intervals for proportions and for the difference of two.
 *
 * Why Wilson and not the normal approximation (p ± z·√(p(1−p)/n)): hit rates and click-throughs
 * of a young experiment are small counts of rare events, and the normal interval is at its worst
 * there — at 0 hits it has width 0 ("certainly 0 %"), near 0 it runs below 0, and its actual
 * coverage is often far under the nominal 95 %. Wilson's score interval inverts the score test
 * instead, stays inside [0, 1], and keeps close to 95 % coverage from a few dozen users up
 * (Brown, Cai & DasGupta 2001). For the difference, Newcombe's hybrid score interval (1998,
 * method 10) combines the two Wilson intervals; it inherits the same good behaviour, where the
 * plain Wald difference interval does not.
 */

/** z for a two-sided 95 % interval: the 97.5th percentile of the standard normal. */
export const Z95 = 1.959963984540054;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

export interface Proportion extends Interval {
  /** successes / trials; null when there were no trials. */
  readonly value: number | null;
  readonly successes: number;
  readonly trials: number;
}

/**
 * Wilson's score interval: centre (p + z²/2n) / (1 + z²/n), half-width
 * z·√(p(1−p)/n + z²/4n²) / (1 + z²/n). With no trials it is the whole of [0, 1].
 */
export function wilson(successes: number, trials: number, z = Z95): Proportion {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0) {
    throw new RangeError(`expected whole counts, got ${successes} of ${trials}`);
  }
  if (successes > trials) throw new RangeError(`${successes} successes of ${trials} trials`);
  if (trials === 0) return { value: null, successes, trials, low: 0, high: 1 };
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // Clamped only against rounding: mathematically the interval lies in [0, 1].
  return {
    value: p,
    successes,
    trials,
    low: Math.max(0, centre - half),
    high: Math.min(1, centre + half),
  };
}

export interface Difference extends Interval {
  /** candidate − control; null when either arm has no trials. */
  readonly value: number | null;
  /** The interval excludes 0: at the 5 % level the arms differ. */
  readonly significant: boolean;
}

/**
 * Newcombe's hybrid score interval for p₁ − p₂ (here candidate − control) from the two Wilson
 * intervals [l₁, u₁], [l₂, u₂]: d − √((p₁−l₁)² + (u₂−p₂)²) to d + √((u₁−p₁)² + (p₂−l₂)²). Each
 * side takes the uncertainty of the two rates in the direction that moves d that way. It assumes
 * the arms are independent samples, which a split of users by hash gives.
 */
export function difference(candidate: Proportion, control: Proportion): Difference {
  if (candidate.value === null || control.value === null) {
    return { value: null, low: -1, high: 1, significant: false };
  }
  const p1 = candidate.value;
  const p2 = control.value;
  const d = p1 - p2;
  const low = d - Math.hypot(p1 - candidate.low, control.high - p2);
  const high = d + Math.hypot(candidate.high - p1, p2 - control.low);
  return { value: d, low, high, significant: low > 0 || high < 0 };
}
