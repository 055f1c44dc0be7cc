import { api } from '../api.ts';
import { errorBox, h, replace } from '../dom.ts';

interface Stats {
  dataset: string;
  counts: Record<string, number>;
  charts: Record<string, unknown>;
}

interface ModelRecord {
  modelId: string;
  createdAt: string;
  active: boolean;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

interface OnlineModel {
  modelId: string;
  lists: number;
  users: number;
  hitRate: number;
  clickThrough: number;
  coverage: number;
  clicks: number;
  impressions: number;
}

interface OnlineMetrics {
  days: number;
  k: number;
  sampleRate: number;
  activeModelId: string | null;
  events: number;
  models: OnlineModel[];
}

type Charts = typeof import('../charts.ts');

/** The old project's exploratory charts, training curves and the time-vs-concurrency benchmark. */
export async function analyticsView(root: HTMLElement): Promise<void> {
  replace(root, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const [stats, models, online, bench, charts] = await Promise.all([
      api<Stats>('/stats'),
      api<{ items: ModelRecord[] }>('/models'),
      // Optional: an API without the feedback routes still shows the rest of the page.
      api<OnlineMetrics>('/metrics/online?days=7').catch(() => null),
      fetch('/bench/train.json')
        .then((r) => (r.ok ? (r.json() as Promise<unknown>) : null))
        .catch(() => null),
      import('../charts.ts'),
    ]);
    const grid = h('div', { class: 'grid charts', 'data-testid': 'analytics' });
    replace(
      root,
      h(
        'section',
        { class: 'panel wide' },
        h('h2', {}, `Data set ${stats.dataset}`),
        h(
          'div',
          { class: 'cards' },
          ...['ratings', 'movies', 'users', 'tags'].map((name) =>
            h(
              'div',
              { class: 'card' },
              h('strong', {}, (stats.counts[name] ?? 0).toLocaleString()),
              h('span', {}, name),
            ),
          ),
        ),
      ),
      online ? onlinePanel(online) : null,
      grid,
      modelsTable(models.items),
    );
    drawDatasetCharts(grid, stats.charts, charts);
    const active = models.items.find((m) => m.active) ?? models.items[0];
    if (active) drawTrainingCurve(grid, active, charts);
    if (bench) drawConcurrency(grid, bench, charts);
  } catch (error) {
    replace(root, errorBox(error));
  }
}

function chartPanel(grid: HTMLElement, title: string, note?: string): HTMLCanvasElement {
  const canvas = h('canvas', {});
  grid.append(
    h(
      'section',
      { class: 'panel chart', 'data-testid': 'chart' },
      h('h3', {}, title),
      note ? h('p', { class: 'muted small' }, note) : null,
      h('div', { class: 'canvas-box' }, canvas),
    ),
  );
  return canvas;
}

interface Bins {
  bins?: { label: string; movies: number }[];
}
interface Points<T> {
  total?: number;
  points?: T[];
}

function drawDatasetCharts(grid: HTMLElement, data: Record<string, unknown>, c: Charts): void {
  /** A bar chart of a report's `bins` (movies per bin), when the report has it. */
  const binChart = (key: string, title: string): void => {
    const report = data[key] as Bins | undefined;
    if (!report?.bins) return;
    c.barChart(
      chartPanel(grid, title),
      report.bins.map((b) => b.label),
      report.bins.map((b) => b.movies),
      'movies',
    );
  };
  /** A scatter of a report's sampled points against their mean rating (points without one left out). */
  const meanScatter = <T extends { mean: number | null }>(
    key: string,
    title: string,
    x: (point: T) => number,
    axes: { x: string; y: string; xLog?: boolean },
  ): void => {
    const report = data[key] as Points<T> | undefined;
    if (!report?.points) return;
    c.scatterChart(
      chartPanel(grid, title, sampleNote(report)),
      report.points.filter((p) => p.mean !== null).map((p) => ({ x: x(p), y: p.mean! })),
      axes,
    );
  };
  type CountAndMean = { count: number; mean: number | null };

  binChart('movies_per_rating_count', 'Movies by number of ratings');
  meanScatter<CountAndMean>(
    'movie_rating_count_vs_mean',
    'Movies: rating count vs average rating',
    (p) => p.count,
    { x: 'ratings (log)', y: 'average rating', xLog: true },
  );
  meanScatter<CountAndMean>(
    'user_rating_count_vs_mean',
    'Users: rating count vs average rating',
    (p) => p.count,
    { x: 'ratings by the user (log)', y: 'average rating given', xLog: true },
  );
  binChart('tags_per_movie', 'Tags per movie');
  meanScatter<{ tags: number; mean: number | null }>(
    'mean_rating_vs_tag_count',
    'Average rating vs tag count',
    (p) => p.tags,
    { x: 'tags', y: 'average rating' },
  );
  const genres = data.genre_counts as { genres?: { genre: string; movies: number }[] } | undefined;
  if (genres?.genres) {
    c.barChart(
      chartPanel(grid, 'Movies per genre'),
      genres.genres.map((g) => g.genre),
      genres.genres.map((g) => g.movies),
      'movies',
      true,
    );
  }
  const values = data.rating_values as { values?: { rating: number; count: number }[] } | undefined;
  if (values?.values) {
    c.barChart(
      chartPanel(grid, 'Ratings by star value'),
      values.values.map((v) => String(v.rating)),
      values.values.map((v) => v.count),
      'ratings',
    );
  }
}

function sampleNote(points: Points<unknown>): string | undefined {
  const shown = points.points?.length ?? 0;
  return points.total && points.total > shown
    ? `${shown.toLocaleString()} of ${points.total.toLocaleString()} shown (fixed sample)`
    : undefined;
}

/** First array of per-iteration records in the model's metrics, wherever training put it. */
function iterationRecords(metrics: Record<string, unknown>): Record<string, unknown>[] {
  for (const value of Object.values(metrics)) {
    if (
      Array.isArray(value) &&
      value.length > 0 &&
      typeof value[0] === 'object' &&
      value[0] !== null &&
      'iteration' in value[0]
    ) {
      return value as Record<string, unknown>[];
    }
  }
  return [];
}

/**
 * The model's per-iteration record: error metrics (RMSE and the like) when training recorded them,
 * otherwise the seconds each iteration took (implicit models have no rating RMSE to track).
 */
function drawTrainingCurve(grid: HTMLElement, model: ModelRecord, c: Charts): void {
  const records = iterationRecords(model.metrics);
  if (records.length === 0) return;
  const numeric = [...new Set(records.flatMap((r) => Object.keys(r)))].filter(
    (k) => k !== 'iteration' && records.some((r) => typeof r[k] === 'number'),
  );
  const quality = numeric.filter((k) => /rmse|mae|loss|precision|ndcg/i.test(k));
  const keys = quality.length > 0 ? quality : numeric.filter((k) => /seconds/i.test(k));
  if (keys.length === 0) return;
  const rmse = quality.some((k) => /rmse/i.test(k));
  c.lineChart(
    chartPanel(
      grid,
      `Training: ${rmse ? 'RMSE' : quality.length > 0 ? 'metrics' : 'seconds'} per iteration (${model.modelId})`,
    ),
    records.map((r) => Number(r.iteration)),
    keys.map((k) => ({
      label: k,
      values: records.map((r) => (typeof r[k] === 'number' ? (r[k] as number) : null)),
    })),
    { x: 'iteration', y: rmse ? 'RMSE' : quality.length > 0 ? 'value' : 'seconds' },
  );
}

/** bench/results/train.json: any list of runs with a concurrency-like and a seconds-like field. */
function drawConcurrency(grid: HTMLElement, bench: unknown, c: Charts): void {
  const runs = findRuns(bench);
  if (runs.length === 0) return;
  const sample = runs[0]!;
  const xKey = ['concurrency', 'workers', 'lambdas', 'nodes', 'maxConcurrency'].find(
    (k) => typeof sample[k] === 'number',
  );
  const yKey = ['seconds', 'wallSeconds', 'totalSeconds', 'time'].find(
    (k) => typeof sample[k] === 'number',
  );
  if (!xKey || !yKey) return;
  const sorted = [...runs].sort((a, b) => (a[xKey] as number) - (b[xKey] as number));
  c.lineChart(
    chartPanel(
      grid,
      'Training time vs concurrency',
      'The old project charted Spark time against cluster nodes.',
    ),
    sorted.map((r) => r[xKey] as number),
    [{ label: yKey, values: sorted.map((r) => r[yKey] as number) }],
    { x: xKey, y: 'seconds' },
  );
}

function findRuns(value: unknown, depth = 0): Record<string, number>[] {
  if (depth > 3 || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === 'object' && v !== null))
      return value as Record<string, number>[];
    return [];
  }
  for (const child of Object.values(value)) {
    const found = findRuns(child, depth + 1);
    if (
      found.length > 0 &&
      found.some((r) =>
        ['concurrency', 'workers', 'lambdas', 'nodes', 'maxConcurrency'].some((k) => k in r),
      )
    )
      return found;
  }
  return [];
}

