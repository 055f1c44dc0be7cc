/**
 * bench/results/summary.md (the README's benchmark tables) and als.svg, from whichever results
 * files exist: a table appears only for a step that has run, and says when and under what load.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChartSvg } from './chart.ts';
import { writePlanResults } from './plan-table.ts';
import { describeParams } from './ranking-report.ts';
import { table } from './markdown-table.ts';
import { scaleSection } from './scale-report.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function read(dir: string, file: string): Json | undefined {
  const path = join(dir, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Json) : undefined;
}

const n = (x: number, digits = 2) => x.toFixed(digits);
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function runLine(data: Json | undefined): string {
  const run = data?.run as Json | undefined;
  if (!run) return '';
  const m = run.machine as Json;
  const load = run.loadAverage as { before: number[]; after: number[] };
  return (
    `_${String(run.date).slice(0, 16).replace('T', ' ')} UTC, ${m.cpuModel} × ${m.cores} cores, ` +
    `Node ${m.node}, 1-min load ${load.before[0]} → ${load.after[0]}._\n`
  );
}

function peersSection(peers: Json, ingest: Json | undefined): string {
  const s = peers.settings as Json;
  const rows: (string | number)[][] = [];
  for (const r of peers.ours.runs as Json[])
    rows.push([`**ours** ALS, ${r.config}`, '1 thread', n(r.fitSeconds), n(r.rmse, 4)]);
  const spark = peers.spark as Json;
  rows.push([
    `Spark MLlib ALS ${spark.version} (no biases)`,
    String(spark.master),
    `${n(spark.fitSeconds)} (+${n(spark.startupSeconds, 1)} start-up)`,
    n(spark.rmse, 4),
  ]);
  for (const r of peers.surprise.runs as Json[]) {
    const p = r.params as Json;
    rows.push([
      `Surprise SVD ${peers.surprise.version}, ${r.config} (${p.n_factors} factors, ${p.n_epochs} epochs, reg ${p.reg_all})`,
      '1 thread',
      n(r.fitSeconds),
      n(r.rmse, 4),
    ]);
  }
  let out =
    `### Same data, same run: ours vs Spark MLlib vs Surprise\n\n${runLine(peers)}\n` +
    `ml-latest-small, ${int(peers.split.train)} training / ${int(peers.split.test)} test ratings ` +
    `(80/20 hash split exported to CSV so every system reads identical rows; test = rows whose user ` +
    `and movie are in train). Rank ${s.rank}, λ ${s.reg}, ${s.iterations} iterations, seed ${s.seed}.\n\n` +
    table(['system', 'cores', 'fit seconds', 'test RMSE'], rows) +
    '\n';
  const compared = ((ingest?.results as Json[] | undefined) ?? []).filter(
    (r) => r.cqlsh && r.vsCqlsh !== undefined,
  );
  if (compared.length > 0) {
    const load = (pair: unknown) => (Array.isArray(pair) ? `${pair[0]} → ${pair[1]}` : '–');
    out +=
      `\nIngestion of the same ratings.csv into the same tables (${writtenTables(compared)}) ` +
      `of the same local Cassandra, ours then cqlsh COPY, back to back:\n\n` +
      table(
        ['data set', 'loader', 'ratings/s', 'rows written/s', 'seconds', 'vs COPY', 'load'],
        compared.flatMap((r) => [
          [
            r.dataset,
            '**ours**: ingest state machine (chunk Lambdas in worker threads)',
            int(r.ratingsPerSecond),
            int(r.rowsWrittenPerSecond),
            n(r.chunkStageSeconds, 1),
            r.vsCqlsh === undefined ? '–' : `**${n(r.vsCqlsh, 2)}×**`,
            load(r.loadAverage),
          ],
          [
            r.dataset,
            '`cqlsh COPY FROM` (one command per table, defaults)',
            int(r.cqlsh.ratingsPerSecond),
            int(r.cqlsh.rowsWrittenPerSecond),
            n(r.cqlsh.byUserSeconds + r.cqlsh.byMovieSeconds, 1),
            '1×',
            load(r.cqlsh.loadAverage),
          ],
        ]),
      ) +
      '\n';
  }
  return out;
}

/** One block per order of the held-out users' ratings (scripts/bench/ranking.ts --orders). */
const ORDER_HEADINGS: Record<string, string> = {
  random: '#### Random order: a seeded 80 % of each held-out user’s ratings given',
  time: '#### Time order: the earliest 80 % given (by timestamp), the later positives to find',
};

