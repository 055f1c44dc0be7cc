/**
 * Who has rated a movie now: the active model's raters index (every rating training read) with the
 * API's rating writes and deletes since laid over it, the latest per user winning.
 */

/** One row of `rating_changes_by_movie`: the API's latest write (`rated`) or delete of a rating. */
export interface RaterChange {
  readonly userId: number;
  readonly rated: boolean;
  readonly changedAtMs: number;
}

/**
 * How long before its training began a change still counts against a model's index. The index
 * already holds what the training scan read, so a change from before it is in the index or was
 * deleted from it; counting it again says the same. The margin covers a write that was in flight
 * while the scan read its partition and clocks that disagree by seconds. It must stay well under
 * the time between two trainings' scans, which is minutes at the very least.
 */
export const CHANGE_MARGIN_MS = 5 * 60_000;

/**
 * Raters = indexed ∪ rated since − deleted since, where "since" is `trainedAtMs` −
 * {@link CHANGE_MARGIN_MS}: a change older than that is already in the index (a later training
 * read it), and applying it could undo what the index knows better (a rating ingested after the
 * API deleted it).
 */
export function currentRaters(
  indexed: ArrayLike<number>,
  changes: readonly RaterChange[],
  trainedAtMs: number,
): Set<number> {
  const raters = new Set<number>();
  for (let i = 0; i < indexed.length; i++) raters.add(indexed[i]!);
  const since = trainedAtMs - CHANGE_MARGIN_MS;
  for (const change of changes) {
    if (change.changedAtMs < since) continue;
    if (change.rated) raters.add(change.userId);
    else raters.delete(change.userId);
  }
  return raters;
}