/** GET /metrics/online: what served lists led to, per model version, over the last days. */
function onlinePanel(online: OnlineMetrics): HTMLElement {
  const percent = (v: number) => `${(v * 100).toFixed(1)} %`;
  const sample = online.sampleRate < 1 ? `, ${percent(online.sampleRate)} of users sampled` : '';
  return h(
    'section',
    { class: 'panel wide', 'data-testid': 'online-metrics' },
    h('h2', {}, `Online evaluation (last ${online.days} days)`),
    h(
      'p',
      { class: 'muted small' },
      `Served lists joined with later feedback: a hit is a rating ≥ 4, a like or a click of one of ` +
        `a list's first ${online.k} movies; click-through counts lists with a click; coverage is ` +
        `the share of the catalogue shown. ${online.events.toLocaleString()} events${sample}.`,
    ),
    online.models.length === 0
      ? h('p', { class: 'muted' }, 'No lists recorded yet.')
      : scrollingTable(
          ['model', 'lists', 'users', `hit rate@${online.k}`, 'click-through', 'coverage'],
          online.models.map((m) => [
            (m.modelId === 'none' ? 'no model (popular)' : m.modelId) +
              (m.modelId === online.activeModelId ? ' ●' : ''),
            m.lists.toLocaleString(),
            m.users.toLocaleString(),
            percent(m.hitRate),
            percent(m.clickThrough),
            percent(m.coverage),
          ]),
        ),
  );
}

