import { MAX_BATCH_STATEMENTS, type BatchQuery } from '../../adapters/cassandra.ts';
import { readRatings } from '../../core/formats/ratings-reader.ts';
import { FIELD_DELIMITER } from '../../core/formats/ratings-format.ts';
import { userRuns } from '../../core/ingest/batching.ts';
import { ingestRejection } from '../../core/ingest/cleaning.ts';
import { LineCounter } from '../../core/ingest/line-counter.ts';
import { RatePacer } from '../../core/ingest/pacer.ts';
import {
  formatQuarantineCsv,
  stagedQuarantineKey,
  type QuarantinedRow,
  type RejectCounts,
} from '../../core/ingest/quarantine.ts';
import { ratingWriteTime } from '../../core/ingest/write-time.ts';
import type { ChunkResult, ChunkTask } from '../../core/ingest/workflow-types.ts';
import { RatingsTableBuilder, type RatingsTable } from '../../core/ratings.ts';
import { byUserParams, ratingUpsert, RowBatches } from '../rating-writes.ts';
import { ingestWritesInFlight } from '../config/ingest-config.ts';
import type { Stores } from '../runtime.ts';

// A MovieLens csv row is ~24 bytes; preallocating avoids most of the typed-array regrowth.
const BYTES_PER_ROW_ESTIMATE = 24;

export interface ChunkProgress {
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly rowsWritten: number;
  readonly rowsTotal: number;
  readonly phase: 'reading' | 'writing';
}

/**
 * One Map item: reads its byte range of the ratings file, validates every line, writes the valid
 * ratings to ratings_by_user and the rejected lines to a staged quarantine file. Every write is
 * an idempotent upsert with a write time derived from the rating (write-time.ts), so running a chunk
 * twice, or chunks in any order, leaves the same rows.
 */
export async function ingestChunk(
  task: ChunkTask,
  { s3, db }: Stores,
  onProgress: (progress: ChunkProgress) => void = () => {},
): Promise<ChunkResult> {
  const started = performance.now();
  const { chunk } = task;
  const bytesTotal = chunk.endInclusive - chunk.start + 1;
  const body = await s3.getStream(task.ratingsKey, chunk);
  const lines = new LineCounter();
  let bytesRead = 0;
  let reported = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const piece of body as AsyncIterable<Uint8Array>) {
      lines.push(piece);
      bytesRead += piece.length;
      if (bytesRead - reported >= bytesTotal / 10) {
        reported = bytesRead;
        onProgress({ bytesRead, bytesTotal, rowsWritten: 0, rowsTotal: 0, phase: 'reading' });
      }
      yield piece;
    }
  }

  const rows = new RatingsTableBuilder(Math.ceil(bytesTotal / BYTES_PER_ROW_ESTIMATE));
  const quarantined: QuarantinedRow[] = [];
  const rejected: RejectCounts = {};
  const reject = (line: number, reason: string, fields: readonly string[]) => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
    quarantined.push({ line, reason, record: fields.join(FIELD_DELIMITER[task.ratingsFormat]) });
  };
  const ratings = readRatings(counted(), {
    name: task.ratingsKey,
    format: task.ratingsFormat,
    onBadRow: (bad) => reject(bad.line, bad.reason, bad.fields),
  });
  for await (const row of ratings) {
    const reason = ingestRejection(row);
    if (reason === undefined) rows.push(row.userId, row.movieId, row.rating, row.timestamp);
    else reject(row.line, reason, [row.userId, row.movieId, row.rating, row.timestamp].map(String));
  }
  const table = rows.finish();
  const rowsTotal = table.length;
  onProgress({ bytesRead, bytesTotal, rowsWritten: 0, rowsTotal, phase: 'writing' });
  await writeRatings(
    db,
    table,
    task.writeTimeBase,
    (rowsWritten) =>
      onProgress({ bytesRead, bytesTotal, rowsWritten, rowsTotal, phase: 'writing' }),
    task.writeRatingsPerSecond,
  );

  let stagedKey: string | null = null;
  if (quarantined.length > 0) {
    quarantined.sort((a, b) => a.line - b.line);
    stagedKey = stagedQuarantineKey(task.dataset, chunk.index);
    await s3.putObject(stagedKey, formatQuarantineCsv(quarantined), 'text/csv');
  }
  const rejectedRows = quarantined.length;
  return {
    index: chunk.index,
    lines: lines.lines,
    rows: table.length,
    skippedLines: lines.lines - table.length - rejectedRows,
    rejected,
    stagedQuarantineKey: stagedKey,
    seconds: (performance.now() - started) / 1000,
  };
}

async function writeRatings(
  db: Stores['db'],
  table: RatingsTable,
  writeTimeBase: number,
  onWritten: (rows: number) => void,
  ratingsPerSecond = 0,
): Promise<void> {
  const byUser = ratingUpsert(db);
  // On the local single-node Cassandra, batches of several partitions (batching.ts); on Keyspaces,
  // one partition per batch.
  const grouping = await db.batchGrouping();
  const writeTime = (row: number) => ratingWriteTime(writeTimeBase, table.timestamps[row]!);
  const userBatches = new RowBatches(
    userRuns(table, MAX_BATCH_STATEMENTS, grouping),
    (row): BatchQuery => ({
      query: byUser,
      params: byUserParams(
        table.userIds[row]!,
        table.movieIds[row]!,
        table.ratings[row]!,
        table.timestamps[row]!,
        writeTime(row),
      ),
    }),
  );
  // Each rating is one row (ratings_by_user): report every 10 % of the writes.
  let writes = 0;
  let reported = 0;
  const step = Math.max(1, Math.ceil(table.length / 10));
  const onDone = (batch: readonly BatchQuery[]) => {
    writes += batch.length;
    if (writes - reported < step) return;
    reported = writes;
    onWritten(writes);
  };
  // On Keyspaces the writes keep to this chunk's share of the table's rate (write-budget.ts).
  const pacer = ratingsPerSecond > 0 ? new RatePacer(ratingsPerSecond) : undefined;
  const pace = pacer ? (statements: number) => pacer.take(statements) : undefined;
  await db.batchMany(userBatches, Math.max(1, ingestWritesInFlight()), onDone, pace);
  onWritten(table.length);
}
