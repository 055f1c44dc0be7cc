/** What the cost model is asked to price: a training workload, the ingest setting and the traffic. */
import { NEW_TABLE_WRITE_UNITS_PER_SECOND, type IngestCapacity } from '../ingest/write-budget.ts';
import type { TrainWorkload } from '../train/task-sizing.ts';

/** How the ratings tables take an ingest: the stack's `ingestCapacity` and `ingestWriteUnits`. */
export interface IngestSetting {
  readonly capacity: IngestCapacity;
  /**
   * On-demand: write units/s each ratings table sustains (a new table's 4,000; above, the tables
   * are pre-warmed to it). Provisioned: the WCU each table holds for the load, switched by the
   * ingest state machine before its chunk Map and back after it.
   */
  readonly writeUnits: number;
}

/** What a plain `cdk deploy` runs: new on-demand tables at 4,000 WRU/s each. */
export const DEFAULT_INGEST: IngestSetting = {
  capacity: 'on-demand',
  writeUnits: NEW_TABLE_WRITE_UNITS_PER_SECOND,
};

export interface CostModelInput extends TrainWorkload {
  /** Tag applications (tags.csv lines) the Catalogue step writes; 0 when not given. */
  tags?: number;
  /** How the ratings tables take the ingest; {@link DEFAULT_INGEST} when not given. */
  ingest?: IngestSetting;
  /**
   * Tables every rating is written to: `RATINGS_TABLES` (what ingestion writes) when not given; 1
   * prices the design that writes each rating once (ratings_by_user only).
   */
  ratingsTables?: number;
  requestsPerMonth: number;
}
