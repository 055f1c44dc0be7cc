/**
 * The one definition of the data model. `render-cql.ts` turns it into the CQL that `db:migrate`
 * runs locally and `infra/` turns it into Amazon Keyspaces table resources, so the two can't drift.
 *
 * Only features that both Apache Cassandra and Amazon Keyspaces accept are used: no materialized
 * views, no secondary indexes, no counters mixed with other columns, no static columns.
 */

export type ScalarType = 'int' | 'bigint' | 'float' | 'double' | 'text' | 'timestamp' | 'boolean';
/**
 * Lists are frozen: every list the product stores is written whole and read whole, and a frozen
 * list is one cell (Keyspaces and Cassandra treat it like a blob). A non-frozen list is a cell per
 * element plus a tombstone on every overwrite: on the local Cassandra 5 a 50-movie list row cost
 * 1.7× the server CPU to write and 2.9× to read (scripts/bench/frozen-lists.ts,
 * bench/results/frozen-lists.json). Keyspaces accepts FROZEN collections (not nested ones).
 */
export type ColumnType = ScalarType | `frozen<list<${ScalarType}>>` | `map<text, ${ScalarType}>`;

export interface ClusteringColumn {
  readonly name: string;
  readonly order: 'ASC' | 'DESC';
}

export interface TableDefinition {
  readonly name: string;
  /** Why the table exists and which query it serves. Rendered as the table comment. */
  readonly purpose: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  readonly partitionKey: readonly string[];
  readonly clusteringKey?: readonly ClusteringColumn[];
  /**
   * Writes carry their own `USING TIMESTAMP` (ingestion orders duplicate ratings by it). Apache
   * Cassandra always allows that; Amazon Keyspaces only on tables created with client-side
   * timestamps turned on (a one-way switch).
   */
  readonly clientSideTimestamps?: boolean;
}

