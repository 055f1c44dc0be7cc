import type { Baselines } from './demo-state.ts';

export interface DemoSummary {
  readonly dataset: {
    readonly name: string;
    readonly dir: string;
    readonly source: string;
    readonly ratings: number;
    readonly movies: number;
    readonly users: number;
    readonly tags: number;
  };
  readonly model: {
    readonly modelId: string;
    /** Validation RMSE of the published model, from its models row. */
    readonly rmse: number | null;
    readonly baselines: Baselines;
    /** What ranks the lists (null for a model published before bundles). */
    readonly ranking?: string | null;
  };
  /** Wall seconds per stage of this run. */
  readonly seconds: Readonly<Record<string, number>>;
  readonly totalSeconds: number;
  /** Stages this run skipped, with the reason. */
  readonly skipped: Readonly<Record<string, string>>;
  readonly keyspace: string;
  readonly url: string | null;
  readonly apiKey: string | null;
  readonly sampleUserId: number | null;
  readonly curl: string | null;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const rmse = (n: number | null): string => (n === null ? '–' : n.toFixed(4));

/** The summary for a person at the terminal. */
export function formatSummary(s: DemoSummary, stoppable: string): string {
  const { dataset: d, model: m } = s;
  const stages = Object.entries(s.seconds)
    .map(
      ([stage, seconds]) =>
        `${stage} ${seconds.toFixed(1)} s${s.skipped[stage] ? ' (skipped)' : ''}`,
    )
    .join(' · ');
  const lines = [
    '',
    `recsys demo: ${s.url ? 'serving' : 'done'} after ${s.totalSeconds.toFixed(1)} s`,
    `  data set  ${d.name} (${d.source}: ${d.dir})`,
    `            ${fmt(d.ratings)} ratings · ${fmt(d.movies)} movies · ${fmt(d.users)} users · ${fmt(d.tags)} tags`,
    `  model     ${m.modelId}: validation RMSE ${rmse(m.rmse)} on ${fmt(m.baselines.validationRatings)} held-out ratings`,
    `            baselines on the same split: bias-only ${rmse(m.baselines.biasOnly)}, global mean ${rmse(m.baselines.globalMean)}`,
    ...(m.ranking ? [`  lists     ${m.ranking}`] : []),
    `  stages    ${stages}`,
    `  keyspace  ${s.keyspace}`,
  ];
  if (s.url) {
    lines.push(`  web UI    ${s.url}  (API key: ${s.apiKey})`);
    if (s.curl) lines.push(`  try       ${s.curl}`);
    lines.push('', stoppable);
  }
  return lines.join('\n');
}

/** One line on what ranks the lists, from the model row (older models: null). */
export function rankingDescription(
  params: Record<string, unknown>,
  metrics: Record<string, unknown>,
): string | null {
  const ranking = params.ranking as { rank?: number } | undefined;
  if (!ranking?.rank) return null;
  const neighbours = params.neighbours as { maxItems?: number } | null | undefined;
  const refit = typeof metrics.refitIterations === 'number' ? metrics.refitIterations : 0;
  return [
    `implicit ALS rank ${ranking.rank}`,
    neighbours?.maxItems
      ? ` + EASE over the ${neighbours.maxItems.toLocaleString('en-US')} most-rated movies (blend ${String(params.blend)})`
      : '',
    refit > 0 ? `; refitted on every rating (${refit} iterations)` : '',
  ].join('');
}
