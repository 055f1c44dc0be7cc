import { describe, expect, it } from 'vitest';
import { PeakRssMonitor, parseProcStatus } from '../../scripts/bench/process-memory.ts';
import {
  PIPELINE_GOAL_SECONDS,
  functionMemoryRows,
  scaleGoals,
  scaleSection,
  type StagedTaskMemory,
} from '../../scripts/bench/scale-report.ts';

const MiB = 2 ** 20;

function task(
  stage: 'ingest' | 'train',
  functionName: string,
  usedMiB: number,
  residentMiB: number,
  seconds = 1,
): StagedTaskMemory {
  const heap = { usedBytes: 20 * MiB, residentBytes: 30 * MiB, externalBytes: 5 * MiB };
  return {
    stage,
    functionName,
    seconds,
    gcMs: 3,
    start: heap,
    end: heap,
    peakUsedBytes: usedMiB * MiB,
    peakResidentBytes: residentMiB * MiB,
    samples: 4,
    succeeded: true,
  };
}

const stack = {
  ingest: { ChunkFunctionArn: 2048, PlanFunctionArn: 256 },
  train: { TrainSolveBlockFunctionArn: 1769, TrainPublishFunctionArn: 1024 },
};

describe('functionMemoryRows', () => {
  it("takes each function's largest Task, adds the runtime overhead and compares with its Lambda", () => {
    const rows = functionMemoryRows(
      [
        task('train', 'TrainSolveBlock', 900, 1200, 12),
        task('train', 'TrainSolveBlock', 1000, 1100, 30),
        task('ingest', 'Chunk', 300, 400),
        task('train', 'TrainPublish', 1100, 1300),
        task('ingest', 'Plan', 100, 240),
        task('train', 'TrainNew', 10, 20),
      ],
      stack,
      40 * MiB,
    );
    expect(rows.map((r) => [r.functionName, r.tasks, r.verdict])).toEqual([
      ['TrainPublish', 1, 'over'],
      ['TrainSolveBlock', 2, 'fits'],
      ['Chunk', 1, 'fits'],
      ['Plan', 1, 'at risk'],
      ['TrainNew', 1, 'unknown'],
    ]);
    const solve = rows.find((r) => r.functionName === 'TrainSolveBlock')!;
    // Estimate: runtime + the highest resident peak. Lower bound: runtime + the smallest retained
    // worker (35) + the most live memory a task added to what its worker retained (1000 - 25).
    expect(solve).toMatchObject({
      lambdaMb: 1769,
      estimateMb: 1240,
      lowerBoundMb: 1050,
      growthMb: 975,
      retainedAtStartMb: 35,
      longestTaskSeconds: 30,
    });
    expect(rows.find((r) => r.functionName === 'Plan')).toMatchObject({
      lambdaMb: 256,
      lowerBoundMb: 150,
      estimateMb: 280,
    });
  });

  it('keeps the same function name apart in the two state machines', () => {
    const rows = functionMemoryRows(
      [task('ingest', 'Plan', 10, 20), task('train', 'Plan', 10, 20)],
      { ingest: { PlanFunctionArn: 256 }, train: {} },
      0,
    );
    expect(rows.map((r) => `${r.stage}:${r.verdict}`).sort()).toEqual([
      'ingest:fits',
      'train:unknown',
    ]);
  });
});

describe('scaleGoals', () => {
  it('checks the 45-minute pipeline and names the Tasks over or near their memory', () => {
    const rows = functionMemoryRows(
      [task('train', 'TrainPublish', 1100, 1300), task('ingest', 'Plan', 100, 240)],
      stack,
      40 * MiB,
    );
    const goals = scaleGoals(PIPELINE_GOAL_SECONDS + 1, rows);
    expect(goals.pipelineWithinGoal).toBe(false);
    expect(goals.tasksOverMemory).toEqual(['TrainPublish (1150–1340 MB of 1024 MB)']);
    expect(goals.tasksAtRisk).toEqual(['Plan (150–280 MB of 256 MB)']);
    expect(scaleGoals(600, []).pipelineWithinGoal).toBe(true);
  });
});

