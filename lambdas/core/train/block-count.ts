/**
 * How many blocks a training run splits each side into when the request names none: from the data
 * set's size, so that every Task fits Lambda's limits as the stack deploys them (memory; a 900 s
 * timeout, of which a task may plan to use half) and the work is spread over the Lambdas the
 * deployment may run at once. The arithmetic, at 25 M and at 1 B ratings, is in docs/cost-model.md.
 *
 * Times and memory are task sizing's (task-sizing.ts, task-memory.ts), at the per-core rates the
 * benchmarks measured, rounded down: the Plan Lambda has no benchmark results to read. No prices:
 * the choice is by fit and time alone (the cost model prices the result, never the other way).
 */
import { taskAssumptionValues, type TaskAssumptions } from './task-assumptions.ts';
import { trainTaskMemoryBytes, trainTaskMemoryLimitsMb } from './task-memory.ts';
import {
  PER_BLOCK_TASKS,
  sizeTrainRun,
  type TrainTask,
  type TrainWorkload,
} from './task-sizing.ts';

/** The most blocks a request may ask for (the execution state holds a few hundred bytes each). */
export const MAX_BLOCKS = 500;
/** A task may plan to use this much of its 900 s timeout; the rest absorbs slow S3 and retries. */
export const TASK_SECONDS_BUDGET = 450;
/**
 * Blocks are added, up to the concurrency, until no per-block task computes for longer than this:
 * beyond it a block's fixed costs (invocation, reading the other side's factors) outweigh what a
 * further split saves.
 */
export const TARGET_TASK_SECONDS = 60;
/**
 * The spread aims at least this many blocks while a task computes for more than
 * {@link TARGET_TASK_SECONDS}, even where fewer run at once (the Map queues the rest): a task then
 * stays far from its timeout where it gets less than the core the model assumes. The local runner
 * is that case: two handler workers and Cassandra on 2 cores ran a 25M-rating top-N block, estimated
 * at 347 s at 2 blocks (the local concurrency), past 900 s; at 200,000 ratings the output tasks took
 * 2.5–3.2× their estimates there.
 */
export const SPREAD_FLOOR = 16;
/**
 * Per-core rates of the block tasks, measured and rounded down: Cholesky ALS and the scalar scoring
 * loops 2.028 GFLOP/s (bench/results/als.json), the ranking model's CG 20.02 GFLOP/s
 * (bench/results/als-vs-implicit.json).
 */
export const BLOCK_TASK_RATES = { gflopsPerCore: 2, cgGflopsPerCore: 20 } as const;

/** What the choice needs to know about the run: the data set's size and the two models. */
export type BlockCountInput = Omit<
  TrainWorkload,
  'blocks' | 'concurrency' | 'gflopsPerCore' | 'cgGflopsPerCore'
> &
  Partial<Pick<TrainWorkload, 'gflopsPerCore' | 'cgGflopsPerCore'>>;

export interface BlockCountLimits {
  /** The most Lambdas at once a run may use (the deployment's `concurrency`). */
  readonly concurrency: number;
  /** The account's Lambda memory quota (`maxMemoryMb`): no task gets more. */
  readonly maxMemoryMb?: number;
}

export interface TaskFit {
  readonly seconds: number;
  readonly memoryMb: number;
  readonly limitMb: number;
}

export interface BlockCount {
  readonly blocks: number;
  /** Every task within its memory and {@link TASK_SECONDS_BUDGET} at `blocks`. */
  readonly fits: boolean;
  /** The smallest block count at which the per-block tasks fit (time; memory where it can). */
  readonly fewestBlocks: number;
  /** Each kind of task at `blocks`. */
  readonly tasks: Readonly<Record<TrainTask, TaskFit>>;
  /** When `fits` is false: the tasks that do not fit, and why (one line each). */
  readonly misfits: readonly string[];
}

const MB = 2 ** 20;

function tasksAt(
  input: BlockCountInput,
  blocks: number,
  a: TaskAssumptions,
  limits: Record<TrainTask, number>,
): Record<TrainTask, TaskFit> {
  const workload: TrainWorkload = {
    gflopsPerCore: BLOCK_TASK_RATES.gflopsPerCore,
    cgGflopsPerCore: BLOCK_TASK_RATES.cgGflopsPerCore,
    ...input,
    blocks,
    concurrency: blocks,
  };
  const seconds = sizeTrainRun(workload, a).tasks;
  const bytes = trainTaskMemoryBytes(workload, a);
  return Object.fromEntries(
    (Object.keys(seconds) as TrainTask[]).map((task) => [
      task,
      { seconds: seconds[task], memoryMb: bytes[task] / MB, limitMb: limits[task] },
    ]),
  ) as Record<TrainTask, TaskFit>;
}

const fitsTime = (t: TaskFit) => t.seconds <= TASK_SECONDS_BUDGET;
const fitsMemory = (t: TaskFit) => t.memoryMb <= t.limitMb;

/**
 * The block count: the fewest blocks at which every per-block task fits (memory and half the
 * timeout), raised towards the concurrency (at least {@link SPREAD_FLOOR}) while the heaviest
 * per-block task still computes for more than {@link TARGET_TASK_SECONDS}, never above
 * {@link MAX_BLOCKS}. Tasks that no block count
 * shrinks (a whole side of factors, the bundle) make `fits` false, with the reason in `misfits`.
 */
export function chooseBlockCount(
  input: BlockCountInput,
  limits: BlockCountLimits,
  overrides: Partial<TaskAssumptions> = {},
): BlockCount {
  const a = taskAssumptionValues(overrides);
  const memoryLimits = trainTaskMemoryLimitsMb(a, limits.maxMemoryMb);
  const perBlock = (blocks: number) => {
    const tasks = tasksAt(input, blocks, a, memoryLimits);
    return { tasks, list: PER_BLOCK_TASKS.map((t) => tasks[t]) };
  };
  let fewest: number | undefined;
  let fewestByTime: number | undefined;
  let working: number | undefined;
  for (let blocks = 1; blocks <= MAX_BLOCKS; blocks++) {
    const { list } = perBlock(blocks);
    if (fewestByTime === undefined && list.every(fitsTime)) fewestByTime = blocks;
    if (fewest === undefined && list.every((t) => fitsTime(t) && fitsMemory(t))) fewest = blocks;
    if (working === undefined && list.every((t) => t.seconds <= TARGET_TASK_SECONDS)) {
      working = blocks;
    }
    if (fewest !== undefined && working !== undefined) break;
  }
  const fewestBlocks = fewest ?? fewestByTime ?? MAX_BLOCKS;
  const spread = Math.min(Math.max(SPREAD_FLOOR, limits.concurrency), working ?? MAX_BLOCKS);
  const blocks = Math.min(MAX_BLOCKS, Math.max(fewestBlocks, spread));
  const { tasks } = perBlock(blocks);
  const misfits = (Object.keys(tasks) as TrainTask[]).flatMap((task) => {
    const t = tasks[task];
    const reasons = [
      ...(fitsMemory(t)
        ? []
        : [`needs ${Math.round(t.memoryMb)} MB of its Lambda's ${Math.round(t.limitMb)} MB`]),
      ...(fitsTime(t)
        ? []
        : [`needs ${Math.round(t.seconds)} s (budget ${TASK_SECONDS_BUDGET} s)`]),
    ];
    return reasons.length ? [`${task} ${reasons.join(' and ')}`] : [];
  });
  return { blocks, fits: misfits.length === 0, fewestBlocks, tasks, misfits };
}