export const TABLES: readonly TableDefinition[] = [
  {
    name: 'movies',
    purpose: 'Movie catalogue: title, year, genres, external links and rating statistics.',
    columns: {
      movie_id: 'int',
      title: 'text',
      year: 'int',
      genres: 'frozen<list<text>>',
      imdb_id: 'text',
      tmdb_id: 'int',
      rating_count: 'int',
      rating_mean: 'double',
      top_tags: 'frozen<list<text>>',
      /** When PUT /movies/{id} first added the movie; null for ingested movies. */
      added_at: 'timestamp',
    },
    partitionKey: ['movie_id'],
  },
  {
    name: 'ratings_by_user',
    purpose: 'All ratings of one user; serves "rated movies" and the training scan.',
    columns: { user_id: 'int', movie_id: 'int', rating: 'float', rated_at: 'bigint' },
    partitionKey: ['user_id'],
    clusteringKey: [{ name: 'movie_id', order: 'ASC' }],
    clientSideTimestamps: true,
  },
  {
    name: 'users',
    purpose: 'Per-user activity summary (count, mean rating, first and last rating time).',
    columns: {
      user_id: 'int',
      rating_count: 'int',
      rating_mean: 'double',
      first_rated_at: 'bigint',
      last_rated_at: 'bigint',
    },
    partitionKey: ['user_id'],
  },
  {
    name: 'tags',
    purpose: 'Free-text tags of one movie, by user and time.',
    columns: { movie_id: 'int', user_id: 'int', tagged_at: 'bigint', tag: 'text' },
    partitionKey: ['movie_id'],
    clusteringKey: [
      { name: 'user_id', order: 'ASC' },
      { name: 'tagged_at', order: 'ASC' },
      { name: 'tag', order: 'ASC' },
    ],
  },
  {
    name: 'datasets',
    purpose: 'One row per ingested data set: status, counts and timings of its last ingestion.',
    columns: {
      name: 'text',
      status: 'text',
      counts: 'map<text, bigint>',
      timings: 'map<text, double>',
      updated_at: 'timestamp',
      source_prefix: 'text',
      started_at: 'timestamp',
      ratings_format: 'text',
      rejected: 'map<text, bigint>',
      quarantine_prefix: 'text',
      /** Training filter (the old project's rule), recorded here; no rating is ever deleted for it. */
      min_ratings_per_movie: 'int',
      error: 'text',
    },
    partitionKey: ['name'],
  },
  {
    name: 'dataset_stats',
    purpose: 'Exploratory statistics of a data set, one JSON document per chart.',
    columns: { dataset: 'text', chart: 'text', data: 'text' },
    partitionKey: ['dataset'],
    clusteringKey: [{ name: 'chart', order: 'ASC' }],
  },
  {
    name: 'models',
    purpose: 'Every trained model version: parameters, metrics per iteration, where its files are.',
    columns: {
      model_id: 'text',
      dataset: 'text',
      status: 'text',
      created_at: 'timestamp',
      params: 'text',
      metrics: 'text',
      artifacts_prefix: 'text',
    },
    partitionKey: ['model_id'],
  },
  {
    name: 'active_model',
    purpose: 'Single-row pointer to the model that serves; switching it is one write.',
    columns: { slot: 'text', model_id: 'text', activated_at: 'timestamp' },
    partitionKey: ['slot'],
  },
  {
    // A handful of rows for the life of the deployment: read whole (a scan) to find the running
    // one. Arms are not stored per user: they are a hash of (name, user) (core/experiments).
    name: 'experiments',
    purpose:
      'A/B experiments between the active model (control) and a candidate: share, start, stop.',
    columns: {
      name: 'text',
      control_model: 'text',
      candidate_model: 'text',
      share: 'double',
      started_at: 'timestamp',
      stopped_at: 'timestamp',
      promoted_model: 'text',
    },
    partitionKey: ['name'],
  },
  {
    // One row per list, not per (user, rank): a 50-movie list is ~400 bytes, one write request
    // unit instead of 50, which was most of a training run's Keyspaces bill.
    name: 'recommendation_lists',
    purpose: "A model's precomputed top-N for one user, best first, as one row.",
    columns: {
      model_id: 'text',
      user_id: 'int',
      movie_ids: 'frozen<list<int>>',
      scores: 'frozen<list<float>>',
    },
    partitionKey: ['model_id', 'user_id'],
  },
  {
    name: 'similar_movie_lists',
    purpose:
      "A model's nearest movies (cosine of item factors) for one movie, best first, as one row.",
    columns: {
      model_id: 'text',
      movie_id: 'int',
      movie_ids: 'frozen<list<int>>',
      scores: 'frozen<list<float>>',
    },
    partitionKey: ['model_id', 'movie_id'],
  },
  {
    // Compared with the active model's created_at: a user whose ratings changed after the model
    // was planned is folded in from the ratings table on their next request. One row per user,
    // written with the rating's own write time, so the latest change wins.
    name: 'user_rating_changes',
    purpose: 'When the API last wrote or deleted a rating of the user (run-time feedback).',
    // liked_at: when the user last liked or disliked a movie (no model is trained on likes, so a
    // user who has any is folded in from ratings and likes on every request).
    columns: { user_id: 'int', changed_at: 'timestamp', liked_at: 'timestamp' },
    partitionKey: ['user_id'],
    clientSideTimestamps: true,
  },
  {
    // Who rated a movie is the active model's raters index (models/<id>/raters/, written by
    // training from its by-movie blocks) plus these rows: every rating the API wrote (`rated`
    // true) or deleted (false) since, the latest per user winning by write time. Ingestion writes
    // ratings_by_user alone, so each rating is written once (docs/cost-model.md).
    name: 'rating_changes_by_movie',
    purpose:
      "Ratings the API wrote or deleted, by movie; with the model's raters index, who rated a movie.",
    columns: { movie_id: 'int', user_id: 'int', rated: 'boolean', changed_at: 'timestamp' },
    partitionKey: ['movie_id'],
    clusteringKey: [{ name: 'user_id', order: 'ASC' }],
    clientSideTimestamps: true,
  },
  {
    // The latest like (true) or dislike (false) of each movie by one user, written by like and
    // dislike events with the arrival time as write time (the latest wins). Likes count as
    // favourites (a top rating) when the user's list is folded in; both are kept out of lists.
    name: 'user_likes',
    purpose: "A user's likes and dislikes (run-time feedback), one row per movie.",
    columns: { user_id: 'int', movie_id: 'int', liked: 'boolean', at: 'timestamp' },
    partitionKey: ['user_id'],
    clusteringKey: [{ name: 'movie_id', order: 'ASC' }],
    clientSideTimestamps: true,
  },
  {
    // Partitioned by (UTC day of the event, shard of its id) so the online metrics read a window
    // of days; clustered by event id, so an event sent twice with its id is one row.
    name: 'events',
    purpose: 'Feedback events (rating, like, dislike, view, click, impression) by day.',
    columns: {
      day: 'int',
      shard: 'int',
      event_id: 'text',
      user_id: 'int',
      movie_id: 'int',
      type: 'text',
      value: 'float',
      event_at: 'timestamp',
      received_at: 'timestamp',
      recommendation_id: 'text',
    },
    partitionKey: ['day', 'shard'],
    clusteringKey: [{ name: 'event_id', order: 'ASC' }],
  },
  {
    name: 'served_lists',
    purpose: 'Recommendation lists the API served (a sample of users), by day, for online metrics.',
    columns: {
      day: 'int',
      shard: 'int',
      recommendation_id: 'text',
      served_at: 'timestamp',
      model_id: 'text',
      user_id: 'int',
      route: 'text',
      strategy: 'text',
      movie_ids: 'frozen<list<int>>',
      // The experiment the list was served under and the user's arm; null outside experiments.
      experiment: 'text',
      arm: 'text',
    },
    partitionKey: ['day', 'shard'],
    clusteringKey: [{ name: 'recommendation_id', order: 'ASC' }],
  },
  {
    // Scheduled retraining (`ifNewData`) compares the latest of these rows with the active
    // model's created_at: one row per shard of user ids, written with every rating the API
    // stores or deletes (with that write's own write time, so the latest wins). Eight rows
    // keep a busy API's writes off one partition and cost the check eight single-row reads.
    name: 'data_changes',
    purpose: 'When the API last changed any rating, per shard of user ids (retraining checks it).',
    columns: { shard: 'int', changed_at: 'timestamp' },
    partitionKey: ['shard'],
    clientSideTimestamps: true,
  },
];