/** One model's rank from the row's params (`params.rating`, `params.ranking`), or blank. */
function headRank(head: unknown): string {
  return String((head as { rank?: unknown } | undefined)?.rank ?? '');
}

function modelsTable(models: ModelRecord[]): HTMLElement {
  return h(
    'section',
    { class: 'panel wide' },
    h('h2', {}, 'Models'),
    models.length === 0
      ? h('p', { class: 'muted' }, 'No model trained yet.')
      : scrollingTable(
          ['model', 'created', 'rating rank', 'ranking rank', 'RMSE', 'active'],
          models.map((m) => [
            m.modelId,
            new Date(m.createdAt).toLocaleString(),
            headRank(m.params.rating),
            headRank(m.params.ranking),
            formatRmse(m.metrics),
            m.active ? '●' : '',
          ]),
        ),
  );
}

/** A table of text cells that scrolls sideways on a narrow screen. */
function scrollingTable(headers: readonly string[], rows: readonly string[][]): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))),
      h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((c) => h('td', {}, c))))),
    ),
  );
}

function formatRmse(metrics: Record<string, unknown>): string {
  const value = ['rmse', 'validationRmse', 'trainRmse']
    .map((k) => metrics[k])
    .find((v) => typeof v === 'number');
  return typeof value === 'number' ? value.toFixed(4) : '';
}
