import type { ApiRoute } from '../route.ts';
import { foldInRoute } from './fold-in.ts';
import { healthRoute } from './health.ts';
import { movieAudienceRoute, similarMoviesRoute } from './movie-model.ts';
import { genresRoute, movieRoute, popularMoviesRoute, searchMoviesRoute } from './movies.ts';
import { activeModelRoute, modelsRoute } from './models.ts';
import { statsRoute } from './stats.ts';
import { userRatingsRoute } from './user-ratings.ts';
import { userRecommendationsRoute } from './user-recommendations.ts';

/** Every route of the API; `docs/api.md` documents them. `/health` alone needs no API key. */
export const API_ROUTES: readonly ApiRoute[] = [
  healthRoute,
  userRecommendationsRoute,
  userRatingsRoute,
  foldInRoute,
  searchMoviesRoute,
  popularMoviesRoute,
  genresRoute,
  movieRoute,
  similarMoviesRoute,
  movieAudienceRoute,
  statsRoute,
  modelsRoute,
  activeModelRoute,
];

export const OPEN_PATHS: ReadonlySet<string> = new Set(['/health']);
