import type { ApiRoute } from '../route.ts';
import { deleteDislikeRoute, putDislikeRoute } from './dislikes.ts';
import { deleteRatingRoute, postEventsRoute, putRatingRoute } from './feedback.ts';
import { foldInRoute } from './fold-in.ts';
import { healthRoute } from './health.ts';
import { movieAudienceRoute, similarMoviesRoute } from './movie-model.ts';
import {
  genresRoute,
  latestMoviesRoute,
  movieRoute,
  popularMoviesRoute,
  putMovieRoute,
  searchMoviesRoute,
  trendingMoviesRoute,
} from './movies.ts';
import {
  experimentReportRoute,
  listExperimentsRoute,
  startExperimentRoute,
  stopExperimentRoute,
} from './experiments.ts';
import { activeModelRoute, modelsRoute } from './models.ts';
import { onlineMetricsRoute } from './online-metrics.ts';
import { statsRoute } from './stats.ts';
import { userRatingsRoute } from './user-ratings.ts';
import { userRecommendationsRoute } from './user-recommendations.ts';

/** Every route of the API; `docs/serving.md` documents them. `/health` alone needs no API key. */
export const API_ROUTES: readonly ApiRoute[] = [
  healthRoute,
  userRecommendationsRoute,
  userRatingsRoute,
  putRatingRoute,
  deleteRatingRoute,
  postEventsRoute,
  putDislikeRoute,
  deleteDislikeRoute,
  foldInRoute,
  searchMoviesRoute,
  popularMoviesRoute,
  latestMoviesRoute,
  trendingMoviesRoute,
  genresRoute,
  movieRoute,
  putMovieRoute,
  similarMoviesRoute,
  movieAudienceRoute,
  statsRoute,
  modelsRoute,
  activeModelRoute,
  onlineMetricsRoute,
  listExperimentsRoute,
  startExperimentRoute,
  stopExperimentRoute,
  experimentReportRoute,
];

export const OPEN_PATHS: ReadonlySet<string> = new Set(['/health']);
