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
  /** Seconds the ratings tables hold provisioned capacity: raise, chunk Map, switch back (0 on-demand). */
  provisionedSeconds: number;
  /** Billed hours of provisioned capacity (0 on-demand). */
  provisionedHours: number;
  /** Why the stack would refuse or fail this setting for this data set; empty when it runs. */
  refusals: string[];
}

/** Seconds between two GetTable polls while the ingest waits for a raised table (WaitForProvisioned). */
export const CAPACITY_POLL_SECONDS = 15;

/**
 * Ingest of the ratings, movies and tags, priced on its sizing (lambdas/core/ingest/run-sizing.ts:
 * the chunk Map as ingestion schedules it, every ratings table filled side by side; then Catalogue
 * and Aggregate). Paced writers wait for their share of the tables' rate, and Lambda bills the
 * wait. Provisioned: the state machine raises the ratings tables to the WCU before the chunk Map
 * (waiting for the switch) and returns them to on-demand right after it (not waiting): billed per
 * WCU-hour for every started hour from the raise to the end of the switch back, used or not;
 * Catalogue and Aggregate run on-demand.
 */
export function estimateIngest(input: CostModelInput, a: Assumptions, p: Prices): IngestEstimate {
  const setting = input.ingest ?? DEFAULT_INGEST;
  const provisioned = setting.capacity === 'provisioned';
  const tables = input.ratingsTables ?? RATINGS_TABLES.length;
  const switchSeconds = provisioned ? a.capacitySwitchSeconds : 0;
  // The time is task sizing's (no prices there); this prices it.
  const run = sizeIngestRun(
    {
      ratings: input.ratings,
      users: input.users,
      movies: input.movies,
      tags: input.tags,
      concurrency: input.concurrency,
      tableWriteUnits: setting.writeUnits,
      ratingsTables: tables,
      capacitySwitchSeconds: switchSeconds,
    },
    a,
  );
  const tags = input.tags ?? 0;
  const provisionedHours = Math.ceil(run.provisionedSeconds / 3600);
  const ratingRows = tables * WRITE_UNITS_PER_RATING_PER_TABLE * input.ratings;
  const readUnits = RATINGS_TABLES.slice(0, tables).reduce(
    (sum, table) => sum + PROVISIONED_LOAD_READ_UNITS[table],
    0,
  );
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const scanLine = line(
    "Keyspaces reads (Aggregate's scan of every rating, on-demand)",
    Math.ceil((input.ratings * a.scanBytesPerRating) / 4096),
    'RRU',
    p.keyspacesPerRru,
  );
  const ratingsLines = provisioned
    ? [
        line(
          `Keyspaces provisioned writes (${plural(tables, 'ratings table', 'ratings tables')} × ${setting.writeUnits} WCU × ${provisionedHours} h)`,
          tables * setting.writeUnits * provisionedHours,
          'WCU-hours',
          p.keyspacesPerWcuHour,
        ),
        line(
          `Keyspaces provisioned reads (${readUnits} RCU × ${provisionedHours} h while switched)`,
          readUnits * provisionedHours,
          'RCU-hours',
          p.keyspacesPerRcuHour,
        ),
        scanLine,
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
        scanLine,
      ];
  // statemachines/ingest.asl.json: Validate, Plan, CapacitySwitchRequested, IngestChunks,
  // CapacityToRestore, AfterChunks, Catalogue, Aggregate, MarkReady, + OnDemandPace; with the
  // switch DescribeRatingsTables, SwitchAllowed, RaiseCapacity, ProvisionedPace and
  // RestoreCapacity instead, and per table 3 (the 24-hour check), 2 + 3 per poll (the raise) and
  // 4 (the switch back).
  const polls = Math.ceil(switchSeconds / CAPACITY_POLL_SECONDS);
  const transitions =
    9 +
    (provisioned ? 5 + tables * (3 + 2 + 3 * polls + 4) : 1) +
    a.transitionsPerMapItem * run.chunks;
  const chunkLambdaSeconds = run.chunks * run.chunkSeconds;
  const gbs =
    gbSeconds(chunkLambdaSeconds + run.catalogueSeconds + run.aggregateSeconds, a.ingestMemoryMb) +
    gbSeconds(a.invokeOverheadSeconds, 512) +
    gbSeconds(2 * a.invokeOverheadSeconds, 256);
  return {
    ...phase(run.wallSeconds, [
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
      line('Lambda requests', run.chunks + 5, 'requests', p.lambdaPerRequest),
      line('Step Functions transitions', transitions, 'transitions', p.sfnPerTransition),
      // A byte range per chunk, a boundary window per cut (Plan), movies, links and tags.
      line(
        'S3 GET (chunk ranges, boundaries, catalogue)',
        2 * run.chunks - 1 + 3,
        'requests',
        p.s3PerGet,
      ),
    ]),
    setting,
    chunks: run.chunks,
    chunkConcurrency: run.chunkConcurrency,
    writeSeconds: run.writeSeconds,
    provisionedSeconds: run.provisionedSeconds,
    provisionedHours,
    refusals: run.refusals,
  };
}

export interface IngestOption {
  readonly label: string;
  readonly estimate: IngestEstimate;
}

