/**
 * Where a training run keeps its files: everything under `runs/<runId>/` (the bucket expires that
 * prefix after two weeks), every key a function of (run, iteration, side, block) only, so a retried
 * or re-run step overwrites exactly what it wrote before with the same bytes.
 */
export type Side = 'user' | 'item';

/**
 * The two ALS models one run trains side by side in the same block tasks: `rating` (explicit,
 * predicted stars, validation RMSE) and `ranking` (implicit, the lists).
 */
export type Head = 'rating' | 'ranking';
export const HEADS: readonly Head[] = ['rating', 'ranking'];

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Run ids become S3 prefixes and model ids (Cassandra keys): keep them plain. */
export function assertRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new Error(
      `invalid model id "${runId}": use letters, digits, ".", "_" and "-" (at most 100)`,
    );
  }
  return runId;
}

const block = (b: number): string => `b${String(b).padStart(4, '0')}`;
const range = (r: number): string => `r${String(r).padStart(5, '0')}`;
const iteration = (k: number): string => `i${String(k).padStart(4, '0')}`;

export function runLayout(runId: string) {
  const root = `runs/${assertRunId(runId)}/`;
  return {
    root,
    /** The resolved request (written by Plan): every Lambda reads its settings here. */
    plan: `${root}plan.json`,
    /** Solver settings fixed at Init (after tuning, with the observed rating range). */
    settings: `${root}settings.json`,
    tuning: `${root}tuning.json`,
    checkpoint: `${root}checkpoint.json`,
    shufflePart: (orientation: Side, toBlock: number, fromRange: number) =>
      `${root}shuffle/by-${orientation}/${block(toBlock)}/${range(fromRange)}.bin`,
    scanIds: (fromRange: number) => `${root}shuffle/ids/${range(fromRange)}.bin`,
    index: `${root}index/index.json`,
    userIds: `${root}index/users.bin`,
    itemIds: `${root}index/items.bin`,
    /** Ratings per item (train + validation), aligned with the item id map. */
    itemSupport: `${root}index/item-support.bin`,
    /** The training split's rows of block b (the fit phase). */
    blockCsr: (side: Side, b: number) => `${root}blocks/${side}/${block(b)}.csr`,
    /** Every rating of block b, validation included (the refit phase, the outputs). */
    blockCsrAll: (side: Side, b: number) => `${root}blocks/${side}-all/${block(b)}.csr`,
    blockSupport: (b: number) => `${root}blocks/item-support/${block(b)}.bin`,
    /** Who rated each movie of item block b, every rating (core/train/raters-index.ts). */
    ratersPart: (b: number) => `${root}raters/${block(b)}.bin`,
    validation: (b: number) => `${root}blocks/validation/${block(b)}.bin`,
    blockFactors: (k: number, head: Head, side: Side, b: number) =>
      `${root}factors/${iteration(k)}/${head}/${side}/${block(b)}.bin`,
    sideFactors: (k: number, head: Head, side: Side) =>
      `${root}factors/${iteration(k)}/${head}/${side}s.bin`,
    /** Block b's users' partial XᵀX over the neighbour movies. */
    neighbourGram: (b: number) => `${root}neighbours/gram/${block(b)}.bin`,
    /** The fitted neighbour model (EASE weights). */
    neighbours: `${root}neighbours/model.bin`,
  };
}

export type RunLayout = ReturnType<typeof runLayout>;

/** A sortable, readable default id: `als-20260126-093012-3fa9c1`. */
export function newModelId(now: Date, randomHex: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return assertRunId(`als-${stamp}-${randomHex.slice(0, 6)}`);
}
