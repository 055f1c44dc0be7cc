import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { trainLikePipeline } from '../../scripts/runtime/train/in-process-train.ts';
import { expectMlSmallPresent, mlSmall } from '../support/movielens-small.ts';

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

async function recsys(...args: string[]) {
  return run(process.execPath, [join(root, 'bin/recsys.mjs'), ...args], { cwd: root });
}

/** The contract outside checks rely on: one JSON object on the last stdout line. */
function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evaluate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recsys evaluate on ml-latest-small', () => {
  it('meets the RMSE bar with defaults and reports every contract field', async () => {
    expectMlSmallPresent();
    const { stdout } = await recsys(
      'evaluate',
      '--train',
      mlSmall('ratings.csv'),
      '--split',
      '0.2',
    );
    const report = lastJson(stdout);
    for (const key of ['rmse', 'mae', 'precision@10', 'ndcg@10', 'trainSeconds', 'train', 'test']) {
      expect(report, key).toHaveProperty(key);
    }
    expect(report.rmse).toBeLessThanOrEqual(0.87);
    expect(Number(report.train) + Number(report.test)).toBe(100_836);
    const baselines = report.baselines as { biasOnly: { rmse: number } };
    expect(report.rmse).toBeLessThan(baselines.biasOnly.rmse);
  });
});

describe('recsys evaluate --protocol users on ml-latest-small', () => {
  it('ranks for held-out users far above popularity and reports every contract field', async () => {
    expectMlSmallPresent();
    const { stdout } = await recsys(
      'evaluate',
      '--train',
      mlSmall('ratings.csv'),
      '--protocol',
      'users',
    );
    const report = lastJson(stdout);
    const keys = ['recall@20', 'recall@50', 'ndcg@10', 'ndcg@100', 'precision@10', 'coverage@10'];
    for (const key of [...keys, 'users']) expect(report, key).toHaveProperty(key);
    const popularity = report.popularity as Record<string, number>;
    for (const key of keys) expect(popularity, key).toHaveProperty(key);
    // 20 % of the 603 users with ≥ 5 positives, minus those left without a target.
    expect(report.users).toBeGreaterThan(100);
    expect(popularity.users).toBe(report.users);
    // Bars well below what the defaults reach (NDCG@100 ≈ 0.39, popularity ≈ 0.21) and well above
    // popularity: a regression to popularity-like lists fails them.
    expect(report['ndcg@100']).toBeGreaterThan(0.35);
    expect(report['ndcg@10']).toBeGreaterThan(0.27);
    expect(report['recall@20']).toBeGreaterThan(0.33);
    expect(report['ndcg@100']).toBeGreaterThan(1.5 * popularity['ndcg@100']!);
    expect(report['coverage@10']).toBeGreaterThan(5 * popularity['coverage@10']!);
  });
});