function rankingSection(ranking: Json): string {
  const metrics = ['recall@20', 'recall@50', 'ndcg@10', 'ndcg@100', 'precision@10', 'coverage@10'];
  const seeds = ranking.protocol.seeds as number[];
  let out =
    `### Ranking for users the model has never seen: ours vs EASE vs implicit ALS vs popularity\n\n` +
    `${runLine(ranking)}\n` +
    `Held-out users (Liang et al. 2018's strong generalization): 20 % of the users with ≥ 5 ratings ≥ 4 ` +
    `are held out of training; each gives 80 % of their ratings, and the list of 100 (given movies ` +
    `excluded) is scored against their ratings ≥ 4 among the rest. EASE's and implicit's ` +
    `hyper-parameters are chosen on validation users held out of the training users ` +
    `(${ranking.protocol.selectOn}), then refitted on all training users; ours runs its defaults. ` +
    `Every list is scored by the same code (heldOutMetrics); one thread each. ` +
    (seeds.length > 1 ? `Mean over split seeds ${seeds.join(', ')}.` : `Split seed ${seeds[0]}.`) +
    '\n';
  // Reports from before the time order have no `order`: their splits were all random.
  const orderOf = (d: Json) => (d.order as string | undefined) ?? 'random';
  const datasets = ranking.datasets as Json[];
  const orders = [...new Set(datasets.map(orderOf))];
  const byOrder = orders.flatMap((order) => datasets.filter((d) => orderOf(d) === order));
  let lastOrder: string | undefined;
  for (const d of byOrder) {
    const order = orderOf(d);
    if (order !== lastOrder) {
      out += `\n${ORDER_HEADINGS[order] ?? `#### Order ${order}`}\n`;
      lastOrder = order;
    }
    const rows = (d.mean as Json[]).map((m) => [
      m.system === 'ours' ? '**ours**' : m.system,
      ...metrics.map((k) => n(m.metrics[k], 3)),
      int(m.metrics.users),
      n(m.fitSeconds, 1),
      (m.params as Json[]).map((p) => describeParams(m.system, p)).join(' / '),
    ]);
    out +=
      `\n**${d.dataset}** (${int(d.ratings)} ratings)\n\n` +
      table(['system', ...metrics, 'users', 'fit s', 'chosen params'], rows) +
      '\n';
    if (seeds.length > 1) {
      const perSeed = (d.seeds as Json[]).flatMap((s) =>
        (s.systems as Json[]).map((r) => [
          r.system,
          s.seed,
          ...metrics.map((k) => n(r.metrics[k], 3)),
          n(r.fitSeconds, 1),
        ]),
      );
      out += '\n' + table(['system', 'seed', ...metrics, 'fit s'], perSeed) + '\n';
    }
  }
  return out;
}