describe('parseProcStatus', () => {
  it('reads VmRSS and VmHWM in bytes', () => {
    const text =
      'Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\nThreads: 3\n';
    expect(parseProcStatus(text)).toEqual({ rssBytes: 1024 * 1024, hwmBytes: 2048 * 1024 });
    expect(parseProcStatus('Name:\tkthread\n')).toBeUndefined();
  });
});

describe('PeakRssMonitor', () => {
  it('reports a peak per stage for this process and skips processes that do not exist', () => {
    const monitor = new PeakRssMonitor(60_000);
    monitor.watch('main', process.pid);
    monitor.watch('gone', 2 ** 22 + 12345);
    monitor.watch('none', undefined);
    monitor.beginStage('one');
    const peaks = monitor.endStage();
    monitor.stop();
    expect(Object.keys(peaks)).toEqual(['main']);
    expect(peaks.main!.peakMiB).toBeGreaterThan(10);
    expect(monitor.overall().main).toEqual(peaks.main);
  });
});

describe('scaleSection', () => {
  it('renders the stages, peak RSS, Task memory, API and goals of a scale.json', () => {
    const rows = functionMemoryRows([task('train', 'TrainSolveBlock', 900, 1200)], stack, 0);
    const md = scaleSection(
      {
        quick: true,
        dataset: { ratings: 200000, users: 1300, movies: 12270 },
        stages: {
          generate: { cached: true },
          ingest: {
            seconds: 30.5,
            ratingsPerSecond: 6557,
            chunkSeconds: 20,
            chunkRatingsPerSecond: 10000,
            chunks: 2,
          },
          train: {
            seconds: 40,
            ratingsPerSecond: 5000,
            blocks: 4,
            concurrency: 2,
            rmse: 0.81,
            stateSeconds: { Plan: 1.2, Iterate: 20 },
          },
          serve: { readySeconds: 3.2 },
        },
        peakRssMiB: {
          ingest: { main: { peakMiB: 500 }, cassandra: { peakMiB: 1500 } },
          serve: { serve: { peakMiB: 200 } },
        },
        taskMemory: {
          sampleMs: 100,
          runtimeOverheadMb: 40,
          containerBaselineMb: 35,
          tasks: 12,
          gcSeconds: 1.5,
          functions: rows,
        },
        api: {
          connections: 10,
          secondsPerScenario: 2,
          firstRequestMs: 80,
          scenarios: [
            {
              scenario: 'GET /users/{id}/recommendations (stored top-N)',
              requestsPerSecond: 900,
              latencyMs: { p50: 9, p99: 30 },
              non2xx: 0,
            },
          ],
        },
        goals: scaleGoals(73.7, rows),
      },
      '_stamp_\n',
    );
    expect(md).toContain('### Scale: 200,000 ratings through ingest → train → serve');
    expect(md).toContain('**--quick smoke test: not the 25M figures.**');
    expect(md).toContain('Whole pipeline 1.2 min (goal ≤ 25 min: met)');
    expect(md).toContain('| train | 40 | 5,000 | blocks 4, Map concurrency 2, RMSE 0.81 |');
    expect(md).toContain('| cassandra | 1,500 | – |');
    expect(md).toContain('| serve | – | 200 |');
    expect(md).toContain(
      '| train: TrainSolveBlock | 1 | 1769 | 910 | 1,200 | 875 | 35 | 1 | fits |',
    );
    expect(md).toContain('| GET /users/{id}/recommendations (stored top-N) | 900 | 9 | 30 | 0 |');
    expect(md).toContain('Plan 1.2 s, Iterate 20.0 s');
    expect(md).toContain('before each of the 12 Tasks took 1.5 s in all');
  });
});
