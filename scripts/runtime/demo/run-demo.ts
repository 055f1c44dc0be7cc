import { join } from 'node:path';
import { CassandraStore, cassandraConfigFromEnv } from '../../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../../lambdas/adapters/s3.ts';
import { assertIdentifier } from '../../../lambdas/core/schema/render-cql.ts';
import { readDatasetStatus } from '../../../lambdas/services/datasets/registry.ts';
import { getModelRecord, readRankedList } from '../../../lambdas/services/models/registry.ts';
import { UserError } from '../user-error.ts';
import {
  ensureLocalServices,
  handlerEnvironment,
  prepareStorage,
  roundTo,
  type LocalServices,
} from '../local-pipeline.ts';
import { REPO_ROOT } from '../../../web/build/build-web.ts';
import { chooseDataset, type ChosenDataset } from './dataset-choice.ts';
import { assertPortFree, demoApiKey, startDemoServer } from './demo-server.ts';
import { DemoStateStore } from './demo-state.ts';
import { fingerprintDataset } from './fingerprint.ts';
import { DemoLifecycle } from './lifecycle.ts';
import { ingestStep, trainStep, type StepContext } from './pipeline-steps.ts';
import { formatSummary, rankingDescription, type DemoSummary } from './summary.ts';

export interface DemoOptions {
  readonly dir?: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly keyspace: string;
  /** False: run the pipeline, print the summary, stop what was started, exit. */
  readonly serve: boolean;
  readonly force: boolean;
  /** Print the summary as one JSON object on stdout instead of text. */
  readonly json: boolean;
}

export const DEMO_ROOT = join(REPO_ROOT, '.local', 'demo');

/** The keyspace other commands use by default: the demo resets its keyspace, so never that one. */
const SHARED_KEYSPACE = 'recsys';

/** Bucket names allow neither "_" nor upper case; one bucket per keyspace keeps demos apart. */
export function demoBucket(keyspace: string): string {
  const name = keyspace.startsWith('recsys') ? keyspace : `recsys-${keyspace}`;
  return name.replace(/_/g, '-').slice(0, 63).replace(/-+$/, '');
}

/** Wall seconds per stage of one run, in the order the stages ran. */
class StageClock {
  readonly started = performance.now();
  readonly seconds: Record<string, number> = {};
  readonly skipped: Record<string, string> = {};

  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await work();
    } finally {
      this.seconds[stage] = roundTo((performance.now() - t) / 1000, 2);
    }
  }

  record(stage: string, result: { seconds: number; skipped?: string }): void {
    this.seconds[stage] = roundTo(result.seconds, 2);
    if (result.skipped) this.skipped[stage] = result.skipped;
  }

  total(): number {
    return roundTo((performance.now() - this.started) / 1000, 2);
  }
}

