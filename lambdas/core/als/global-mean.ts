/**
 * The global mean rating, computed so that any partition of the ratings yields the same bits.
 * Floating-point addition is not associative, so each rating is summed as an integer number of
 * 2⁻²⁰ units: integer addition below 2⁵³ is exact, hence order-free (25M ratings of ≤ 5 stay under
 * 2⁴⁷). Partial sums from different blocks or workers can be added in any order.
 */
const UNITS_PER_RATING = 1 << 20;

/** Exact partial sum of a slice of ratings, in 2⁻²⁰ units. */
export function ratingSumUnits(values: ArrayLike<number>, from = 0, to = values.length): number {
  let sum = 0;
  for (let k = from; k < to; k++) sum += Math.round(values[k]! * UNITS_PER_RATING);
  if (!Number.isSafeInteger(sum)) throw new RangeError('rating sum exceeds exact integer range');
  return sum;
}

/** Mean from partial sums (in units) and the total count; 0 for no ratings. */
export function meanFromRatingSum(sumUnits: number, count: number): number {
  return count > 0 ? sumUnits / UNITS_PER_RATING / count : 0;
}