describe('recsys evaluate on other MovieLens formats', () => {
  it('reads ml-100k style u.base/u.test files (tab separated) given as --train and --test', async () => {
    const { table } = generateRatingsTable({ ratings: 20_000, users: 300, movies: 400, seed: 5 });
    const rows = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, j) => {
        const i = from + j;
        return `${table.userIds[i]}\t${table.movieIds[i]}\t${table.ratings[i]}\t${table.timestamps[i]}`;
      }).join('\n') + '\n';
    await writeFile(join(dir, 'u1.base'), rows(0, 16_000));
    await writeFile(join(dir, 'u1.test'), rows(16_000, 20_000));
    const { stdout } = await recsys(
      'evaluate',
      '--train',
      join(dir, 'u1.base'),
      '--test',
      join(dir, 'u1.test'),
      '--rank',
      '8',
      '--iterations',
      '5',
    );
    const report = lastJson(stdout);
    expect(report.train).toBe(16_000);
    expect(report.test).toBe(4_000);
    expect(report.rmse).toBeLessThan(
      (report.baselines as { globalMean: { rmse: number } }).globalMean.rmse,
    );
  });

  it('--implicit solves with the settings the product trains its ranking model with', async () => {
    const { table } = generateRatingsTable({ ratings: 3_000, users: 60, movies: 120, seed: 9 });
    const rows = Array.from(
      { length: table.length },
      (_, i) => `${table.userIds[i]}\t${table.movieIds[i]}\t${table.ratings[i]}\t0`,
    );
    await writeFile(join(dir, 'implicit.data'), rows.join('\n') + '\n');
    const { stdout } = await recsys(
      'evaluate',
      '--train',
      join(dir, 'implicit.data'),
      '--implicit',
      '--iterations',
      '2',
    );
    const params = lastJson(stdout).params as Record<string, unknown>;
    // The product's ranking model as the train state machine fits it (trainLikePipeline is its
    // in-process twin, bit for bit: test/integration/train.test.ts).
    const product = trainLikePipeline(table, { iterations: 2 }).ranking.options;
    const solverKeys = ['implicit', 'solver', 'cgSteps', 'rank', 'reg', 'alpha'] as const;
    for (const key of [...solverKeys, 'unobservedWeight', 'regExponent', 'seed'] as const) {
      expect(params[key], key).toBe(product[key]);
    }
    // Not Cholesky, which the ratings protocol's explicit model keeps.
    expect(params.solver).toBe('cg');
  });

  it('fails with a one-line reason naming file and line for a malformed file', async () => {
    await writeFile(join(dir, 'bad.dat'), '1::10::4::100\n1::x::4::101\n');
    const failing = recsys('evaluate', '--train', join(dir, 'bad.dat'));
    await expect(failing).rejects.toMatchObject({ code: 1 });
    const error = (await failing.catch((e: { stderr: string }) => e)) as { stderr: string };
    expect(error.stderr.trim().split('\n')).toHaveLength(1);
    expect(error.stderr).toMatch(/bad\.dat:2: non-numeric movieId/);
  });

  it('rejects flags that do not belong to the chosen protocol, with one line', async () => {
    for (const args of [
      ['--protocol', 'users', '--split', '0.2'],
      ['--protocol', 'users', '--implicit'],
      ['--protocol', 'items'],
      ['--blend', '0.5'],
      ['--protocol', 'users', '--blend', '2'],
      ['--protocol', 'users', '--order', 'sideways'],
      ['--protocol', 'users', '--order', ''],
      ['--order', 'time'],
      ['--dislikes-at-most', '2'],
      ['--protocol', 'users', '--dislikes-at-most', '6'],
      ['--diversity', '0.3'],
      ['--protocol', 'users', '--diversity', '2'],
      ['--protocol', 'users', '--diversity', 'abc'],
    ]) {
      const failing = recsys('evaluate', '--train', join(dir, 'u1.base'), ...args);
      const error = (await failing.catch((e: { code: number; stderr: string }) => e)) as {
        code: number;
        stderr: string;
      };
      expect(error.code, args.join(' ')).toBe(1);
      expect(error.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('reports the same users with low stars as dislikes beside the plain figures', async () => {
    const args = ['--protocol', 'users', '--rank', '8', '--iterations', '3'];
    const plain = lastJson(
      (await recsys('evaluate', '--train', join(dir, 'u1.base'), ...args)).stdout,
    );
    const report = lastJson(
      (
        await recsys(
          'evaluate',
          '--train',
          join(dir, 'u1.base'),
          ...args,
          '--dislikes-at-most',
          '2',
        )
      ).stdout,
    );
    expect(plain).not.toHaveProperty('dislikes');
    // The plain figures are unchanged by the flag; the dislike figures are the same users' lists.
    expect(report['ndcg@10']).toBe(plain['ndcg@10']);
    const dislikes = report.dislikes as Record<string, number>;
    expect(dislikes.atMost).toBe(2);
    expect(dislikes.users).toBe(report.users);
    for (const key of ['ndcg@10', 'ndcg@100', 'recall@20']) {
      expect(dislikes[key], key).toBeGreaterThan(0);
      expect(dislikes[key], key).toBeLessThanOrEqual(1);
    }
  });

  it('reports the diversity dial at 0 and at the value asked for, each with ILD and popularity rank', async () => {
    const args = ['--protocol', 'users', '--rank', '8', '--iterations', '3'];
    const plain = lastJson(
      (await recsys('evaluate', '--train', join(dir, 'u1.base'), ...args)).stdout,
    );
    const report = lastJson(
      (await recsys('evaluate', '--train', join(dir, 'u1.base'), ...args, '--diversity', '0.5'))
        .stdout,
    );
    expect(plain).not.toHaveProperty('diversity');
    expect(report['ndcg@10']).toBe(plain['ndcg@10']);
    const { off, on } = report.diversity as Record<'off' | 'on', Record<string, number>>;
    expect(off!.diversity).toBe(0);
    expect(on!.diversity).toBe(0.5);
    // The dial at 0 is the plain protocol: the same lists, the same figures.
    for (const key of ['ndcg@10', 'ndcg@100', 'recall@20', 'precision@10', 'coverage@10']) {
      expect(off![key], key).toBe(plain[key]);
    }
    expect(on!['ild@10']).toBeGreaterThan(off!['ild@10']!);
    expect(on!['coverage@10']).toBeGreaterThanOrEqual(off!['coverage@10']!);
    expect(off!['popularityRank@10']).toBeGreaterThanOrEqual(1);
  });

  it('runs the users protocol with --order time and names the order in its report', async () => {
    const args = ['--protocol', 'users', '--rank', '8', '--iterations', '3'];
    const { stdout } = await recsys('evaluate', '--train', join(dir, 'u1.base'), ...args);
    const random = lastJson(stdout);
    const timed = lastJson(
      (await recsys('evaluate', '--train', join(dir, 'u1.base'), ...args, '--order', 'time'))
        .stdout,
    );
    expect(random).not.toHaveProperty('order');
    expect(timed.order).toBe('time');
    // Same held-out users, other given ratings: the lists, so the figures, differ.
    expect(timed.heldOutUsers).toBe(random.heldOutUsers);
    expect(timed['ndcg@100']).not.toBe(random['ndcg@100']);
    const failing = recsys('evaluate', '--train', join(dir, 'u1.base'), '--order', 'later');
    const error = (await failing.catch((e: { stderr: string }) => e)) as { stderr: string };
    expect(error.stderr).toMatch(/--order/);
  });

  it('rejects bad flags with a non-zero exit', async () => {
    await expect(
      recsys('evaluate', '--train', join(dir, 'u1.base'), '--rank', '-3'),
    ).rejects.toMatchObject({
      code: 1,
    });
    await expect(recsys('evaluate', '--train', join(dir, 'missing.csv'))).rejects.toMatchObject({
      code: 1,
    });
  });
});
