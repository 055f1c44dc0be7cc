/**
 * The table of `ranking-validation.ts --rules` (issue 23, low stars in the fold-in): per rule and
 * order the mean over seeds and data sets of NDCG@10, NDCG@100, Recall@20 and Coverage@10 on the
 * **validation** users, per data set time-order NDCG@10, EASE's validation best (the grid point
 * its validation users chose by NDCG@100, from the ranking.ts reports) beside them, and the
 * landing rule checked against the product's fold-in (`all`, or the rule `--baseline` names:
 * `product` for rules on top of today's fold-in, such as the recency weights):
 *   (a) time order: NDCG@10 and Recall@20 up in the mean of the data sets and on ≥ 3 of 4;
 *   (b) random order: no data set's NDCG@10, NDCG@100 or Recall@20 lower than `all`'s by more
 *       than one standard error of `all`'s seed mean (sample sd over seeds / √seeds);
 *   (c) Coverage@10, mean over data sets and seeds, not below `all`'s under either order.
 * `--landing random` checks the rule of the recency weight's variants instead (issue 23, the
 * random order's cost of the recency weight; baseline `rec-exp5-g2-both`, today's product):
 *   (a) random order: NDCG@100 and NDCG@10 up in the mean of the data sets, NDCG@100 up on ≥ 3 of 4;
 *   (b) time order: no data set's NDCG@10, NDCG@100 or Recall@20 lower than the baseline's by more
 *       than one standard error of the baseline's seed mean, and time NDCG@10's mean ≥ EASE's
 *       validation best (its mean over the same data sets and seeds);
 *   (c) as above.
 *
 * Where the reports hold more than one (blend, boost) pair (`--blends`/`--boosts`, issue 23's
 * retune of w and the liked-movie boost), every point is named `<rule> w<blend> b<boost>`, and
 * `--baseline` takes that name (e.g. `--baseline "product w0.5 b2"`).
 *
 *   npx tsx scripts/bench/fold-rules-table.ts [--baseline product] [--landing random] bench/results/ranking-validation-rules-*.json
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

type Metrics = Record<string, number>;
interface Row {
  dataset: string;
  seed: number;
  order: string;
  rule: string;
  blend?: number;
  boost?: number;
  metrics: Metrics;
}

const METRICS = ['ndcg@10', 'ndcg@100', 'recall@20', 'coverage@10'] as const;
const SHAPES = ['small', 'small-100k', 'small-1m', 'small-2008'];
const ORDERS = ['random', 'time'];

/** The ranking.ts reports holding EASE's validation grid per data set (both orders, seeds 0–2). */
const EASE_REPORTS: Record<string, string[]> = {
  small: [
    'ranking-orders.json',
    'ranking-seeds-small-random.json',
    'ranking-seeds-small-time.json',
    'ranking-seeds-small-random-s2.json',
    'ranking-seeds-small-time-s2.json',
  ],
  'small-100k': ['ranking-seeds-small-100k.json'],
  'small-1m': ['ranking-seeds-small-1m-random.json', 'ranking-seeds-small-1m-time.json'],
  'small-2008': ['ranking-seeds-small-2008-random.json', 'ranking-seeds-small-2008-time.json'],
};

interface SystemReport {
  system: string;
  params: unknown;
  validation?: { grid: { params: unknown; metrics: Metrics }[] };
}
interface Report {
  datasets: { order: string; seeds: { seed: number; systems: SystemReport[] }[] }[];
}

