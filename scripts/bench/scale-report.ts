/**
 * The scale step's figures, apart from running it: per-function Task memory against the memory the
 * stack gives each Lambda, the goals, and the summary.md section (scale.ts runs the pipeline).
 */
import type { TaskMemoryRecord } from '../runtime/local-sfn/index.ts';
import { residentTotal, usedTotal } from '../runtime/local-sfn/task-memory.ts';
import { table } from './markdown-table.ts';

const MiB = 2 ** 20;

export type ScaleStage = 'ingest' | 'train';

/** One Task invocation, with the pipeline stage (state machine) it ran in. */
export interface StagedTaskMemory extends TaskMemoryRecord {
  readonly stage: ScaleStage;
}

/** The Lambda memory (MB, as CDK's memorySize: MiB) of each function, by state machine. */
export type StackMemory = Readonly<Record<ScaleStage, Readonly<Record<string, number>>>>;

export interface FunctionMemoryRow {
  readonly stage: ScaleStage;
  readonly functionName: string;
  readonly tasks: number;
  /** What the stack gives the function (MB), undefined if the stack has no such function. */
  readonly lambdaMb: number | undefined;
  /**
   * Runtime overhead + the highest resident heap + external memory of any of its tasks: all its
   * worker held, other functions' modules and cached run files included (an upper estimate).
   */
  readonly estimateMb: number;
  /**
   * Runtime overhead + the smallest retained worker of the run (a fresh container with its
   * modules) + the most live memory any of its tasks added on top of what its worker retained.
   */
  readonly lowerBoundMb: number;
  /** The most live memory (heap + external) one of its tasks added to what its worker retained. */
  readonly growthMb: number;
  /** Of the task with the highest estimate: what its worker held after the GC before it ran. */
  readonly retainedAtStartMb: number;
  readonly longestTaskSeconds: number;
  /** `over`: even the lower bound exceeds the Lambda; `at risk`: only the estimate does. */
  readonly verdict: 'fits' | 'at risk' | 'over' | 'unknown';
}

const round = (x: number, digits = 0) => {
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
};

/** `IngestChunk`-style function name → the definition's substitution (`…FunctionArn`). */
export function substitutionOf(functionName: string): string {
  return `${functionName}FunctionArn`;
}

/** The least any worker retained at a task's start: a container with its modules loaded. */
export function containerBaselineBytes(records: readonly TaskMemoryRecord[]): number {
  return records.length === 0 ? 0 : Math.min(...records.map((r) => residentTotal(r.start)));
}

/**
 * One row per function that ran, the largest estimate first. `overheadBytes` is what a Node
 * process holds outside its V8 heap and external memory (the runtime itself), added to each figure.
 */
