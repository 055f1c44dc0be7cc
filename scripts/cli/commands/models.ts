import type { Command } from 'commander';
import {
  activateModel,
  activeModelId,
  listModels,
  type ModelRecord,
} from '../../../lambdas/services/models/registry.ts';
import { action, UserError } from '../lib/cli-support.ts';
import { withKeyspaceStore } from '../lib/keyspace-store.ts';

/** `rank 20 reg 0.15` of one of the two models' params ('?' where the row has none). */
function headSummary(params: unknown): string {
  const head = (params ?? {}) as { rank?: unknown; reg?: unknown };
  return `rank ${String(head.rank ?? '?')} reg ${String(head.reg ?? '?')}`;
}

function describeModel(model: ModelRecord, active: boolean): string {
  const rmse = model.metrics.rmse;
  const params = model.params;
  return [
    active ? '*' : ' ',
    model.modelId.padEnd(30),
    model.status.padEnd(8),
    model.createdAt.toISOString().slice(0, 19),
    typeof rmse === 'number' ? `rmse ${rmse.toFixed(4)}` : 'rmse –     ',
    `rating ${headSummary(params.rating)}`,
    `ranking ${headSummary(params.ranking)}`,
    model.dataset,
  ].join('  ');
}

export function registerModelsCommands(program: Command): void {
  const models = program
    .command('models')
    .description('model versions in Cassandra: list them, switch the one that serves');
  models
    .command('list')
    .description('every model, newest first; * marks the active one')
    .option('--json', 'print one JSON object')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .action(
      action(async (opts: { json?: boolean; keyspace?: string }) => {
        await withKeyspaceStore(opts.keyspace, async (db) => {
          const [all, active] = await Promise.all([listModels(db), activeModelId(db)]).catch(
            (error: Error) => {
              throw new UserError(
                `cannot read models in keyspace ${db.keyspace}: ${error.message}`,
              );
            },
          );
          if (opts.json) {
            console.log(JSON.stringify({ active: active ?? null, models: all }));
            return;
          }
          if (all.length === 0)
            console.log(`no models in keyspace ${db.keyspace}; run recsys train`);
          for (const model of all) console.log(describeModel(model, model.modelId === active));
        });
      }),
    );
  models
    .command('activate')
    .description('make a ready model the one that serves (rollback included)')
    .argument('<id>', 'model id (see models list)')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .action(
      action(async (id: string, opts: { keyspace?: string }) => {
        await withKeyspaceStore(opts.keyspace, async (db) => {
          try {
            await activateModel(db, id);
          } catch (error) {
            throw new UserError((error as Error).message);
          }
          console.log(JSON.stringify({ active: id }));
        });
      }),
    );
}