function alsSection(als: Json, dir: string): string {
  const rows = (als.results as Json[]).map((r) => [
    r.dataset,
    int(r.ratings),
    r.rank,
    n(r.meanSecondsPerIteration, 3),
    n(r.gflopsPerCore),
    r.peakRssMiB,
  ]);
  const datasets = [...new Set((als.results as Json[]).map((r) => r.dataset as string))];
  const series = (y: (r: Json) => number) =>
    datasets.map((d) => ({
      label: d,
      points: (als.results as Json[])
        .filter((r) => r.dataset === d)
        .map((r) => ({ x: r.rank as number, y: y(r) })),
    }));
  writeFileSync(
    join(dir, 'als.svg'),
    lineChartSvg(
      'ALS (one thread, Cholesky solves, biases): time and arithmetic rate vs rank',
      `${als.cpu} × ${als.cores} cores; ${String(als.generatedAt).slice(0, 10)}`,
      [
        {
          title: 'seconds per iteration',
          xLabel: 'rank',
          yLabel: 's / iteration',
          series: series((r) => r.meanSecondsPerIteration),
        },
        {
          title: 'GFLOP/s per core',
          xLabel: 'rank',
          yLabel: 'GFLOP/s',
          series: series((r) => r.gflopsPerCore),
        },
      ],
    ),
  );
  return (
    `### ALS per iteration (one thread)\n\n${runLine(als)}\n` +
    table(['data set', 'ratings', 'rank', 's/iteration', 'GFLOP/s per core', 'peak MiB'], rows) +
    '\n\n![ALS vs rank](als.svg)\n'
  );
}

function scalingSection(dir: string): string {
  const files = readdirSync(dir).filter((f) => /^als-scaling-\d+cores\.json$/.test(f));
  if (files.length === 0) return '';
  const rows: (string | number)[][] = [];
  for (const f of files) {
    const d = read(dir, f)!;
    for (const r of d.results as Json[])
      rows.push([
        `${d.machine.cpu} × ${d.machine.cores}`,
        int(d.params.ratings),
        d.params.rank,
        r.workers,
        n(r.meanSeconds, 3),
        n(r.speedup),
        n(r.efficiency),
      ]);
  }
  return (
    `### Multi-core scaling of one ALS iteration (worker threads = Lambdas)\n\n` +
    table(
      ['machine', 'ratings', 'rank', 'workers', 's/iteration', 'speed-up', 'efficiency'],
      rows,
    ) +
    '\n\n' +
    files.map((f) => `![${f}](${f.replace('.json', '.svg')})`).join(' ') +
    '\n'
  );
}

function trainSection(train: Json): string {
  const rows: (string | number)[][] = [];
  for (const s of train.sessions as Json[]) {
    const best = new Map<string, Json>();
    for (const r of (s.runs as Json[]).filter((x) => x.sweep === 'concurrency')) {
      const key = `${r.dataset}|${r.concurrency}`;
      if (!best.has(key) || r.medianSecondsPerIteration < best.get(key)!.medianSecondsPerIteration)
        best.set(key, r);
    }
    for (const r of best.values())
      rows.push([
        `${s.machine.cpuModel} × ${s.machine.cores}`,
        r.dataset,
        r.blocks,
        r.concurrency,
        n(r.medianSecondsPerIteration, 3),
        n(r.wallSeconds, 1),
        `${r.loadBefore} → ${r.loadAfter}`,
      ]);
  }
  return (
    `### Training through the train state machine (Map concurrency)\n\n${runLine(train)}\n` +
    table(
      ['machine', 'data set', 'blocks', 'concurrency', 'median s/iteration', 'wall s', 'load'],
      rows,
    ) +
    '\n\n![train scaling](train-scaling.svg)\n'
  );
}

/**
 * Which tables the measured runs wrote: the results name them (`tables`); rows measured before
 * they did are described by their rows per rating, which is what they wrote.
 */
function writtenTables(results: readonly Json[]): string {
  const names = new Set(
    results.map((r) =>
      Array.isArray(r.tables)
        ? (r.tables as string[]).join(', ')
        : `${Math.round(Number(r.rowsWrittenPerSecond) / Number(r.ratingsPerSecond))} rows per rating, an earlier table set`,
    ),
  );
  return [...names].join('; ');
}

