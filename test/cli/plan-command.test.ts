import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const recsys = (...args: string[]) =>
  run(process.execPath, [join(root, 'bin/recsys.mjs'), 'plan', ...args], { cwd: root });
const sizes = ['--ratings', '100836', '--users', '610', '--movies', '9742'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recsys plan', () => {
  it('prints every assumption and price with the table', async () => {
    const { stdout } = await recsys(...sizes, '--gflops', '1', '--cg-gflops', '10');
    expect(stdout).toMatch(/Ingest \(once\)/);
    expect(stdout).toMatch(/Training \(one run\)/);
    expect(stdout).toMatch(/Serving \(one month\)/);
    expect(stdout).toMatch(/as of 20\d\d/);
    // The ingest schedule's own numbers, from write-budget.ts, and the setting assumed.
    expect(stdout).toMatch(/chunkWriterRowsPerSecond = 2,000 rows\/s/);
    expect(stdout).toMatch(/newTableWriteUnits = 4,000 WRU\/s per table/);
    expect(stdout).toMatch(
      /Ingest setting assumed: on-demand, new tables \(4,000 WRU\/s each\) \(cdk deploy: the default\)/,
    );
    // ml-latest-small: the default is also the cheapest (a few hundred thousand writes).
    expect(stdout).toMatch(/\* default: on-demand, new tables/);
    expect(stdout).toMatch(/ {3}cheapest provisioned: provisioned [\d,]+ WCU per ratings table/);
    // Which of on-demand and provisioned-with-switch, and why.
    expect(stdout).toMatch(/\nIngest choice: on-demand: every provisioned WCU count costs more/);
    expect(stdout).toMatch(/pre-warming ASSUMED at \$0\.00065/);
    // ml-latest-small fits one block (docs/cost-model.md, "Block count").
    expect(stdout).toMatch(/Blocks: 1, chosen from the data size/);
    // The training defaults and the new stage's assumptions.
    expect(stdout).toMatch(/ranking model rank 64 \(CG, 3 steps\), 15 fit \+ 5 refit iterations/);
    expect(stdout).toMatch(/CG rate \(ranking model\): 10 GFLOP\/s per core \(--cg-gflops\)/);
    expect(stdout).toMatch(/validationShare = 0\.2 fraction: /);
    expect(stdout).toMatch(/neighbourInverseGflops = 3\.5 GFLOP\/s: /);
    expect(stdout).toMatch(/neighbourSolve \d+\.\d s/);
  }, 60_000);

  it('prices the setting asked for: a provisioned load at its cheapest WCU, or the one given', async () => {
    const json = async (...args: string[]) =>
      JSON.parse(
        (await recsys(...sizes, '--gflops', '1', '--cg-gflops', '10', '--json', ...args)).stdout
          .trim()
          .split('\n')
          .pop()!,
      ) as {
        input: { ingest: { capacity: string; writeUnits: number } };
        ingestOptions: { options: { estimate: { setting: { writeUnits: number } } }[] };
        estimate: { ingest: { provisionedHours: number } };
      };
    const cheapest = await json('--ingest-capacity', 'provisioned');
    expect(cheapest.input.ingest).toEqual({
      capacity: 'provisioned',
      writeUnits: cheapest.ingestOptions.options[2]!.estimate.setting.writeUnits,
    });
    expect(cheapest.estimate.ingest.provisionedHours).toBeGreaterThan(0);
    const given = await json('--ingest-capacity', 'provisioned', '--ingest-write-units', '3000');
    expect(given.input.ingest).toEqual({ capacity: 'provisioned', writeUnits: 3000 });
  }, 60_000);

  it('keeps the JSON contract: ingest and train dollars, train wall seconds', async () => {
    const { stdout } = await recsys(...sizes, '--rating-rank', '20', '--json');
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as {
      input: { rankingRank: number; refitIterations: number; neighbourMovies: number };
      cgGflopsSource: string;
      estimate: {
        ingest: { dollars: number };
        train: { dollars: number; wallSeconds: number; loopIterations: number };
      };
    };
    expect(out.estimate.ingest.dollars).toBeGreaterThan(0);
    expect(out.estimate.train.dollars).toBeGreaterThan(0);
    expect(out.estimate.train.wallSeconds).toBeGreaterThan(0);
    expect(out.input).toMatchObject({ rankingRank: 64, refitIterations: 5, neighbourMovies: 2000 });
    expect(out.estimate.train.loopIterations).toBe(20);
    expect(out.cgGflopsSource).toMatch(/als-vs-implicit\.json: .*rank 64/);
  }, 60_000);

  it('takes the per-core rate from the bench results at the closest rank', async () => {
    await writeFile(
      join(dir, 'als.json'),
      JSON.stringify({
        results: [
          { dataset: 'a', ratings: 10, rank: 10, gflopsPerCore: 9 },
          { dataset: 'b', ratings: 1000, rank: 20, gflopsPerCore: 2.5 },
          { dataset: 'c', ratings: 10, rank: 20, gflopsPerCore: 7 },
        ],
      }),
    );
    await writeFile(
      join(dir, 'als-vs-implicit.json'),
      JSON.stringify({
        dataset: { ratings: 1000, users: 10, items: 20 },
        model: { cgSteps: 1 },
        rows: [
          { rank: 2, cg: { meanSecondsPerIteration: 0.5 } },
          { rank: 60, cg: { meanSecondsPerIteration: 0.001 } },
          { rank: 128 },
        ],
      }),
    );
    // --rank, the older name of --rating-rank (the brief's contract uses it), with a note.
    const { stdout, stderr } = await recsys(
      ...sizes,
      '--rank',
      '21',
      '--bench-results',
      dir,
      '--json',
    );
    expect(stderr).toBe('recsys: --rank is now --rating-rank (the old name still works)\n');
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as {
      input: {
        ratingRank: number;
        gflopsPerCore: number;
        cgGflopsPerCore: number;
        concurrency: number;
      };
      estimate: { totalDollars: number };
    };
    expect(out.input.ratingRank).toBe(21);
    // rank 20 is closest to 21; of those, the larger data set.
    expect(out.input.gflopsPerCore).toBe(2.5);
    // Ranking rank 64: 60 is the closest row with a CG time (128 has none). One iteration, 1 step:
    // 2 × (4·60·1000 + 2·3600·10) + 2 × (4·60·1000 + 2·3600·20) + 3600 × 30
    // = 624,000 + 768,000 + 108,000 = 1,500,000 flops in 0.001 s = 1.5 GFLOP/s.
    expect(out.input.cgGflopsPerCore).toBe(1.5);
    expect(out.input.concurrency).toBe(40);
    expect(out.estimate.totalDollars).toBeGreaterThan(0);
  }, 60_000);

  it('rejects bad input with one line and a non-zero exit', async () => {
    for (const args of [
      ['--ratings', 'lots', '--users', '1', '--movies', '1'],
      [...sizes, '--region', 'eu-west-1', '--gflops', '1'],
      [...sizes, '--bench-results', join(dir, 'missing')],
      [...sizes, '--gflops', '1', '--bench-results', join(dir, 'missing')],
      [...sizes, '--blocks', '501', '--gflops', '1', '--cg-gflops', '1'],
      [...sizes, '--ingest-capacity', 'sometimes', '--gflops', '1', '--cg-gflops', '1'],
    ]) {
      const failure = await recsys(...args).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failure?.code).toBe(1);
      expect(failure!.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 60_000);
});
