/** A month of serving: API requests, their Lambda and reads, and what the data set keeps stored. */
import { RATINGS_TABLES, TYPICAL_BYTES_PER_RATING } from '../ingest/write-budget.ts';
import { bundleBytes } from '../train/task-sizing.ts';
import type { Assumptions } from './assumptions.ts';
import type { CostModelInput } from './input.ts';
import { gbSeconds, line, phase, type PhaseEstimate } from './lines.ts';
import type { Prices } from './prices.ts';

/** A stored list is one row: its ids and scores (4 + 4 bytes an entry) plus the per-row overhead. */
function listBytes(entries: number, a: Assumptions): number {
  return entries * 8 + a.storageBytesPerRatingRow;
}

export function estimateServingMonth(
  input: CostModelInput,
  a: Assumptions,
  p: Prices,
): PhaseEstimate {
  const q = input.requestsPerMonth;
  const keyspacesGb =
    (input.ratings * RATINGS_TABLES.length * a.storageBytesPerRatingRow +
      input.users * listBytes(a.topN, a) +
      input.movies * listBytes(a.similarN, a)) /
    1e9;
  // The raters index (core/train/raters-index.ts) holds every rating again as a 4-byte user id
  // (plus 8 bytes of directory a movie): what replaced a by-movie ratings table.
  const ratersIndexBytes = input.ratings * 4 + input.movies * 8;
  const s3Gb =
    (input.ratings * TYPICAL_BYTES_PER_RATING + bundleBytes(input) + ratersIndexBytes) / 1e9;
  return phase(0, [
    line('API Gateway requests', q, 'requests', p.apiGatewayPerRequest),
    line('Lambda requests (API)', q, 'requests', p.lambdaPerRequest),
    line(
      'Lambda compute (API)',
      gbSeconds((q * a.servingLambdaMs) / 1000, a.apiMemoryMb),
      'GB-s',
      p.lambdaPerGbSecond,
    ),
    line('Keyspaces reads', q * a.rruPerRequest, 'RRU', p.keyspacesPerRru),
    line('Keyspaces storage (ratings + outputs)', keyspacesGb, 'GB-month', p.keyspacesPerGbMonth),
    line('S3 storage (CSV, model bundle, raters index)', s3Gb, 'GB-month', p.s3PerGbMonth),
  ]);
}