function ingestSection(ingest: Json): string {
  const rows = (ingest.results as Json[]).map((r) => [
    r.dataset,
    int(r.ratings),
    int(r.ratingsPerSecond),
    r.cqlsh ? int(r.cqlsh.ratingsPerSecond) : '–',
    r.vsCqlsh === undefined ? '–' : `${n(r.vsCqlsh, 2)}×`,
    n(r.totalSeconds, 1),
    `${r.loadAverage[0]} → ${r.loadAverage[1]}`,
    r.measuredAt ? String(r.measuredAt).slice(0, 10) : 'earlier run',
  ]);
  return (
    `### Ingestion (ingest state machine → Cassandra: ${writtenTables(ingest.results as Json[])})\n\n${runLine(ingest)}\n` +
    table(
      [
        'data set',
        'ratings',
        'ours ratings/s',
        'cqlsh COPY ratings/s',
        'ours / COPY',
        'total s',
        'load',
        'measured',
      ],
      rows,
    ) +
    '\n'
  );
}

function apiSection(api: Json): string {
  const rows = (api.scenarios as Json[]).map((s) => [
    s.scenario,
    int(s.requestsPerSecond),
    s.latencyMs.p50,
    s.latencyMs.p99,
  ]);
  return (
    `### API (recsys serve, ${api.setup.connections} connections)\n\n${runLine(api)}\n` +
    table(['request', 'req/s', 'p50 ms', 'p99 ms'], rows) +
    '\n'
  );
}

function coldItemsSection(cold: Json): string {
  const keeps = cold.byKeep as Record<string, Json>;
  const none = keeps['0'];
  if (!none) return '';
  const systems = Object.keys(none.mean as Json).filter((s) => !s.includes(', λ'));
  const seeds = (none.seeds as Json[]).map((s) => s.seed).join(', ');
  let out =
    `### Cold movies: Recall@20 from content alone\n\n${runLine(cold)}\n` +
    `10 % of ml-latest-small's movies held out with all their ratings (split seeds ${seeds}); each ` +
    `user who rated one ≥ 4 ranks every held-out movie. Mean over the seeds.\n\n` +
    table(
      ['system', 'Recall@20', 'NDCG@20'],
      systems.map((s) => [
        s,
        n((none.mean as Json)[s].recall, 3),
        n((none.mean as Json)[s].ndcg, 3),
      ]),
    ) +
    '\n';
  const kept = Object.keys(keeps).filter((k) => k !== '0');
  if (kept.length > 0) {
    const cols = ['content → factors', 'own factors', 'mix, own weight 0.5'];
    out +=
      '\nWith n ratings of each held-out movie kept in training (Recall@20):\n\n' +
      table(
        ['n', ...cols],
        kept.map((k) => {
          const mean = keeps[k]!.mean as Json;
          const own = Object.keys(mean).find((s) => s.startsWith('own factors'))!;
          return [
            k,
            n(mean['content → factors'].recall, 3),
            n(mean[own].recall, 3),
            n(mean['mix, own weight 0.5']?.recall ?? NaN, 3),
          ];
        }),
      ) +
      '\n';
  }
  return out;
}

/** Writes summary.md (and als.svg) into dir; returns the summary's path. */
export function writeSummary(dir: string): string {
  const peers = read(dir, 'peers.json');
  const ingest = read(dir, 'ingest.json');
  const als = read(dir, 'als.json');
  const train = read(dir, 'train.json');
  const api = read(dir, 'api.json');
  const ranking = read(dir, 'ranking.json');
  const cold = read(dir, 'cold-items.json');
  const scale = read(dir, 'scale.json');
  const parts = [
    '## Benchmarks\n\nReproduce: `npm run bench -- --peers` (10–20 minutes on 2 cores; ' +
      'figures in bench/results/*.json). Every figure records its machine and load average; ' +
      'on a shared machine they are lower bounds.\n',
    peers ? peersSection(peers, ingest) : '',
    ranking ? rankingSection(ranking) : '',
    cold ? coldItemsSection(cold) : '',
    als ? alsSection(als, dir) : '',
    scalingSection(dir),
    train ? trainSection(train) : '',
    ingest ? ingestSection(ingest) : '',
    api ? apiSection(api) : '',
    scale ? scaleSection(scale, runLine(scale)) : '',
    als ? writePlanResults(dir) : '',
  ].filter(Boolean);
  const path = join(dir, 'summary.md');
  writeFileSync(path, parts.join('\n'));
  return path;
}
