/**
 * The ingest pipeline's dollars: the ratings, movies and tags written to Keyspaces, for one ingest
 * setting, and the settings worth comparing. Its time is core/ingest/run-sizing.ts's.
 */
import { sizeIngestRun } from '../ingest/run-sizing.ts';
import {
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
  PROVISIONED_LOAD_READ_UNITS,
  RATINGS_TABLES,
  TABLE_WRITE_UNITS_QUOTA,
  WRITE_UNITS_PER_RATING_PER_TABLE,
} from '../ingest/write-budget.ts';
import { assumptionValues, type Assumptions } from './assumptions.ts';
import { DEFAULT_INGEST, type CostModelInput, type IngestSetting } from './input.ts';
import { gbSeconds, line, phase, type PhaseEstimate } from './lines.ts';
import { US_EAST_1, type Prices } from './prices.ts';

export interface IngestEstimate extends PhaseEstimate {
  setting: IngestSetting;
  chunks: number;
  chunkConcurrency: number;
  /** Seconds of the chunk Map (the ratings writes). */
  writeSeconds: number;
  /** Billed hours of provisioned capacity (0 on-demand). */
  provisionedHours: number;
  /** Why the stack would refuse or fail this setting for this data set; empty when it runs. */
  refusals: string[];
}

/**
 * Ingest of the ratings, movies and tags, priced on its sizing (lambdas/core/ingest/run-sizing.ts:
 * the chunk Map as ingestion schedules it, one ratings table, ratings_by_user; then Catalogue and
 * Aggregate). Paced writers wait for their share of the tables' rate, and Lambda bills the wait.
 * Provisioned capacity is billed per WCU-hour for every started hour the tables hold it, used or
 * not.
 */
export function estimateIngest(input: CostModelInput, a: Assumptions, p: Prices): IngestEstimate {
  const setting = input.ingest ?? DEFAULT_INGEST;
  const provisioned = setting.capacity === 'provisioned';
  const {
    chunks,
    chunkConcurrency,
    chunkSeconds,
    writeSeconds,
    catalogueSeconds,
    aggregateSeconds,
    wallSeconds,
    refusals,
  } = sizeIngestRun(
    {
      ratings: input.ratings,
      users: input.users,
      movies: input.movies,
      tags: input.tags,
      concurrency: input.concurrency,
      tableWriteUnits: setting.writeUnits,
    },
    a,
  );
  const tags = input.tags ?? 0;
  const provisionedHours = provisioned
    ? Math.ceil((wallSeconds + a.provisionedSwitchSeconds) / 3600)
    : 0;
  const ratingRows = RATINGS_TABLES.length * WRITE_UNITS_PER_RATING_PER_TABLE * input.ratings;
  const readUnits = RATINGS_TABLES.reduce((sum, t) => sum + PROVISIONED_LOAD_READ_UNITS[t], 0);
  const tables = RATINGS_TABLES.length;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const ratingsLines = provisioned
    ? [
        line(
          `Keyspaces provisioned writes (${plural(tables, 'ratings table', 'ratings tables')} × ${setting.writeUnits} WCU × ${provisionedHours} h)`,
          tables * setting.writeUnits * provisionedHours,
          'WCU-hours',
          p.keyspacesPerWcuHour,
        ),
        line(
          `Keyspaces provisioned reads (${readUnits} RCU × ${provisionedHours} h, the Aggregate scan)`,
          readUnits * provisionedHours,
          'RCU-hours',
          p.keyspacesPerRcuHour,
        ),
      ]
    : [
        line(
          `Keyspaces writes (${plural(tables, 'row', 'rows')} per rating)`,
          ratingRows,
          'WRU',
          p.keyspacesPerWru,
        ),
        ...(setting.writeUnits > NEW_TABLE_WRITE_UNITS_PER_SECOND
          ? [
              line(
                `Keyspaces pre-warming (${plural(tables, 'table', 'tables')}, ${NEW_TABLE_WRITE_UNITS_PER_SECOND} → ${setting.writeUnits} WRU/s; ASSUMED price)`,
                tables * (setting.writeUnits - NEW_TABLE_WRITE_UNITS_PER_SECOND),
                'WRU/s added',
                p.keyspacesPerPrewarmWriteUnit,
              ),
            ]
          : []),
        line(
          "Keyspaces reads (Aggregate's scan of every rating)",
          Math.ceil((input.ratings * a.scanBytesPerRating) / 4096),
          'RRU',
          p.keyspacesPerRru,
        ),
      ];
  const chunkLambdaSeconds = chunks * chunkSeconds;
  const gbs =
    gbSeconds(chunkLambdaSeconds + catalogueSeconds + aggregateSeconds, a.ingestMemoryMb) +
    gbSeconds(a.invokeOverheadSeconds, 512) +
    gbSeconds(2 * a.invokeOverheadSeconds, 256);
  return {
    ...phase(wallSeconds, [
      ...ratingsLines,
      line(
        'Keyspaces writes (catalogue: movies + tags)',
        input.movies + tags,
        'WRU',
        p.keyspacesPerWru,
      ),
      line(
        'Keyspaces writes (Aggregate: per-user and per-movie statistics)',
        input.users + input.movies,
        'WRU',
        p.keyspacesPerWru,
      ),
      line(
        'Lambda compute (paced chunk writers, Catalogue, Aggregate)',
        gbs,
        'GB-s',
        p.lambdaPerGbSecond,
      ),
      // Validate, Plan, Catalogue, Aggregate, Finish + one per chunk.
      line('Lambda requests', chunks + 5, 'requests', p.lambdaPerRequest),
      // Validate, Plan, IngestChunks, Catalogue, Aggregate, MarkReady + the Map's children.
      line(
        'Step Functions transitions',
        6 + a.transitionsPerMapItem * chunks,
        'transitions',
        p.sfnPerTransition,
      ),
      // A byte range per chunk, a boundary window per cut (Plan), movies, links and tags.
      line(
        'S3 GET (chunk ranges, boundaries, catalogue)',
        2 * chunks - 1 + 3,
        'requests',
        p.s3PerGet,
      ),
    ]),
    setting,
    chunks,
    chunkConcurrency,
    writeSeconds,
    provisionedHours,
    refusals,
  };
}

