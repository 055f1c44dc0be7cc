/**
 * The Keyspaces tables the API Lambda may read and write: the stack grants exactly these
 * (cassandra:Select / cassandra:Modify, infra/constructs/api.ts) and the local Cassandra gives the
 * API's role the same grants (scripts/runtime/cassandra/roles.ts), so a table missing here fails the
 * local tests the way it would fail on AWS.
 */

/** Every table the API reads. */
export const API_READ_TABLES = [
  'movies',
  'ratings_by_user',
  'rating_changes_by_movie',
  'users',
  'datasets',
  'dataset_stats',
  'models',
  'active_model',
  'recommendation_lists',
  'similar_movie_lists',
  'user_rating_changes',
  'user_likes',
  'events',
  'served_lists',
  'experiments',
] as const;

/**
 * The only tables the API writes: run-time ratings (`ratings_by_user`, and each write or delete by
 * movie in `rating_changes_by_movie` for the audience route), the per-user change marker,
 * the "feedback since" marker scheduled retraining reads (`data_changes`, written by every rating
 * PUT and DELETE), likes, feedback events, the served-list sample, and the movies table (`PUT
 * /movies` adds or updates a movie), and the operator's experiment routes: `experiments`, and
 * `active_model` for `POST /experiments/stop {promote: true}` (the one activation write; both are
 * IAM-signed write routes on AWS). Models and stored lists stay read-only to it.
 */
export const API_WRITE_TABLES = [
  'movies',
  'ratings_by_user',
  'rating_changes_by_movie',
  'user_rating_changes',
  'data_changes',
  'user_likes',
  'events',
  'served_lists',
  'experiments',
  'active_model',
] as const;
