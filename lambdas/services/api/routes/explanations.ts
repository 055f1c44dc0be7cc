import { displayTitle, type Catalogue } from '../../../core/serving/catalogue.ts';
import { becauseOf, explainScores } from '../../../core/serving/explain.ts';
import type { ListStrategy } from '../../../core/serving/list-strategy.ts';
import type { Profile } from '../../../core/serving/recommender.ts';
import type { ServingModel } from '../serving-state.ts';

/**
 * What an `explain=true` list's `because` lists rest on (the response's `explanation`):
 * - `exact`: the list was folded in from this profile, so each model item's parts sum to its
 *   score (POST /recommendations, a user's `fold-in` list);
 * - `fold-in`: the list came from the user's trained vector (`stored`, `online`); its order is
 *   kept, and `because` is the split of the fold-in of their current ratings, the list they would
 *   get folded in now (core/serving/explain.ts);
 * - `none`: nothing personal ranked the list (`popularity`).
 */
export type ExplanationBasis = 'exact' | 'fold-in' | 'none';

/** What each strategy's explanation rests on. */
const BASIS: Record<ListStrategy, ExplanationBasis> = {
  stored: 'fold-in',
  online: 'fold-in',
  'fold-in': 'exact',
  popularity: 'none',
};

/**
 * A list's items as a response shows them: with `explain`, each with its `because` and the list
 * with the `explanation` basis its strategy gives (the profile read only when that basis needs it);
 * without, the items as they are.
 */
export async function explainedList<T extends { movieId: number; source?: string }>(
  explain: boolean,
  serving: ServingModel | undefined,
  catalogue: Catalogue,
  strategy: ListStrategy,
  items: readonly T[],
  profile: () => Profile | Promise<Profile>,
) {
  if (!explain) return { items };
  const basis = BASIS[strategy];
  const basisProfile = basis === 'none' ? null : await profile();
  return { explanation: basis, items: withBecause(serving, catalogue, basisProfile, items) };
}

export interface BecauseMovie {
  movieId: number;
  title: string | null;
  displayTitle: string | null;
  share: number;
}

/**
 * `items` with `because`: for each item the ranking model placed (`source: "model"`), the two or
 * three of the person's movies that contributed most to its score, with their shares; [] for
 * cold-start, trending and popular items, and for every item without a model.
 */
export function withBecause<T extends { movieId: number; source?: string }>(
  serving: ServingModel | undefined,
  catalogue: Catalogue,
  profile: Profile | null,
  items: readonly T[],
): (T & { because: BecauseMovie[] })[] {
  const explained = new Map<number, BecauseMovie[]>();
  if (serving && profile) {
    const ids = items.filter((item) => item.source === 'model').map((item) => item.movieId);
    for (const e of explainScores(serving.recommender, profile, ids)) {
      explained.set(
        e.movieId,
        becauseOf(e).map(({ movieId, share }) => {
          const title = catalogue.get(movieId)?.title ?? null;
          return {
            movieId,
            title,
            displayTitle: title === null ? null : displayTitle(title),
            share,
          };
        }),
      );
    }
  }
  return items.map((item) => ({ ...item, because: explained.get(item.movieId) ?? [] }));
}
