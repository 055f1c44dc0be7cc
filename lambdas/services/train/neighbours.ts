import {
  easeWeightsInPlace,
  factorGram,
  gramOfUsers,
  inverseRows,
  memberPositions,
  neighbourMembers,
} from '../../core/neighbours/ease.ts';
import {
  decodeNeighbourModel,
  encodeNeighbourModel,
  type NeighbourModel,
} from '../../core/neighbours/model.ts';
import { BinaryReader, BinaryWriter } from '../../core/matrix/binary.ts';
import type { BlockTask, NeighbourSolveTask } from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { mapLimit } from '../../core/pool.ts';
import { TrainingRun } from './run-state.ts';

export interface NeighbourGramResult {
  readonly block: number;
  readonly users: number;
  readonly movies: number;
  readonly seconds: number;
}

const GRAM_MAGIC = 'RSNGRAM1';

/** The movies that take part, from the run's rating counts (train and validation). */
async function members(run: TrainingRun) {
  const [settings, support] = await Promise.all([run.settings(), run.itemSupport()]);
  if (!settings.neighbours) return null;
  const chosen = neighbourMembers(support, settings.neighbours);
  return { settings: settings.neighbours, members: chosen, itemCount: support.length };
}

/**
 * Neighbours, Map item: the partial XᵀX of block b's users over the neighbour movies, from every
 * rating they made (validation included: the published model has seen all the data). Its entries
 * are whole numbers, stored as float32, exact below 2²⁴ — a block would need ~1.8 million users
 * rating the same pair of movies to reach it.
 */
export async function neighbourGramBlock(
  task: BlockTask,
  stores: Stores,
): Promise<NeighbourGramResult> {
  const started = performance.now();
  const run = new TrainingRun(task.runId, stores);
  const [chosen, users] = await Promise.all([members(run), run.blockAll('user', task.block)]);
  const M = chosen?.members.length ?? 0;
  if (chosen) {
    const position = memberPositions(chosen.members, chosen.itemCount);
    const partial = gramOfUsers(users, position, M, chosen.settings);
    if (partial.some((v) => v >= 2 ** 24))
      throw new Error('neighbour Gram entry too large for float32');
    await run.files.putBytes(
      run.layout.neighbourGram(task.block),
      new BinaryWriter(GRAM_MAGIC, 1).u32(M).array(Float32Array.from(partial)).finish(),
    );
  }
  return {
    block: task.block,
    users: users.rows.length,
    movies: M,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Neighbours: sums the blocks' partials into XᵀX (exact, any order), adds λ, factors it once and
 * inverts it (M³ in one Lambda: M = 2,000 is ~10 GFLOP, seconds), then writes the EASE weights
 * B = −P / diag(P) as the run's neighbour model.
 */
export async function neighbourSolve(
  task: NeighbourSolveTask,
  stores: Stores,
): Promise<{ movies: number; seconds: number }> {
  const started = performance.now();
  const run = new TrainingRun(task.runId, stores);
  const [plan, chosen, itemIds] = await Promise.all([run.plan(), members(run), run.idMap('item')]);
  if (!chosen) return { movies: 0, seconds: 0 };
  const M = chosen.members.length;
  const gram = new Float64Array(M * M);
  await mapLimit(plan.blocks, 4, async (block) => {
    const reader = new BinaryReader(
      await run.files.getBytes(run.layout.neighbourGram(block)),
      GRAM_MAGIC,
      [1],
    );
    if (reader.u32() !== M) throw new Error(`neighbour Gram of block ${block} has the wrong size`);
    const partial = reader.f32Array();
    for (let k = 0; k < partial.length; k++) gram[k]! += partial[k]!;
  });
  if (M > 0) factorGram(gram, M, chosen.settings.reg);
  const all = Int32Array.from({ length: M }, (_, k) => k);
  const { rows, diagonal } = inverseRows(gram, M, all);
  const model: NeighbourModel = {
    settings: chosen.settings,
    movieIds: Int32Array.from(chosen.members, (item) => itemIds.ids[item]!),
    weights: easeWeightsInPlace(rows, all, diagonal),
  };
  await run.files.putBytes(run.layout.neighbours, encodeNeighbourModel(model));
  return { movies: M, seconds: (performance.now() - started) / 1000 };
}

/** The run's neighbour model, or null when the run has none. */
export async function runNeighbours(run: TrainingRun): Promise<NeighbourModel | null> {
  const settings = await run.settings();
  if (!settings.neighbours) return null;
  return run.files.immutable(run.layout.neighbours, decodeNeighbourModel);
}
