import type { AlsModel } from '../als/index.ts';
import type { ScoredUser } from './neighbours.ts';
import { predictedStars, ratingUser } from './recommender.ts';

/** One line of `GET /movies/{movieId}/audience`. */
export interface AudienceMember {
  userId: number;
  /**
   * The stars the rating model predicts this user would give the movie, rounded to 0.01: the same
   * figure as `predictedRating` beside their recommendations. Null without a rating model or when
   * it does not know the user.
   */
  predicted: number | null;
  /**
   * The ranking model's score x·y (implicit ALS, rounded to 0.001): how likely the user is to rate
   * the movie, which orders the audience. Not stars: its scale is the 0/1 preference matrix's.
   */
  score: number;
}

/**
 * The audience chosen by the ranking model (best score first, unchanged), each member given the
 * rating model's predicted stars for the movie. Two models answer two questions: who is likely to
 * watch it (ranking) and how much they would like it (rating).
 */
export function audienceWithStars(
  audience: readonly ScoredUser[],
  rating: AlsModel | null,
  movieId: number,
): AudienceMember[] {
  return audience.map(({ userId, score }) => {
    // A known user's trained vector; with no ratings to fold in, an unknown one gets none.
    const user = rating ? ratingUser(rating, userId, []) : null;
    const stars = rating && user ? predictedStars(rating, user, [movieId])[0]! : null;
    return {
      userId,
      predicted: stars === null ? null : Math.round(stars * 100) / 100,
      score: Math.round(score * 1000) / 1000,
    };
  });
}
