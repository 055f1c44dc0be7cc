import { S3Store, s3ConfigFromEnv } from '../../../lambdas/adapters/s3.ts';
import { replayRequestProblems, type Estimate } from '../../../lambdas/core/experiments/replay.ts';
import { loadCatalogue } from '../../../lambdas/services/api/catalogue-loader.ts';
import { ExperimentError } from '../../../lambdas/services/experiments/registry.ts';
import { readReplay } from '../../../lambdas/services/experiments/replay.ts';
import { UserError } from '../lib/cli-support.ts';
import { withKeyspaceStore } from '../lib/keyspace-store.ts';

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
const interval = (e: Estimate) =>
  e.value === null
    ? 'not measurable'
    : `${percent(e.value)} [${percent(e.low)}, ${percent(e.high)}]`;

/**
 * `recsys evaluate --replay --model ID [--days N]`: the candidate's hit rate@10 estimated off-policy
 * from the recorded lists and their feedback (services/experiments/replay.ts). A summary on stderr,
 * one JSON object on the last stdout line, as every `evaluate` prints.
 */
export async function evaluateReplay(opts: {
  model?: string;
  days: number;
  keyspace?: string;
  seed: number;
}): Promise<void> {
  const problems = replayRequestProblems({ model: opts.model, days: opts.days });
  if (problems.length > 0) throw new UserError(problems.join('; '));
  const s3 = new S3Store(s3ConfigFromEnv());
  try {
    const report = await withKeyspaceStore(opts.keyspace, (db) =>
      readReplay(db, s3, () => loadCatalogue(db), {
        modelId: opts.model!,
        days: opts.days,
        seed: opts.seed,
      }),
    );
    const { estimate } = report;
    if (estimate.lists === 0) {
      throw new UserError(
        `no recorded list in the last ${opts.days} day(s) can be replayed ` +
          `(${report.loggedLists} with a user, ${report.skippedLists} whose user the model knows nothing of)`,
      );
    }
    if (estimate.candidate.value === null) {
      throw new UserError(
        `no recorded list shows a movie of model ${report.modelId}'s lists: nothing to replay`,
      );
    }
    const log = (line: string) => process.stderr.write(`${line}\n`);
    log(
      `replay of ${report.modelId} on ${estimate.lists} lists of ${estimate.users} users ` +
        `(last ${report.days} day(s); ${report.skippedLists} skipped), ` +
        `${percent(estimate.matchedShare)} of its slots observed`,
    );
    log(`  candidate hit rate@${estimate.k} ${interval(estimate.candidate)}`);
    log(`  logged    hit rate@${estimate.k} ${interval(estimate.logged)}`);
    const d = estimate.difference;
    const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
    log(
      `  candidate − logged ${points(d.value!)} points [${points(d.low)}, ${points(d.high)}]` +
        (estimate.difference.significant ? ' significant' : ' not significant'),
    );
    console.log(JSON.stringify({ replay: true, ...report }));
  } catch (error) {
    if (error instanceof ExperimentError) throw new UserError(error.message);
    throw error;
  } finally {
    s3.destroy();
  }
}
