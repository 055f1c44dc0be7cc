/**
 * The experiment report: what each arm's users did with the lists they were served, with 95 %
 * intervals (intervals.ts) and the candidate-minus-control difference.
 */
import type { FeedbackEvent } from '../feedback/events.ts';
import { listOutcomes, type ServedList } from '../feedback/online-metrics.ts';
import type { Arm } from './assignment.ts';
import { difference, wilson, type Difference, type Proportion } from './intervals.ts';

/** A served list as the experiment recorded it: which experiment and arm it was served under. */
export interface ExperimentList extends ServedList {
  readonly experiment: string | null;
  readonly arm: Arm | null;
}

export interface ArmReport {
  readonly arm: Arm;
  /** The model that served the arm. */
  readonly modelId: string;
  /** Distinct users served at least one list in the arm: the trials of the proportions below. */
  readonly users: number;
  readonly lists: number;
  /** Users with at least one hit list (one of its first k movies got positive feedback). */
  readonly hitRate: Proportion;
  /** Users who clicked a movie of at least one of their lists. */
  readonly clickThrough: Proportion;
  /**
   * Distinct movies among the first k of the arm's lists over the catalogue's size. No interval:
   * it is not a proportion of independent trials (one more list can only add movies), and it
   * grows with the number of lists, so compare it between arms only at similar list counts.
   */
  readonly coverage: number;
}

export interface ExperimentReport {
  readonly k: number;
  readonly arms: readonly [ArmReport, ArmReport];
  /** candidate − control, Newcombe's interval; `significant` when it excludes 0. */
  readonly difference: { readonly hitRate: Difference; readonly clickThrough: Difference };
}

/**
 * The report of experiment `name`: its recorded lists (others are ignored) joined with the
 * feedback (core/feedback/online-metrics.ts `listOutcomes`: which events count for which list).
 *
 * The unit is the USER, not the list: users were randomised, and one user's lists are not
 * independent (the same taste, often the same movies), so a proportion over lists would count one
 * enthusiastic user many times and give intervals narrower than the truth. Per user: "hit" if any
 * of their lists in the arm was a hit, "clicked" if they clicked any.
 */
export function experimentReport(
  name: string,
  models: { readonly control: string; readonly candidate: string },
  lists: readonly ExperimentList[],
  events: readonly FeedbackEvent[],
  options: { k: number; catalogueSize: number },
): ExperimentReport {
  const mine = lists.filter((l) => l.experiment === name && l.arm !== null);
  const armOfList = new Map(mine.map((l) => [l.recommendationId, l.arm!]));
  interface Totals {
    users: Set<number>;
    hitUsers: Set<number>;
    clickUsers: Set<number>;
    lists: number;
    movies: Set<number>;
  }
  const totals = (): Totals => ({
    users: new Set(),
    hitUsers: new Set(),
    clickUsers: new Set(),
    lists: 0,
    movies: new Set(),
  });
  const byArm: Record<Arm, Totals> = { control: totals(), candidate: totals() };
  for (const outcome of listOutcomes(mine, events, options.k)) {
    const { list } = outcome;
    const t = byArm[armOfList.get(list.recommendationId)!];
    t.lists++;
    for (const movieId of list.movieIds.slice(0, options.k)) t.movies.add(movieId);
    // Experiment lists are per-user lists; one without a user cannot be a trial.
    if (list.userId === null) continue;
    t.users.add(list.userId);
    if (outcome.hit) t.hitUsers.add(list.userId);
    if (outcome.clicked) t.clickUsers.add(list.userId);
  }
  const arm = (which: Arm): ArmReport => {
    const t = byArm[which];
    return {
      arm: which,
      modelId: models[which],
      users: t.users.size,
      lists: t.lists,
      hitRate: wilson(t.hitUsers.size, t.users.size),
      clickThrough: wilson(t.clickUsers.size, t.users.size),
      coverage: options.catalogueSize > 0 ? t.movies.size / options.catalogueSize : 0,
    };
  };
  const control = arm('control');
  const candidate = arm('candidate');
  return {
    k: options.k,
    arms: [control, candidate],
    difference: {
      hitRate: difference(candidate.hitRate, control.hitRate),
      clickThrough: difference(candidate.clickThrough, control.clickThrough),
    },
  };
}
