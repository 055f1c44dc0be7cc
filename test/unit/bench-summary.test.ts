/** The README table generator: figures from results files land in the right rows. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineChartSvg } from '../../scripts/bench/chart.ts';
import { writeSummary } from '../../scripts/bench/summary.ts';
import { TEST_RUN } from '../support/bench-run.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-summary-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = TEST_RUN;

describe('bench summary', () => {
  it('puts ours, Spark, Surprise and cqlsh side by side', async () => {
    await writeFile(
      join(dir, 'peers.json'),
      JSON.stringify({
        run,
        split: { train: 800, test: 190 },
        settings: { rank: 7, reg: 0.3, iterations: 4, seed: 1 },
        ours: { runs: [{ config: 'defaults (biases)', fitSeconds: 1.5, rmse: 0.81234 }] },
        spark: { version: '9.9', master: 'local[3]', fitSeconds: 12, startupSeconds: 4, rmse: 0.9 },
        surprise: {
          version: '1.0',
          runs: [
            {
              config: 'matched',
              params: { n_factors: 7, n_epochs: 4, reg_all: 0.3 },
              fitSeconds: 0.25,
              rmse: 0.88,
            },
          ],
        },
      }),
    );
    await writeFile(
      join(dir, 'ingest.json'),
      JSON.stringify({
        results: [
          {
            dataset: 'ml-latest-small',
            ratings: 1000,
            ratingsPerSecond: 250,
            rowsWrittenPerSecond: 500,
            chunkStageSeconds: 4,
            totalSeconds: 6,
            loadAverage: [1, 2],
            vsCqlsh: 2.5,
            cqlsh: {
              ratingsPerSecond: 100,
              rowsWrittenPerSecond: 200,
              byUserSeconds: 4,
              byMovieSeconds: 6,
            },
          },
        ],
      }),
    );
    const md = await readFile(writeSummary(dir), 'utf8');
    expect(md).toContain(
      '2026-01-02 03:04 UTC, Test CPU × 3 cores, Node v22, 1-min load 0.5 → 1.5',
    );
    expect(md).toContain('Rank 7, λ 0.3, 4 iterations, seed 1');
    expect(md).toContain('| **ours** ALS, defaults (biases) | 1 thread | 1.50 | 0.8123 |');
    expect(md).toContain(
      '| Spark MLlib ALS 9.9 (no biases) | local[3] | 12.00 (+4.0 start-up) | 0.9000 |',
    );
    expect(md).toContain(
      '| Surprise SVD 1.0, matched (7 factors, 4 epochs, reg 0.3) | 1 thread | 0.25 | 0.8800 |',
    );
    expect(md).toMatch(/\| `cqlsh COPY FROM`[^|]*\| 100 \| 200 \| 10\.0 \|/);
    expect(md).toMatch(
      /\| ml-latest-small \| \*\*ours\*\*: ingest state machine[^|]*\| 250 \| 500 \| 4\.0 \| \*\*2\.50×\*\* \|/,
    );
  });
});

describe('line chart', () => {
  it('draws one polyline per series and escapes labels', () => {
    const svg = lineChartSvg('t <1>', 'c', [
      {
        title: 'p',
        xLabel: 'x',
        yLabel: 'y',
        series: [
          {
            label: 'a & b',
            points: [
              { x: 1, y: 2 },
              { x: 2, y: 1 },
            ],
          },
          {
            label: 'ideal',
            dashed: true,
            points: [
              { x: 1, y: 2 },
              { x: 2, y: 1 },
            ],
          },
        ],
      },
    ]);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('t &lt;1&gt;');
    expect(svg).toContain('a &amp; b');
    expect(svg).toContain('stroke-dasharray');
  });
});