export function functionMemoryRows(
  records: readonly StagedTaskMemory[],
  stack: StackMemory,
  overheadBytes: number,
): FunctionMemoryRow[] {
  const baseline = containerBaselineBytes(records);
  const groups = new Map<string, StagedTaskMemory[]>();
  for (const r of records) {
    const key = `${r.stage}\u0000${r.functionName}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  const rows: FunctionMemoryRow[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const top = group.reduce((a, b) => (b.peakResidentBytes > a.peakResidentBytes ? b : a));
    const growth = Math.max(0, ...group.map((r) => r.peakUsedBytes - usedTotal(r.start)));
    const lambdaMb = stack[first.stage][substitutionOf(first.functionName)];
    const estimateMb = (overheadBytes + top.peakResidentBytes) / MiB;
    const lowerBoundMb = (overheadBytes + baseline + growth) / MiB;
    rows.push({
      stage: first.stage,
      functionName: first.functionName,
      tasks: group.length,
      lambdaMb,
      estimateMb: round(estimateMb),
      lowerBoundMb: round(lowerBoundMb),
      growthMb: round(growth / MiB),
      retainedAtStartMb: round((top.start.residentBytes + top.start.externalBytes) / MiB),
      longestTaskSeconds: round(Math.max(...group.map((r) => r.seconds)), 2),
      verdict:
        lambdaMb === undefined
          ? 'unknown'
          : lowerBoundMb > lambdaMb
            ? 'over'
            : estimateMb > lambdaMb
              ? 'at risk'
              : 'fits',
    });
  }
  return rows.sort((a, b) => b.estimateMb - a.estimateMb);
}

export interface ScaleGoals {
  /** Ingest + train + serve until it answers, seconds. */
  readonly pipelineSeconds: number;
  readonly pipelineGoalSeconds: number;
  readonly pipelineWithinGoal: boolean;
  /** Functions whose Tasks' lower bound exceeds their Lambda memory. */
  readonly tasksOverMemory: readonly string[];
  /** Functions whose estimate (not the lower bound) exceeds it. */
  readonly tasksAtRisk: readonly string[];
}

/** Ingest + train + serve ready at 25M ratings on this 2-core VM: issue 22's 25 min (issue 15's was 45). */
export const PIPELINE_GOAL_SECONDS = 25 * 60;

export function scaleGoals(
  pipelineSeconds: number,
  rows: readonly FunctionMemoryRow[],
): ScaleGoals {
  const describe = (r: FunctionMemoryRow) =>
    `${r.functionName} (${r.lowerBoundMb}–${r.estimateMb} MB of ${r.lambdaMb} MB)`;
  return {
    pipelineSeconds: round(pipelineSeconds, 1),
    pipelineGoalSeconds: PIPELINE_GOAL_SECONDS,
    pipelineWithinGoal: pipelineSeconds <= PIPELINE_GOAL_SECONDS,
    tasksOverMemory: rows.filter((r) => r.verdict === 'over').map(describe),
    tasksAtRisk: rows.filter((r) => r.verdict === 'at risk').map(describe),
  };
}

// ---- summary.md -------------------------------------------------------------------------------

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** The scale step's section of bench/results/summary.md; `runLine` is summary.ts's stamp line. */
export function scaleSection(scale: Json, runLine: string): string {
  const d = scale.dataset as Json;
  const goals = scale.goals as Json;
  const stages = scale.stages as Json;
  const stageRows: (string | number)[][] = [];
  if (stages.generate)
    stageRows.push([
      'generate (not in the pipeline)',
      stages.generate.cached ? 'cached' : stages.generate.seconds,
      stages.generate.cached ? '–' : int(stages.generate.ratingsPerSecond),
      '',
    ]);
  stageRows.push(
    [
      'ingest',
      stages.ingest.seconds,
      int(stages.ingest.ratingsPerSecond),
      `chunk Map ${stages.ingest.chunkSeconds} s at ${int(stages.ingest.chunkRatingsPerSecond)} ratings/s, ${stages.ingest.chunks} chunks`,
    ],
    [
      'train',
      stages.train.seconds,
      int(stages.train.ratingsPerSecond),
      `blocks ${stages.train.blocks}, Map concurrency ${stages.train.concurrency}, RMSE ${stages.train.rmse ?? '–'}`,
    ],
    ['serve (start until it answers)', stages.serve.readySeconds, '–', ''],
  );
  const peaks = scale.peakRssMiB as Record<string, Record<string, Json>>;
  const names = [...new Set(Object.values(peaks).flatMap((p) => Object.keys(p)))];
  const stageNames = Object.keys(peaks);
  const rssRows = names.map((name) => [
    name,
    ...stageNames.map((s) => (peaks[s]![name] ? int(peaks[s]![name].peakMiB) : '–')),
  ]);
  const taskRows = (scale.taskMemory.functions as FunctionMemoryRow[]).map((r) => [
    `${r.stage}: ${r.functionName}`,
    r.tasks,
    r.lambdaMb ?? '–',
    int(r.lowerBoundMb),
    int(r.estimateMb),
    int(r.growthMb),
    int(r.retainedAtStartMb),
    r.longestTaskSeconds,
    r.verdict === 'fits' ? 'fits' : `**${r.verdict}**`,
  ]);
  const apiRows = (scale.api.scenarios as Json[]).map((s) => [
    s.scenario,
    int(s.requestsPerSecond),
    s.latencyMs.p50,
    s.latencyMs.p99,
    s.non2xx,
  ]);
  const trainStates = Object.entries(stages.train.stateSeconds as Record<string, number>)
    .map(([state, s]) => `${state} ${s.toFixed(1)} s`)
    .join(', ');
  return (
    `### Scale: ${int(d.ratings)} ratings through ingest → train → serve\n\n${runLine}\n` +
    (scale.quick ? '**--quick smoke test: not the 25M figures.** ' : '') +
    `Generated, ml-25m's shape (${int(d.users)} users, ${int(d.movies)} movies); product defaults ` +
    `(the default model, the block count Plan chose). Whole pipeline ${(goals.pipelineSeconds / 60).toFixed(1)} min ` +
    `(goal ≤ ${goals.pipelineGoalSeconds / 60} min: ${goals.pipelineWithinGoal ? 'met' : '**missed**'}); ` +
    `Tasks over their Lambda's memory: ${goals.tasksOverMemory.length === 0 ? 'none' : `**${goals.tasksOverMemory.join('; ')}**`}` +
    (goals.tasksAtRisk.length > 0 ? `; at risk: ${goals.tasksAtRisk.join('; ')}` : '') +
    '.\n\n' +
    table(['stage', 'seconds', 'ratings/s', ''], stageRows) +
    `\n\nTrain states (s, loops summed): ${trainStates}.\n\n` +
    'Peak RSS (MiB) per stage; "main" is this process with every handler worker thread:\n\n' +
    table(['process', ...stageNames], rssRows) +
    `\n\nPeak memory of each function's largest Task as a Lambda would hold it (MB), from its ` +
    `handler worker's heap + ArrayBuffers, sampled every ${scale.taskMemory.sampleMs} ms ` +
    `(scripts/runtime/local-sfn/task-memory.ts). Estimate: ${int(scale.taskMemory.runtimeOverheadMb)} MB of ` +
    `Node runtime + everything the worker held (resident heap pages; other functions' modules and ` +
    `cached run files included). Lower bound: runtime + the smallest container of the run ` +
    `(${int(scale.taskMemory.containerBaselineMb)} MB) + the live memory the task added ` +
    `(task growth). Over: the lower bound exceeds the Lambda; at risk: only the estimate does. ` +
    `The hook's garbage collection before each of the ${int(scale.taskMemory.tasks ?? 0)} Tasks took ` +
    `${scale.taskMemory.gcSeconds ?? 0} s in all (summed over the workers), inside the ingest and ` +
    `train times above.\n\n` +
    table(
      [
        'function',
        'tasks',
        'Lambda MB',
        'lower bound',
        'estimate',
        'task growth',
        'retained at start',
        'longest s',
        'verdict',
      ],
      taskRows,
    ) +
    `\n\nAPI on the resulting model (recsys serve, ${scale.api.connections} connections, ` +
    `${scale.api.secondsPerScenario} s each; first request ${scale.api.firstRequestMs} ms):\n\n` +
    table(['request', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx'], apiRows) +
    '\n'
  );
}
