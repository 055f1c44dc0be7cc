import {
  detectRatingsFormat,
  FIELD_DELIMITER,
  parseRatingRecord,
  type RatingsFormat,
} from '../../core/formats/ratings-format.ts';
import { checkChunkBytes, defaultChunkBytes } from '../../core/ingest/chunk-boundaries.ts';
import { DEFAULT_MIN_RATINGS_PER_MOVIE } from '../../core/ingest/cleaning.ts';
import { planLoad, type CapacitySwitch } from '../../core/ingest/capacity-switch.ts';
import {
  BULK_TABLE_WRITE_UNITS_PER_SECOND,
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
} from '../../core/ingest/write-budget.ts';
import { writeTimeBase } from '../../core/ingest/write-time.ts';
import {
  assertDatasetName,
  datasetPrefix,
  DEFAULT_CHUNK_CONCURRENCY,
  type DatasetLayout,
  type IngestRequest,
} from '../../core/ingest/workflow-types.ts';
import { ingestConfigFromEnv } from '../config/ingest-config.ts';
import { datasetNames, recordIngestionStart } from '../datasets/registry.ts';
import type { Stores } from '../runtime.ts';
import { DatasetConflictError, DatasetInvalidError } from '../step-errors.ts';
import { MANIFEST_FILE, parseManifest } from './manifest.ts';

/** Ratings file names of the MovieLens releases, most common first. */
export const RATINGS_FILES = ['ratings.csv', 'ratings.dat', 'u.data'] as const;
const HEAD_BYTES = 64 * 1024;

/** The execution input as the EventBridge rule sends it: only the manifest's key. */
export interface ManifestEvent {
  readonly manifestKey: string;
}

const MANIFEST_KEY = /^datasets\/([^/]+)\/manifest\.json$/;

export function requestFromEvent(event: IngestRequest | ManifestEvent): IngestRequest {
  if ('manifestKey' in event) {
    const match = MANIFEST_KEY.exec(event.manifestKey);
    if (!match)
      throw new DatasetInvalidError(`${event.manifestKey} is not datasets/<name>/manifest.json`);
    return { dataset: match[1]! };
  }
  return event;
}

/**
 * First state: checks that the files are there and look like MovieLens, that the keyspace is free
 * for this data set, clears the quarantine of an earlier run, and marks the data set "ingesting".
 */