export interface IngestOption {
  readonly label: string;
  readonly estimate: IngestEstimate;
}

/**
 * The ingest settings worth comparing for a data set: the default (new on-demand tables), the
 * fastest without a quota raise (pre-warmed to the per-table quota), and the cheapest provisioned
 * bulk load (every WCU count from 100 to the quota in steps of 100; the cheapest that runs, the
 * faster of equals). `cheapest` is the cheapest setting that runs (or the cheapest of all, when
 * none does).
 */
export function ingestOptions(
  input: CostModelInput,
  overrides: { assumptions?: Partial<Assumptions>; prices?: Prices } = {},
): { options: IngestOption[]; cheapest: IngestOption } {
  const a = assumptionValues(overrides.assumptions);
  const p = overrides.prices ?? US_EAST_1;
  const at = (setting: IngestSetting) => estimateIngest({ ...input, ingest: setting }, a, p);
  const better = (x: IngestEstimate, y: IngestEstimate) =>
    (x.refusals.length === 0) !== (y.refusals.length === 0)
      ? x.refusals.length === 0
      : x.dollars < y.dollars - 1e-9 ||
        (Math.abs(x.dollars - y.dollars) <= 1e-9 && x.wallSeconds < y.wallSeconds);
  let provisioned: IngestEstimate | undefined;
  for (let units = 100; units <= TABLE_WRITE_UNITS_QUOTA; units += 100) {
    const e = at({ capacity: 'provisioned', writeUnits: units });
    if (!provisioned || better(e, provisioned)) provisioned = e;
  }
  const options: IngestOption[] = [
    { label: 'default', estimate: at(DEFAULT_INGEST) },
    {
      label: 'fastest without a quota raise',
      estimate: at({ capacity: 'on-demand', writeUnits: TABLE_WRITE_UNITS_QUOTA }),
    },
    { label: 'cheapest provisioned', estimate: provisioned! },
  ];
  const cheapest = options.reduce((best, o) => (better(o.estimate, best.estimate) ? o : best));
  return { options, cheapest };
}