/** The ingest's one-hour goal (issue 22: ml-25m within an hour and $10). */
export const INGEST_GOAL_SECONDS = 3600;

export interface IngestChoice {
  readonly options: IngestOption[];
  /** The cheapest setting that runs (the cheapest of all, when none does). */
  readonly cheapest: IngestOption;
  /** Which of on-demand and provisioned-with-switch `cheapest` is, and why, in one sentence. */
  readonly reason: string;
}

/**
 * The ingest settings worth comparing for a data set, among on-demand and provisioned capacity
 * switched by the ingest itself: the default (new on-demand tables), the fastest on-demand without
 * a quota raise (pre-warmed to the per-table quota), the cheapest provisioned load (every WCU count
 * from 100 to the quota in steps of 100; the cheapest that runs, the faster of equals) and the
 * cheapest provisioned load within {@link INGEST_GOAL_SECONDS}. `cheapest` is the cheapest setting
 * that runs, and `reason` says why it wins, and what the load costs if Keyspaces' 24-hour rule keeps
 * the tables on-demand (the default's figure: the state machine falls back to it).
 */
export function ingestOptions(
  input: CostModelInput,
  overrides: { assumptions?: Partial<Assumptions>; prices?: Prices } = {},
): IngestChoice {
  const a = assumptionValues(overrides.assumptions);
  const p = overrides.prices ?? US_EAST_1;
  const at = (setting: IngestSetting) => estimateIngest({ ...input, ingest: setting }, a, p);
  const runs = (x: IngestEstimate) => x.refusals.length === 0;
  const better = (x: IngestEstimate, y: IngestEstimate) =>
    runs(x) !== runs(y)
      ? runs(x)
      : x.dollars < y.dollars - 1e-9 ||
        (Math.abs(x.dollars - y.dollars) <= 1e-9 && x.wallSeconds < y.wallSeconds);
  let provisioned: IngestEstimate | undefined;
  let withinGoal: IngestEstimate | undefined;
  for (let units = 100; units <= TABLE_WRITE_UNITS_QUOTA; units += 100) {
    const e = at({ capacity: 'provisioned', writeUnits: units });
    if (!provisioned || better(e, provisioned)) provisioned = e;
    if (runs(e) && e.wallSeconds <= INGEST_GOAL_SECONDS && (!withinGoal || better(e, withinGoal))) {
      withinGoal = e;
    }
  }
  const onDemand = at(DEFAULT_INGEST);
  const options: IngestOption[] = [
    { label: 'default', estimate: onDemand },
    {
      label: 'fastest on-demand without a quota raise',
      estimate: at({ capacity: 'on-demand', writeUnits: TABLE_WRITE_UNITS_QUOTA }),
    },
    { label: 'cheapest provisioned', estimate: provisioned! },
    ...(withinGoal ? [{ label: 'cheapest provisioned within 1 h', estimate: withinGoal }] : []),
  ];
  const cheapest = options.reduce((best, o) => (better(o.estimate, best.estimate) ? o : best));
  const goal =
    withinGoal && withinGoal !== cheapest.estimate
      ? `; within 1 h: ${withinGoal.setting.capacity} ${withinGoal.setting.writeUnits.toLocaleString('en-US')} ` +
        `${withinGoal.setting.capacity === 'provisioned' ? 'WCU' : 'WRU/s'}, ` +
        `${dollars(withinGoal.dollars)} in ${minutes(withinGoal.wallSeconds)}`
      : '';
  return { options, cheapest, reason: choiceReason(cheapest.estimate, onDemand) + goal };
}

const dollars = (x: number) => `$${x.toFixed(2)}`;
const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;

/** Why the chosen setting beats the default on-demand one, in the model's own figures. */
function choiceReason(chosen: IngestEstimate, onDemand: IngestEstimate): string {
  if (chosen.refusals.length > 0) return 'no setting runs: ' + chosen.refusals.join('; ');
  if (chosen.setting.capacity === 'on-demand') {
    return (
      `on-demand: every provisioned WCU count costs more than ${dollars(chosen.dollars)} for ` +
      'this data set (a switched load pays whole hours of capacity, used or not)'
    );
  }
  const wcuHours = chosen.lines[0]!;
  const wru = onDemand.lines[0]!;
  return (
    `provisioned with the switch, ${chosen.setting.writeUnits.toLocaleString('en-US')} WCU a table: ${dollars(chosen.dollars)} ` +
    `in ${minutes(chosen.wallSeconds)}, ${dollars(onDemand.dollars - chosen.dollars)} less than ` +
    `on-demand (${dollars(onDemand.dollars)}, ${minutes(onDemand.wallSeconds)}): ` +
    `${Math.round(wcuHours.quantity).toLocaleString('en-US')} WCU-hours cost ${dollars(wcuHours.dollars)} ` +
    `where ${Math.round(wru.quantity).toLocaleString('en-US')} write request units cost ` +
    `${dollars(wru.dollars)}. If a ratings table was created or returned to on-demand less than ` +
    `24 h before the ingest, the state machine does not switch and the load runs on-demand ` +
    `(${dollars(onDemand.dollars)}, ${minutes(onDemand.wallSeconds)})`
  );
}
