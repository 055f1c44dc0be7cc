import type { ScoredMovie } from '../als/index.ts';
import {
  foldInQuery,
  recommendForVectors,
  type ListQuery,
  type ListRequest,
  type Profile,
  type RecommendedList,
  type Recommender,
} from './recommender.ts';

interface Waiting {
  readonly recommender: Recommender;
  readonly query: ListQuery;
  readonly resolve: (items: ScoredMovie[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Lists asked for at about the same moment, scored in one pass of the kernel.
 *
 * Scoring a folded-in person means reading every item factor once (62k movies × rank 64 at ml-25m:
 * 16 MB and 4 M multiply-adds). A server under load holds several such requests at once; scored
 * together (`recommendForVectors`), each panel of item factors is widened once for all of them
 * and passes through registers in tiles of two rows, which cuts the kernel's cost a list by
 * 38 % at four lists and by half at sixteen (scripts/bench/list-batch.ts). Each list is the one
 * the person would get alone: the kernel's sums do not depend on the batch (batched-lists.test).
 *
 * `schedule` decides how long a batch stays open: the API passes `setImmediate`, so a batch holds
 * the requests whose bodies arrived in the same turn of the event loop and a lone request waits
 * for nothing (one Lambda container serves one request at a time: its batches are of one).
 */
export class ListBatcher {
  private waiting: Waiting[] = [];
  /** Lists scored and batches flushed (lists ÷ batches is the mean batch; the tests read it). */
  readonly stats = { lists: 0, batches: 0 };

  constructor(private readonly schedule: (flush: () => void) => void) {}

  /** The list of `query` under `recommender`, once the current batch is scored. */
  list(recommender: Recommender, query: ListQuery): Promise<ScoredMovie[]> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) this.schedule(() => this.flush());
      this.waiting.push({ recommender, query, resolve, reject });
    });
  }

  /** Scores everything waiting: one `recommendForVectors` call per recommender (a model switch
   * can leave two in one batch), each list handed to its caller. */
  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    const byRecommender = new Map<Recommender, Waiting[]>();
    for (const entry of batch) {
      const group = byRecommender.get(entry.recommender);
      if (group) group.push(entry);
      else byRecommender.set(entry.recommender, [entry]);
    }
    for (const [recommender, group] of byRecommender) {
      this.stats.batches += 1;
      this.stats.lists += group.length;
      try {
        const lists = recommendForVectors(
          recommender,
          group.map((entry) => entry.query),
        );
        group.forEach((entry, i) => entry.resolve(lists[i]!));
      } catch (error) {
        for (const entry of group) entry.reject(error);
      }
    }
  }
}

/**
 * `recommendForProfile` through a batcher: the person's fold-in is solved at once, the scoring
 * joins the batch. Same list, same `used` and vector.
 */
export async function recommendForProfileBatched(
  batcher: ListBatcher,
  recommender: Recommender,
  profile: Profile,
  request: ListRequest,
): Promise<RecommendedList> {
  const query = foldInQuery(recommender, profile, request);
  if (query === null) return { items: [], used: 0 };
  const items = await batcher.list(recommender, query);
  return { items, used: query.user.used, user: query.user };
}
