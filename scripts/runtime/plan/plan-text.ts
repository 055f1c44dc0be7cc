/**
 * The text `recsys plan` prints (and the README's plan table borrows): money, quantities, durations,
 * a priced phase as a table, the block count and the ingest setting in words and as deploy flags.
 */
import type { IngestSetting, PhaseEstimate } from '../../../lambdas/core/cost/index.ts';
import { NEW_TABLE_WRITE_UNITS_PER_SECOND } from '../../../lambdas/core/ingest/write-budget.ts';
import {
  TARGET_TASK_SECONDS,
  TASK_SECONDS_BUDGET,
  type BlockCount,
} from '../../../lambdas/core/train/block-count.ts';

/** The context parameters that deploy an ingest setting. */
export function ingestSettingFlags(setting: IngestSetting): string {
  const units = `-c ingestWriteUnits=${setting.writeUnits}`;
  return setting.capacity === 'provisioned'
    ? `-c ingestCapacity=provisioned ${units}`
    : setting.writeUnits === NEW_TABLE_WRITE_UNITS_PER_SECOND
      ? 'the default'
      : units;
}

export function describeIngestSetting(setting: IngestSetting): string {
  const units = setting.writeUnits.toLocaleString('en-US');
  if (setting.capacity === 'provisioned') {
    return `provisioned ${units} WCU per ratings table, switched by the ingest around its chunk Map`;
  }
  return setting.writeUnits === NEW_TABLE_WRITE_UNITS_PER_SECOND
    ? `on-demand, new tables (${units} WRU/s each)`
    : `on-demand, pre-warmed to ${units} WRU/s each`;
}

/** Per-unit prices are tiny: per million units reads better. */
export const unitPrice = (x: number) => (x < 0.01 ? `$${+(x * 1e6).toPrecision(4)}/M` : `$${x}`);
export const money = (x: number) => (x < 0.01 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`);
export const qty = (x: number) =>
  x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3).replace(/\.?0+$/, '');

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function phaseLines(title: string, estimate: PhaseEstimate): string[] {
  const wall = estimate.wallSeconds > 0 ? `, wall ≈ ${formatDuration(estimate.wallSeconds)}` : '';
  return [
    `${title}: ${money(estimate.dollars)}${wall}`,
    ...estimate.lines.map(
      (l) =>
        `  ${l.item.padEnd(66)} ${qty(l.quantity).padStart(14)} ${l.unit.padEnd(11)} × ${unitPrice(l.unitPrice).padEnd(12)} = ${money(l.dollars)}`,
    ),
  ];
}

export function blockLine(
  choice: BlockCount,
  asked: number | undefined,
  concurrency: number,
): string {
  const how =
    asked !== undefined
      ? `--blocks ${asked} (the data size would choose ${choice.blocks})`
      : `${choice.blocks}, chosen from the data size as the train Plan step chooses: fewest at which every per-block task fits its Lambda (${choice.fewestBlocks}), spread towards concurrency ${concurrency} while a task computes > ${TARGET_TASK_SECONDS} s`;
  return `Blocks: ${how}; ${choice.fits ? `every task fits (memory, ≤ ${TASK_SECONDS_BUDGET} s)` : `DOES NOT FIT at any block count: ${choice.misfits.join('; ')}`}`;
}
