import type { AlsModel } from '../../core/als/index.ts';
import { decodeCsr, type CsrBlock } from '../../core/matrix/csr.ts';
import { decodeIdMap, type IdMap } from '../../core/matrix/id-map.ts';
import {
  decodeCounts,
  decodeSideFactors,
  type SideFactors,
} from '../../core/train/factor-files.ts';
import { runLayout, type RunLayout, type Side } from '../../core/train/run-layout.ts';
import { decodeTriples } from '../../core/train/shuffle.ts';
import type {
  Checkpoint,
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

  plan(): Promise<RunPlan> {
    return this.files.immutableJson<RunPlan>(this.layout.plan);
  }

  settings(): Promise<RunSettings> {
    return this.files.immutableJson<RunSettings>(this.layout.settings);
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

  block(side: Side, block: number): Promise<CsrBlock> {
    return this.files.immutable(this.layout.blockCsr(side, block), decodeCsr);
  }

  validation(block: number): Promise<RatingsTable> {
    return this.files.immutable(this.layout.validation(block), decodeTriples);
  }

  itemSupport(): Promise<Int32Array> {
    return this.files.immutable(this.layout.itemSupport, decodeCounts);
  }

  side(iteration: number, side: Side): Promise<SideFactors> {
    return this.files.immutable(this.layout.sideFactors(iteration, side), decodeSideFactors);
  }

  /** The model as of a complete iteration, with the run's history up to it unless told not to. */
  async model(iteration: number, { history: withHistory = true } = {}): Promise<AlsModel> {
    const [settings, index, userIds, itemIds, users, items, checkpoint] = await Promise.all([
      this.settings(),
      this.index(),
      this.idMap('user'),
      this.idMap('item'),
      this.side(iteration, 'user'),
      this.side(iteration, 'item'),
      withHistory ? this.checkpoint() : undefined,
    ]);
    const history = (checkpoint?.history ?? [])
      .filter((h) => h.iteration <= iteration)
      .map(({ iteration: k, seconds, trainRmse }) => ({
        iteration: k,
        seconds,
        ...(trainRmse !== undefined ? { trainRmse } : {}),
      }));
    const model: AlsModel = {
      rank: settings.options.rank,
      userIds,
      itemIds,
      userFactors: users.factors,
      itemFactors: items.factors,
      globalMean: index.globalMean,
      options: settings.options,
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