export async function validateDataset(
  event: IngestRequest | ManifestEvent,
  { s3, db }: Stores,
  now = Date.now(),
): Promise<DatasetLayout> {
  const request = requestFromEvent(event);
  const dataset = assertDatasetName(request.dataset);
  const prefix = request.prefix ?? datasetPrefix(dataset);
  const sizes = await objectSizes(s3, prefix);

  const ratingsName = RATINGS_FILES.find((name) => sizes.has(name));
  if (ratingsName === undefined) {
    throw new DatasetInvalidError(
      `s3://${s3.bucket}/${prefix} has no ratings file (${RATINGS_FILES.join(', ')})`,
    );
  }
  const ratingsKey = prefix + ratingsName;
  const ratingsBytes = sizes.get(ratingsName)!;
  const head = (await s3.getRange(ratingsKey, 0, Math.min(ratingsBytes, HEAD_BYTES) - 1)).toString(
    'utf8',
  );
  const ratingsFormat = detectRatingsFormat(head);
  if (ratingsFormat === undefined) {
    throw new DatasetInvalidError(`${ratingsKey} is not a MovieLens ratings file`);
  }
  assertFirstRecordParses(head, ratingsFormat, ratingsKey);

  const optional = async (name: string, header: string): Promise<string | null> => {
    if (!sizes.has(name)) return null;
    const key = prefix + name;
    const firstLine = (await s3.getRange(key, 0, 1023)).toString('utf8').replace(/^\uFEFF/, '');
    if (!firstLine.toLowerCase().startsWith(header)) {
      throw new DatasetInvalidError(`${key} does not start with the header "${header}"`);
    }
    return key;
  };
  const moviesKey = await optional('movies.csv', 'movieid,title,genres');
  const linksKey = await optional('links.csv', 'movieid,imdbid,tmdbid');
  const tagsKey = await optional('tags.csv', 'userid,movieid,tag,timestamp');

  await assertKeyspaceFree(db, dataset);
  // On AWS the stack's settings arrive in the environment: the EventBridge rule's input names only
  // the manifest.
  const deployed = ingestConfigFromEnv();
  const concurrency =
    request.chunkConcurrency ?? deployed.chunkConcurrency ?? DEFAULT_CHUNK_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new DatasetInvalidError('chunkConcurrency must be an integer in [1, 1000]');
  }
  const tableWriteUnits = request.tableWriteUnits ?? deployed.tableWriteUnits;
  let chunkBytes = request.chunkBytes ?? defaultChunkBytes(ratingsBytes);
  let chunkConcurrency = concurrency;
  let writeRatingsPerSecond = 0;
  let capacity: CapacitySwitch = { switch: false };
  try {
    if (tableWriteUnits !== undefined) {
      // Keyspaces: chunks small enough, and few enough at once, that each finishes well inside
      // its Lambda's timeout at its share of the tables' write rate (write-budget.ts); with a
      // capacity switch, at the provisioned WCU and at the on-demand rate the 24-hour rule may
      // keep instead (capacity-switch.ts). A request's own rate is an on-demand one.
      const provisioned =
        request.tableWriteUnits === undefined && deployed.capacity === 'provisioned';
      const plan = planLoad({
        ratingsBytes,
        concurrency,
        ...(request.chunkBytes ? { chunkBytes: request.chunkBytes } : {}),
        onDemandWriteUnits: provisioned ? NEW_TABLE_WRITE_UNITS_PER_SECOND : tableWriteUnits,
        ...(provisioned
          ? { provisioned: { writeUnits: tableWriteUnits, keyspace: db.keyspace } }
          : {}),
        now,
      });
      chunkBytes = plan.chunkBytes;
      chunkConcurrency = plan.chunkConcurrency;
      writeRatingsPerSecond = plan.writeRatingsPerSecond;
      capacity = plan.capacity;
    }
    checkChunkBytes(chunkBytes, ratingsBytes);
  } catch (error) {
    throw new DatasetInvalidError((error as Error).message);
  }
  const minRatingsPerMovie = request.minRatingsPerMovie ?? DEFAULT_MIN_RATINGS_PER_MOVIE;
  if (!Number.isInteger(minRatingsPerMovie) || minRatingsPerMovie < 0) {
    throw new DatasetInvalidError(`minRatingsPerMovie must be a non-negative integer`);
  }

  await s3.deleteByPrefix(`quarantine/${dataset}/`);
  await recordIngestionStart(db, {
    dataset,
    sourcePrefix: prefix,
    ratingsFormat,
    minRatingsPerMovie,
    quarantinePrefix: `quarantine/${dataset}/`,
    at: new Date(now),
  });
  return {
    dataset,
    prefix,
    ratingsKey,
    ratingsFormat,
    ratingsBytes,
    moviesKey,
    linksKey,
    tagsKey,
    chunkBytes,
    chunkConcurrency,
    writeRatingsPerSecond,
    capacity,
    // The other tables are never pre-warmed: on Keyspaces they take a new table's rate.
    bulkWriteUnitsPerSecond: tableWriteUnits !== undefined ? BULK_TABLE_WRITE_UNITS_PER_SECOND : 0,
    minRatingsPerMovie,
    writeTimeBase: writeTimeBase(now),
    startedAt: now,
  };
}

/**
 * File name → size. With a manifest, the files it lists (each must be there with the listed size:
 * a half-replaced upload fails here, not halfway through ingestion); without one, what is listed.
 */
async function objectSizes(s3: Stores['s3'], prefix: string): Promise<Map<string, number>> {
  const listed = new Map<string, number>();
  for await (const object of s3.listObjects(prefix)) {
    const name = object.key.slice(prefix.length);
    if (!name.includes('/')) listed.set(name, object.size);
  }
  if (!listed.has(MANIFEST_FILE)) return listed;
  const manifestKey = prefix + MANIFEST_FILE;
  let manifest;
  try {
    manifest = parseManifest(await s3.getText(manifestKey), manifestKey);
  } catch (error) {
    throw new DatasetInvalidError((error as Error).message);
  }
  const sizes = new Map<string, number>();
  for (const file of manifest.files) {
    const size = listed.get(file.name);
    if (size !== file.bytes) {
      throw new DatasetInvalidError(
        `${prefix}${file.name}: the manifest lists ${file.bytes} bytes, S3 has ${size ?? 'no object'}`,
      );
    }
    sizes.set(file.name, size);
  }
  return sizes;
}

function assertFirstRecordParses(head: string, format: RatingsFormat, key: string): void {
  const lines = head.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  const index = lines.findIndex((line) => line.trim() !== '');
  const record = parseRatingRecord(lines[index]!.split(FIELD_DELIMITER[format]), format, index + 1);
  if (record.kind === 'header') return;
  if (record.kind === 'bad') {
    throw new DatasetInvalidError(`${key}:${index + 1}: ${record.reason} in the first record`);
  }
}

async function assertKeyspaceFree(db: Stores['db'], dataset: string): Promise<void> {
  const others = (await datasetNames(db)).filter((n) => n !== dataset);
  if (others.length > 0) {
    throw new DatasetConflictError(
      `keyspace ${db.keyspace} already holds data set ${others.join(', ')}; ` +
        'ingest into another keyspace (RECSYS_KEYSPACE / --keyspace)',
    );
  }
}