/**
 * `npm run demo`: the whole pipeline on one data set, then the API and web UI until Ctrl-C. Every
 * step is the real one (`recsys ingest`/`train`/`serve`); what it adds is choosing the data set,
 * skipping steps whose inputs did not change, a summary, and stopping what it started.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const keyspace = checkKeyspace(options.keyspace);
  if (options.serve) await assertPortFree(options.host, options.port);
  const log = (line: string): void => void process.stderr.write(`demo: ${line}\n`);
  const clock = new StageClock();
  // Before any server starts, so a bad --dir is refused without side effects.
  const { dataset, fingerprint } = await clock.time('data set', async () => {
    const chosen = await chooseDataset({
      dir: options.dir,
      repoRoot: REPO_ROOT,
      generatedDir: join(DEMO_ROOT, 'generated-small'),
      log,
    });
    return { dataset: chosen, fingerprint: (await fingerprintDataset(chosen.dir)).sha256 };
  });
  log(`data set: ${dataset.name} from ${dataset.dir} (${dataset.source})`);
  const lifecycle = new DemoLifecycle(log);
  lifecycle.listen();
  try {
    const services = await clock.time('services', () => lifecycle.track(ensureLocalServices(log)));
    await pipelineAndServe({
      options,
      keyspace,
      dataset,
      fingerprint,
      services,
      lifecycle,
      clock,
      log,
    });
  } catch (error) {
    // A failed run stops what it started, as Ctrl-C would, before the error is reported.
    await lifecycle.shutdown();
    throw error;
  }
}

interface RunContext {
  readonly options: DemoOptions;
  readonly keyspace: string;
  readonly dataset: ChosenDataset;
  readonly fingerprint: string;
  readonly services: LocalServices;
  readonly lifecycle: DemoLifecycle;
  readonly clock: StageClock;
  readonly log: (line: string) => void;
}

async function pipelineAndServe(run: RunContext): Promise<void> {
  const { options, keyspace, dataset, services, lifecycle, clock, log } = run;
  const bucket = demoBucket(keyspace);
  const env = handlerEnvironment(services, { keyspace, bucket, logLevel: 'WARN' });
  const merged = { ...process.env, ...env };
  const db = new CassandraStore(cassandraConfigFromEnv(merged));
  const s3 = new S3Store(s3ConfigFromEnv(merged));
  lifecycle.onStop(async () => {
    s3.destroy();
    await db.shutdown();
  });
  await prepareStorage(env);

  const store = new DemoStateStore(DEMO_ROOT, keyspace);
  const ctx: StepContext = { keyspace, bucket, services, db, s3, store, force: options.force, log };
  const ingest = await ingestStep(ctx, dataset, run.fingerprint, await store.read());
  clock.record('ingest', ingest.result);
  const train = await trainStep(ctx, ingest.state);
  clock.record('train', train.result);
  const { model } = train.state;

  const status = await readDatasetStatus(db, dataset.name);
  const record = await getModelRecord(db, model!.modelId);
  const sampleUserId = await sampleUser(db, keyspace, model!.modelId);
  const counts = status?.counts ?? {};
  const summary = (server?: { url: string; apiKey: string }): DemoSummary => ({
    dataset: {
      name: dataset.name,
      dir: dataset.dir,
      source: dataset.source,
      ratings: counts.ratings ?? 0,
      movies: counts.movies ?? 0,
      users: counts.users ?? 0,
      tags: counts.tags ?? 0,
    },
    model: {
      modelId: model!.modelId,
      rmse: typeof record?.metrics.rmse === 'number' ? record.metrics.rmse : null,
      baselines: model!.baselines,
      ranking: rankingDescription(record?.params ?? {}, record?.metrics ?? {}),
    },
    seconds: clock.seconds,
    totalSeconds: clock.total(),
    skipped: clock.skipped,
    keyspace,
    url: server?.url ?? null,
    apiKey: server?.apiKey ?? null,
    sampleUserId,
    curl:
      server && sampleUserId !== null
        ? `curl -H 'x-api-key: ${server.apiKey}' '${server.url}/users/${sampleUserId}/recommendations?limit=5'`
        : null,
  });
  const print = (s: DemoSummary): void => {
    const stopping = `Ctrl-C stops the server${startedNote(services)}.`;
    console.log(options.json ? JSON.stringify(s) : formatSummary(s, stopping));
  };

  if (!options.serve) {
    print(summary());
    await lifecycle.stop(0);
    return;
  }
  const apiKey = await demoApiKey(DEMO_ROOT);
  const server = await clock.time('web + API', () =>
    startDemoServer({ env, port: options.port, host: options.host, apiKey, keyspace }),
  );
  lifecycle.onStop(() => server.close());
  lifecycle.serving = true;
  print(summary({ url: server.url, apiKey }));
}

function checkKeyspace(keyspace: string): string {
  try {
    assertIdentifier(keyspace);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  if (keyspace === SHARED_KEYSPACE) {
    throw new UserError(
      `the demo resets its keyspace when the data set changes; give it its own, not "${SHARED_KEYSPACE}"`,
    );
  }
  return keyspace;
}

function startedNote(services: LocalServices): string {
  const ours = [
    services.cassandra.startedByUs ? 'Cassandra' : undefined,
    services.s3.startedByUs ? 'S3' : undefined,
  ].filter(Boolean);
  return ours.length > 0 ? ` and ${ours.join(' + ')}, which this demo started` : '';
}

/**
 * A user with stored recommendations for the sample curl line: user 1 (MovieLens ids start there)
 * when it has some, else the first such user in token order.
 */
async function sampleUser(
  db: CassandraStore,
  keyspace: string,
  modelId: string,
): Promise<number | null> {
  const result = await db.execute(
    `SELECT DISTINCT user_id FROM ${keyspace}.ratings_by_user LIMIT 50`,
  );
  const ids = [1, ...result.rows.map((row) => Number(row.get('user_id')))];
  for (const id of ids) {
    if ((await readRankedList(db, 'recommendations', modelId, id, 1)).length > 0) return id;
  }
  return null;
}
