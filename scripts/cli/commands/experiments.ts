import type { Command } from 'commander';
import type { CassandraStore } from '../../../lambdas/adapters/cassandra.ts';
import type { ExperimentReport } from '../../../lambdas/core/experiments/report.ts';
import type { Difference, Proportion } from '../../../lambdas/core/experiments/intervals.ts';
import { loadCatalogue } from '../../../lambdas/services/api/catalogue-loader.ts';
import {
  ExperimentError,
  startExperiment,
  stopExperiment,
} from '../../../lambdas/services/experiments/registry.ts';
import { readExperimentReport } from '../../../lambdas/services/experiments/report.ts';
import { action, numberOption, UserError } from '../lib/cli-support.ts';
import { withKeyspaceStore } from '../lib/keyspace-store.ts';

/** A refused request is the operator's to fix: one line, no stack. */
async function withDb<T>(
  keyspace: string | undefined,
  work: (db: CassandraStore) => Promise<T>,
): Promise<T> {
  try {
    return await withKeyspaceStore(keyspace, work);
  } catch (error) {
    if (error instanceof ExperimentError) throw new UserError(error.message);
    throw error;
  }
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

function proportion(p: Proportion): string {
  if (p.value === null) return 'no users';
  return `${percent(p.value)} [${percent(p.low)}, ${percent(p.high)}] (${p.successes}/${p.trials})`;
}

function diff(d: Difference): string {
  if (d.value === null) return 'not measurable yet';
  const sign = (x: number) => (x >= 0 ? '+' : '') + (x * 100).toFixed(1);
  return `${sign(d.value)} points [${sign(d.low)}, ${sign(d.high)}]${d.significant ? ' significant' : ' not significant'}`;
}

function printReport(report: ExperimentReport): void {
  for (const arm of report.arms) {
    console.log(
      `${arm.arm.padEnd(9)} ${arm.modelId}: ${arm.users} users, ${arm.lists} lists, ` +
        `coverage@${report.k} ${percent(arm.coverage)}`,
    );
    console.log(`  hit rate@${report.k}  ${proportion(arm.hitRate)}`);
    console.log(`  click-through ${proportion(arm.clickThrough)}`);
  }
  console.log(`candidate − control, 95 % interval (Newcombe):`);
  console.log(`  hit rate@${report.k}  ${diff(report.difference.hitRate)}`);
  console.log(`  click-through ${diff(report.difference.clickThrough)}`);
}

export function registerExperimentsCommands(program: Command): void {
  const experiments = program
    .command('experiments')
    .description('A/B experiments between the active model and a candidate model');
  experiments
    .command('start')
    .description('split users between the active model (control) and a candidate by a stable hash')
    .requiredOption('--candidate <id>', 'a ready model (see models list)')
    .option(
      '--share <fraction>',
      "the candidate's share of users, in (0, 1)",
      numberOption(0, 1),
      0.5,
    )
    .option('--name <name>', 'experiment name (default exp-<start time>)')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .action(
      action(
        async (opts: { candidate: string; share: number; name?: string; keyspace?: string }) => {
          await withDb(opts.keyspace, async (db) => {
            const record = await startExperiment(db, opts);
            console.log(JSON.stringify(record));
          });
        },
      ),
    );
  experiments
    .command('report')
    .description('hit rate@10, click-through and coverage per arm with 95 % intervals')
    .option('--name <name>', 'experiment (default: the newest)')
    .option('--json', 'print one JSON object')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .action(
      action(async (opts: { name?: string; json?: boolean; keyspace?: string }) => {
        await withDb(opts.keyspace, async (db) => {
          const { experiment, report } = await readExperimentReport(
            db,
            async () => (await loadCatalogue(db)).length,
            opts.name,
          );
          if (opts.json) {
            console.log(JSON.stringify({ experiment, report }));
            return;
          }
          const state = experiment.stoppedAt
            ? `stopped ${experiment.stoppedAt.toISOString()}`
            : 'running';
          console.log(
            `experiment ${experiment.name} (share ${experiment.share}, ${state}, ` +
              `started ${experiment.startedAt.toISOString()})`,
          );
          printReport(report);
        });
      }),
    );
  experiments
    .command('stop')
    .description('stop the running experiment; --promote activates the candidate')
    .option('--promote', 'make the candidate the active model (atomically, one write)')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .action(
      action(async (opts: { promote?: boolean; keyspace?: string }) => {
        await withDb(opts.keyspace, async (db) => {
          const record = await stopExperiment(db, { promote: opts.promote === true });
          console.log(JSON.stringify(record));
        });
      }),
    );
}
