import { parse } from 'csv-parse/sync';
import type { BadRowReason } from '../formats/ratings-format.ts';

/**
 * Rejected rows are written as csv, one file per chunk: `line,reason,record`, with the record as it
 * was in the file (fields re-joined with the file's delimiter). Chunks only know their own line
 * numbers, so they write chunk-relative lines and the aggregate step renumbers them once every
 * chunk's line count is known.
 */

export const QUARANTINE_HEADER = 'line,reason,record';

export interface QuarantinedRow {
  readonly line: number;
  readonly reason: BadRowReason | string;
  readonly record: string;
}

export type RejectCounts = Record<string, number>;

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function formatQuarantineCsv(rows: readonly QuarantinedRow[]): string {
  const lines = rows.map((r) => `${r.line},${csvField(r.reason)},${csvField(r.record)}`);
  return [QUARANTINE_HEADER, ...lines].join('\n') + '\n';
}

export function parseQuarantineCsv(text: string): QuarantinedRow[] {
  const records = parse(text, { from_line: 2, relax_column_count: false }) as string[][];
  return records.map(([line, reason, record]) => ({
    line: Number(line),
    reason: reason ?? '',
    record: record ?? '',
  }));
}

/** Chunk-relative line numbers (1 = the chunk's first line) → line numbers in the whole file. */
export function renumberQuarantine(text: string, firstLineOfChunk: number): string {
  const rows = parseQuarantineCsv(text).map((row) => ({
    ...row,
    line: row.line + firstLineOfChunk - 1,
  }));
  return formatQuarantineCsv(rows);
}

/** The first line number of each chunk, from the line counts of the chunks in file order. */
export function firstLines(lineCounts: readonly number[]): number[] {
  let next = 1;
  return lineCounts.map((count) => {
    const first = next;
    next += count;
    return first;
  });
}

export function addCounts(total: RejectCounts, more: Readonly<RejectCounts>): RejectCounts {
  for (const [reason, n] of Object.entries(more)) total[reason] = (total[reason] ?? 0) + n;
  return total;
}

export function quarantineKey(dataset: string, chunkIndex: number): string {
  return `quarantine/${dataset}/${String(chunkIndex).padStart(5, '0')}.csv`;
}

/** Where a chunk writes before renumbering; kept so that a re-run of the aggregate step is exact. */
export function stagedQuarantineKey(dataset: string, chunkIndex: number): string {
  return `quarantine/${dataset}/staged/${String(chunkIndex).padStart(5, '0')}.csv`;
}
