/**
 * The ranking step's bookkeeping: which grid point validation picks, and the mean of each system's
 * metrics over seeds. Kept apart from scripts/bench/ranking.ts so it can be tested without a split.
 */
import type { HeldOutMetrics } from '../../lambdas/core/eval/held-out-users.ts';

/** The validation metric the peers' grid points are chosen on. */
export const SELECT_ON = 'ndcg@100' satisfies keyof HeldOutMetrics;

export const METRICS = [
  'recall@20',
  'recall@50',
  'ndcg@10',
  'ndcg@100',
  'precision@10',
  'coverage@10',
] as const satisfies readonly (keyof HeldOutMetrics)[];

export interface GridPoint {
  params: Record<string, unknown>;
  fitSeconds: number;
  metrics: HeldOutMetrics;
}

export interface SystemResult {
  system: string;
  versions?: Record<string, string>;
  /** What was fitted: the chosen grid point for a peer. */
  params: Record<string, unknown>;
  fitSeconds: number;
  recommendSeconds: number;
  metrics: HeldOutMetrics;
  usersWithoutList: number;
  validation?: { seconds: number; selectOn: string; grid: GridPoint[] };
}

/** The grid point with the best validation metric; the first such point on a tie. */
export function bestPoint(
  points: readonly GridPoint[],
  metric: keyof HeldOutMetrics = SELECT_ON,
): GridPoint {
  if (points.length === 0) throw new RangeError('no grid points');
  return points.reduce((best, p) => (p.metrics[metric] > best.metrics[metric] ? p : best));
}

export interface SystemMean {
  system: string;
  /** Mean of each metric over seeds; users is the mean count of scored users. */
  metrics: HeldOutMetrics;
  fitSeconds: number;
  /** The params fitted at each seed, in seed order. */
  params: Record<string, unknown>[];
}

/** Per system (in the first seed's order), the mean of every metric and of fit seconds over seeds. */
export function meanMetrics(perSeed: readonly (readonly SystemResult[])[]): SystemMean[] {
  if (perSeed.length === 0) return [];
  return perSeed[0]!.map(({ system }) => {
    const runs = perSeed.map((systems) => {
      const found = systems.find((s) => s.system === system);
      if (!found) throw new Error(`${system} is missing from a seed`);
      return found;
    });
    const mean = (value: (s: SystemResult) => number) =>
      runs.reduce((sum, s) => sum + value(s), 0) / runs.length;
    const metrics = Object.fromEntries(
      [...METRICS, 'users' as const].map((m) => [m, mean((s) => s.metrics[m])]),
    ) as unknown as HeldOutMetrics;
    return {
      system,
      metrics,
      fitSeconds: mean((s) => s.fitSeconds),
      params: runs.map((s) => s.params),
    };
  });
}

/** A system's fitted parameters in a few words, for the summary table. */
export function describeParams(system: string, params: Record<string, unknown>): string {
  if (system === 'ours') return 'defaults, untuned';
  if (system === 'popularity') return '–';
  if (system === 'EASE')
    return `λ ${String(params.lambda)}, X ${params.positives ? 'ratings ≥ 4' : 'all ratings'}`;
  if (system === 'implicit ALS')
    return (
      `${String(params.factors)} factors, reg ${String(params.regularization)}, ` +
      `${String(params.confidence)} α ${String(params.alpha)}`
    );
  return JSON.stringify(params);
}
