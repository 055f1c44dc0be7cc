/** Public surface of the ALS engine: training, block solves for distributed runs, models, serving. */
export { trainAls, trainAlsOnMatrices, csrRmse, type TrainingHooks } from './train.ts';
export {
  solveBlock,
  SolverScratch,
  currentRows,
  solverStartsFromCurrent,
  type BlockSolveInput,
  type BlockSolveOutput,
} from './block-solver.ts';
export { ratingSumUnits, meanFromRatingSum } from './global-mean.ts';
export { computeGram, gramOfRows, combineGramChunks, GRAM_CHUNK_ROWS } from './gram.ts';
export { initialFactors, initialFactorComponent, USER_SALT, ITEM_SALT } from './initial-factors.ts';
export {
  DEFAULT_ALS_OPTIONS,
  MAX_RANK,
  resolveAlsOptions,
  type AlsOptions,
  type AlsSolver,
  type ResolvedAlsOptions,
  type SolverSettings,
} from './options.ts';
export {
  predict,
  predictMany,
  rawScoreByIndex,
  clampRating,
  encodeModel,
  decodeModel,
  type AlsModel,
  type IterationRecord,
} from './model.ts';
export {
  topNForVector,
  recommendForUser,
  foldInUser,
  similarItems,
  similarItemsOfRows,
  itemNorms,
  userVector,
  denseItemIndices,
  type ScoredMovie,
  type TopNResult,
  type UserVector,
  type FoldInInput,
  type FoldInOptions,
} from './serving.ts';
export { TopNHeap } from './top-n-heap.ts';
export { ItemScorer, itemScorerFor, PANEL_ITEMS } from './item-scorer.ts';
export { warmStartFactors, warmStartMismatch, type WarmStartFactors } from './warm-start.ts';
