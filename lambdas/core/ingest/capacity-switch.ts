import {
  IngestBudgetError,
  PROVISIONED_LOAD_READ_UNITS,
  RATINGS_TABLES,
  planIngestSchedule,
  type IngestSchedule,
} from './write-budget.ts';

/**
 * The ratings tables' capacity switch inside the ingest (statemachines/ingest.asl.json:
 * DescribeRatingsTables → RaiseCapacity → the chunk Map → RestoreCapacity). What Validate decides,
 * as data the state machine reads; the switch itself is made by Step Functions' Keyspaces SDK
 * integration (UpdateTable, GetTable).
 *
 * Keyspaces' waiting periods ("Change capacity mode", Keyspaces developer guide): a table may go
 * from on-demand to provisioned at any time, but back to on-demand only once in 24 hours, and a
 * table created on-demand only 24 hours after its creation. A switch to provisioned that could not
 * be undone after the load would leave the table billed per WCU-hour for up to a day (at 12,000 WCU,
 * $7.80 an hour), so the state machine switches only tables created and last returned to on-demand
 * at least 24 hours before the ingest starts ({@link CapacitySwitch.legalBefore}); otherwise the
 * load stays on-demand at a new table's rate ({@link planLoad} sizes both).
 */
export const PAY_PER_REQUEST_SWITCH_INTERVAL_MS = 24 * 3600 * 1000;

/** One ratings table the switch touches, with the read capacity it holds while provisioned. */
export interface CapacitySwitchTable {
  readonly table: string;
  readonly readUnits: number;
}

/** The chunk writers' pace: the Map's MaxConcurrency and each writer's ratings/s into a table. */
export interface LoadPace {
  readonly chunkConcurrency: number;
  readonly writeRatingsPerSecond: number;
}

export type CapacitySwitch =
  | { readonly switch: false }
  | {
      readonly switch: true;
      readonly keyspace: string;
      readonly tables: readonly CapacitySwitchTable[];
      /** WCU each table holds for the load (`-c ingestWriteUnits`). */
      readonly writeUnits: number;
      /**
       * ISO-8601: a table whose creation and last return to on-demand are at or before this may be
       * switched (24 h before the ingest started, so the switch back is allowed whenever it ends).
       */
      readonly legalBefore: string;
      /** The pace at the provisioned WCU; the layout's own is the on-demand fallback's. */
      readonly pace: LoadPace;
    };

export interface LoadInput {
  readonly ratingsBytes: number;
  readonly concurrency: number;
  readonly chunkBytes?: number;
  /** Write units/s each ratings table takes on-demand (its warm throughput). */
  readonly onDemandWriteUnits: number;
  /** Present: switch the ratings tables to this many WCU each for the chunk Map. */
  readonly provisioned?: { readonly writeUnits: number; readonly keyspace: string };
  /** Epoch ms when the ingest started. */
  readonly now: number;
}

export interface LoadPlan extends LoadPace {
  readonly chunkBytes: number;
  readonly capacity: CapacitySwitch;
}

/**
 * Chunk size and pace of a load. With a switch, both the provisioned schedule and the on-demand one
 * the 24-hour rule may fall back to: the chunks are the smaller of the two sizes (a chunk then fits
 * its write budget at either pace), the layout's pace is the on-demand one and the switch's is in
 * `capacity.pace`. A data set either schedule refuses is refused (IngestBudgetError), since which
 * one runs is only known once the state machine has read the tables.
 */
export function planLoad(input: LoadInput): LoadPlan {
  const base = {
    ratingsBytes: input.ratingsBytes,
    concurrency: input.concurrency,
    ...(input.chunkBytes !== undefined ? { chunkBytes: input.chunkBytes } : {}),
  };
  let onDemand: IngestSchedule;
  try {
    onDemand = planIngestSchedule({ ...base, tableWriteUnits: input.onDemandWriteUnits });
  } catch (error) {
    if (!input.provisioned || !(error instanceof IngestBudgetError)) throw error;
    throw new IngestBudgetError(
      `on-demand, where the 24-hour rule keeps the tables from switching: ${error.message}`,
    );
  }
  if (!input.provisioned) {
    return { ...pace(onDemand), chunkBytes: onDemand.chunkBytes, capacity: { switch: false } };
  }
  const { writeUnits, keyspace } = input.provisioned;
  const switched = planIngestSchedule({ ...base, tableWriteUnits: writeUnits });
  return {
    ...pace(onDemand),
    chunkBytes: Math.min(onDemand.chunkBytes, switched.chunkBytes),
    capacity: {
      switch: true,
      keyspace,
      tables: RATINGS_TABLES.map((table) => ({
        table,
        readUnits: PROVISIONED_LOAD_READ_UNITS[table],
      })),
      writeUnits,
      legalBefore: capacitySwitchLegalBefore(input.now),
      pace: pace(switched),
    },
  };
}

/** The latest creation or return to on-demand that still lets a table switch back after the load. */
export function capacitySwitchLegalBefore(now: number): string {
  if (!Number.isFinite(now)) throw new RangeError(`now must be a time, got ${now}`);
  return new Date(now - PAY_PER_REQUEST_SWITCH_INTERVAL_MS).toISOString();
}

function pace(schedule: IngestSchedule): LoadPace {
  return {
    chunkConcurrency: schedule.chunkConcurrency,
    writeRatingsPerSecond: schedule.writeRatingsPerSecond,
  };
}

/** The pace the chunk Map ran at, as the ASL's ProvisionedPace or OnDemandPace state set it. */
export interface RunPace extends LoadPace {
  readonly switched: boolean;
}

/** How the ratings were written, in the ingest summary: so a bill can be read against the plan. */
export interface CapacityRecord {
  /** Provisioned only when the switch was asked for and made. */
  readonly mode: 'on-demand' | 'provisioned';
  /** The WCU each ratings table held for the load (provisioned only). */
  readonly writeUnits?: number;
  readonly chunkConcurrency: number;
  readonly writeRatingsPerSecond: number;
  /** Present when a switch was asked for but Keyspaces' 24-hour rule kept the load on-demand. */
  readonly switchSkipped?: string;
}

/** The summary's record of a load from Validate's decision and the pace the Map ran at. */
export function capacityRecord(capacity: CapacitySwitch, pace: RunPace): CapacityRecord {
  const { chunkConcurrency, writeRatingsPerSecond } = pace;
  if (capacity.switch && pace.switched) {
    const { writeUnits } = capacity;
    return { mode: 'provisioned', writeUnits, chunkConcurrency, writeRatingsPerSecond };
  }
  return {
    mode: 'on-demand',
    chunkConcurrency,
    writeRatingsPerSecond,
    // The ASL reaches OnDemandPace after a requested switch only through CapacitySwitchSkipped.
    ...(capacity.switch
      ? {
          switchSkipped:
            'a ratings table was not ACTIVE, or was created or returned to on-demand less than 24 h ' +
            'before the ingest (Keyspaces allows the switch back once in 24 h)',
        }
      : {}),
  };
}