/** EASE's chosen point's validation metrics, per order and seed. */
function easeValidation(shape: string): Map<string, Metrics> {
  const out = new Map<string, Metrics>();
  for (const file of EASE_REPORTS[shape] ?? []) {
    const report = JSON.parse(readFileSync(resolve('bench/results', file), 'utf8')) as Report;
    for (const d of report.datasets) {
      for (const s of d.seeds) {
        const ease = s.systems.find((x) => x.system === 'EASE');
        const chosen = ease?.validation?.grid.find(
          (g) => JSON.stringify(g.params) === JSON.stringify(ease.params),
        );
        if (chosen) out.set(`${d.order}/${s.seed}`, chosen.metrics);
      }
    }
  }
  return out;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const standardError = (xs: readonly number[]) => {
  const m = mean(xs);
  const variance = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
  return Math.sqrt(variance / xs.length);
};
const f4 = (x: number) => x.toFixed(4);

function main(): void {
  const argv = process.argv.slice(2);
  const option = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv.splice(at, 2)[1] : undefined;
  };
  const baseline = option('--baseline') ?? 'all';
  const landing = option('--landing') ?? 'time';
  if (landing !== 'time' && landing !== 'random')
    throw new Error(`--landing ${landing}: use time or random`);
  const files = argv;
  // One row per data set, seed, order, rule, blend and boost: a point in several reports (the fits
  // are deterministic, so `all` repeats to the bit) counts once.
  const byKey = new Map<string, Row>();
  for (const file of files) {
    for (const row of (JSON.parse(readFileSync(file, 'utf8')) as { rows: Row[] }).rows)
      byKey.set(
        `${row.dataset}/${row.seed}/${row.order}/${row.rule}/${row.blend}/${row.boost}`,
        row,
      );
  }
  // Several (blend, boost) pairs: a point is its rule and pair.
  const knobs = (r: Row) => `w${r.blend} b${r.boost}`;
  const pairs = new Set([...byKey.values()].map(knobs));
  const rows = [...byKey.values()].map((r) =>
    pairs.size > 1 ? { ...r, rule: `${r.rule} ${knobs(r)}` } : r,
  );
  const rules = [...new Set(rows.map((r) => r.rule))];
  const shapes = SHAPES.filter((s) => rows.some((r) => r.dataset === s));
  const values = (rule: string, order: string, shape: string, metric: string) =>
    rows
      .filter((r) => r.rule === rule && r.order === order && r.dataset === shape)
      .sort((a, b) => a.seed - b.seed)
      .map((r) => r.metrics[metric]!);
  const shapeMean = (rule: string, order: string, shape: string, metric: string) =>
    mean(values(rule, order, shape, metric));
  const allMean = (rule: string, order: string, metric: string) =>
    mean(shapes.map((shape) => shapeMean(rule, order, shape, metric)));
  const seeds = [...new Set(rows.map((r) => r.seed))].sort();

  console.log(`Validation users; mean over seeds ${seeds.join(',')} and ${shapes.join(', ')}.\n`);
  const short = {
    'ndcg@10': 'N@10',
    'ndcg@100': 'N@100',
    'recall@20': 'R@20',
    'coverage@10': 'Cov@10',
  };
  console.log(
    '| rule | ' +
      ORDERS.flatMap((o) => METRICS.map((m) => `${o} ${short[m]}`)).join(' | ') +
      ' | ' +
      shapes.map((s) => `time N@10 ${s}`).join(' | ') +
      ' |',
  );
  console.log('|' + ' --- |'.repeat(1 + ORDERS.length * METRICS.length + shapes.length));
  for (const rule of rules) {
    const cells = ORDERS.flatMap((o) => METRICS.map((m) => f4(allMean(rule, o, m))));
    const perShape = shapes.map((s) => f4(shapeMean(rule, 'time', s, 'ndcg@10')));
    console.log(`| ${rule} | ${cells.join(' | ')} | ${perShape.join(' | ')} |`);
  }
  // EASE's validation best, where the ranking.ts reports hold the same seeds.
  const ease = new Map(shapes.map((s) => [s, easeValidation(s)]));
  const easeOf = (order: string, shape: string, metric: string) => {
    const got = seeds.map((seed) => ease.get(shape)!.get(`${order}/${seed}`)?.[metric]);
    return got.every((x) => x !== undefined) ? mean(got as number[]) : NaN;
  };
  const cells = ORDERS.flatMap((o) =>
    METRICS.map((m) => f4(mean(shapes.map((s) => easeOf(o, s, m))))),
  );
  const perShape = shapes.map((s) => f4(easeOf('time', s, 'ndcg@10')));
  console.log(`| EASE best (validation) | ${cells.join(' | ')} | ${perShape.join(' | ')} |`);

  console.log(`\nLanding rule against \`${baseline}\`:\n`);
  const qualifying: string[] = [];
  for (const rule of rules.filter((r) => r !== baseline)) {
    const notes: string[] = [];
    let pass = true;
    // The order the rule is for must go up in the mean (and on `shapesNeeded` shapes); the other
    // order may fall by no more than one standard error of the baseline on any shape.
    const upInMean = (order: string, metric: string, shapesNeeded: number, needs: string) => {
      const up = allMean(rule, order, metric) > allMean(baseline, order, metric);
      const shapesUp = shapes.filter(
        (s) => shapeMean(rule, order, s, metric) > shapeMean(baseline, order, s, metric),
      ).length;
      if (!up || shapesUp < shapesNeeded) pass = false;
      notes.push(
        `${order} ${metric} ${up ? 'up' : 'down'} in the mean, up on ${shapesUp} of ${shapes.length}${needs}`,
      );
    };
    const withinOneSe = (order: string) => {
      for (const shape of shapes) {
        for (const metric of ['ndcg@10', 'ndcg@100', 'recall@20']) {
          const base = values(baseline, order, shape, metric);
          const drop = mean(base) - shapeMean(rule, order, shape, metric);
          if (drop > standardError(base)) {
            pass = false;
            notes.push(`${order} ${shape} ${metric} −${f4(drop)} > SE ${f4(standardError(base))}`);
          }
        }
      }
    };
    if (landing === 'random') {
      upInMean('random', 'ndcg@100', 3, '');
      upInMean('random', 'ndcg@10', 0, '');
      withinOneSe('time');
      const timeN10 = allMean(rule, 'time', 'ndcg@10');
      const easeN10 = mean(shapes.map((s) => easeOf('time', s, 'ndcg@10')));
      if (!(timeN10 >= easeN10)) {
        pass = false;
        notes.push(`time ndcg@10 ${timeN10.toFixed(5)} < EASE's ${easeN10.toFixed(5)}`);
      }
    } else {
      upInMean('time', 'ndcg@10', 3, ' (needs 3)');
      upInMean('time', 'recall@20', 3, ' (needs 3)');
      withinOneSe('random');
    }
    for (const order of ORDERS) {
      const cov = allMean(rule, order, 'coverage@10');
      const base = allMean(baseline, order, 'coverage@10');
      if (cov < base) {
        pass = false;
        notes.push(`${order} coverage@10 ${f4(cov)} < ${f4(base)}`);
      }
    }
    console.log(`- ${rule}: ${pass ? 'QUALIFIES' : 'no'} (${notes.join('; ')})`);
    if (pass) qualifying.push(rule);
  }

  // Per data set, a qualifying rule's change from the baseline and its standard error of the seed mean.
  for (const rule of qualifying) {
    console.log(`\n${rule} − ${baseline} per data set (± ${baseline}'s SE of the seed mean):\n`);
    console.log('| data set | order | NDCG@10 | NDCG@100 | Recall@20 | Coverage@10 |');
    console.log('|' + ' --- |'.repeat(6));
    for (const order of ORDERS) {
      for (const shape of shapes) {
        const cells = METRICS.map((m) => {
          const base = values(baseline, order, shape, m);
          const delta = shapeMean(rule, order, shape, m) - mean(base);
          return `${delta >= 0 ? '+' : '−'}${f4(Math.abs(delta))} ± ${f4(standardError(base))}`;
        });
        console.log(`| ${shape} | ${order} | ${cells.join(' | ')} |`);
      }
    }
  }
}

main();
