import type { AlsModel } from '../../core/als/index.ts';
import { decodeCsr, type CsrBlock } from '../../core/matrix/csr.ts';
import { decodeIdMap, type IdMap } from '../../core/matrix/id-map.ts';
import {
  decodeCounts,
  decodeSideFactors,
  type SideFactors,
} from '../../core/train/factor-files.ts';
import { runLayout, type Head, type RunLayout, type Side } from '../../core/train/run-layout.ts';
import {
  runPlanOf,
  runSettingsOf,
  type StoredRunPlan,
  type StoredRunSettings,
} from '../../core/train/heads.ts';
import { decodeTriples } from '../../core/train/shuffle.ts';
import type {
  Checkpoint,
  LoopPhase,
  RunIndex,
  RunPlan,
  RunSettings,
} from '../../core/train/workflow-types.ts';
import type { RatingsTable } from '../../core/ratings.ts';
import type { Stores } from '../runtime.ts';
import { RunFiles } from './run-files.ts';

/** Typed reads of one run's files: what every step of the train state machine starts from. */
export class TrainingRun {
  readonly files: RunFiles;
  readonly layout: RunLayout;

  constructor(
    readonly runId: string,
    stores: Pick<Stores, 's3'>,
  ) {
    this.files = new RunFiles(stores.s3);
    this.layout = runLayout(runId);
  }

  async plan(): Promise<RunPlan> {
    return runPlanOf(await this.files.immutableJson<StoredRunPlan>(this.layout.plan));
  }

  async settings(): Promise<RunSettings> {
    return runSettingsOf(await this.files.immutableJson<StoredRunSettings>(this.layout.settings));
  }

  index(): Promise<RunIndex> {
    return this.files.immutableJson<RunIndex>(this.layout.index);
  }

  checkpoint(): Promise<Checkpoint | undefined> {
    return this.files.currentJson<Checkpoint>(this.layout.checkpoint);
  }

  idMap(side: Side): Promise<IdMap> {
    const key = side === 'user' ? this.layout.userIds : this.layout.itemIds;
    return this.files.immutable(key, decodeIdMap);
  }

  /** Block b's training split (the fit phase). */
  block(side: Side, block: number): Promise<CsrBlock> {
    return this.files.immutable(this.layout.blockCsr(side, block), decodeCsr);
  }

  /** Block b with every rating, validation included (the refit phase, the outputs). */
  async blockAll(side: Side, block: number): Promise<CsrBlock> {
    const plan = await this.plan();
    const key =
      plan.validation > 0
        ? this.layout.blockCsrAll(side, block)
        : this.layout.blockCsr(side, block);
    return this.files.immutable(key, decodeCsr);
  }

  /** The rows a phase solves against. */
  blockOf(phase: LoopPhase, side: Side, block: number): Promise<CsrBlock> {
    return phase === 'refit' ? this.blockAll(side, block) : this.block(side, block);
  }

  validation(block: number): Promise<RatingsTable> {
    return this.files.immutable(this.layout.validation(block), decodeTriples);
  }

  itemSupport(): Promise<Int32Array> {
    return this.files.immutable(this.layout.itemSupport, decodeCounts);
  }

  side(iteration: number, head: Head, side: Side): Promise<SideFactors> {
    return this.files.immutable(this.layout.sideFactors(iteration, head, side), decodeSideFactors);
  }

  /** One head's model as of a complete iteration, with the run's history unless told not to. */
  async model(
    iteration: number,
    head: Head = 'rating',
    { history: withHistory = true } = {},
  ): Promise<AlsModel> {
    const [settings, index, userIds, itemIds, users, items, checkpoint] = await Promise.all([
      this.settings(),
      this.index(),
      this.idMap('user'),
      this.idMap('item'),
      this.side(iteration, head, 'user'),
      this.side(iteration, head, 'item'),
      withHistory ? this.checkpoint() : undefined,
    ]);
    const options = settings.heads[head];
    const history = (checkpoint?.history ?? [])
      .filter((h) => h.iteration <= iteration)
      .map(({ iteration: k, seconds, trainRmse }) => ({
        iteration: k,
        seconds,
        ...(trainRmse !== undefined ? { trainRmse } : {}),
      }));
    const model: AlsModel = {
      rank: options.rank,
      userIds,
      itemIds,
      userFactors: users.factors,
      itemFactors: items.factors,
      globalMean: index.globalMean,
      options,
      history,
    };
    if (users.bias && items.bias) {
      model.userBias = users.bias;
      model.itemBias = items.bias;
    }
    return model;
  }
}

export function otherSide(side: Side): Side {
  return side === 'user' ? 'item' : 'user';
}
