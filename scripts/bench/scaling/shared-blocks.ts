import type { CsrBlock } from '../../../lambdas/core/matrix/csr.ts';

/**
 * CSR blocks and factor matrices live in SharedArrayBuffers so every worker thread reads the same
 * memory: a half-step then costs no copying, like Lambdas reading the same S3 objects.
 */
export interface SharedCsrBlock {
  rows: Int32Array;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float32Array;
  totalRows: number;
  numCols: number;
}

function shareInt32(source: Int32Array): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(source.byteLength));
  out.set(source);
  return out;
}

function shareFloat32(source: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(source.byteLength));
  out.set(source);
  return out;
}

export function shareBlock(block: CsrBlock): SharedCsrBlock {
  return {
    rows: shareInt32(block.rows),
    rowPtr: shareInt32(block.rowPtr),
    colIdx: shareInt32(block.colIdx),
    values: shareFloat32(block.values),
    totalRows: block.totalRows,
    numCols: block.numCols,
  };
}

export function sharedFloat32(length: number, init?: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(length * 4));
  if (init) out.set(init);
  return out;
}

/** One half-step's work order, posted to every worker. */
export interface HalfStepJob {
  side: 'user' | 'item';
  fixedFactors: Float32Array;
  fixedBias: Float32Array;
  outFactors: Float32Array;
  outBias: Float32Array;
  /** Workers claim block numbers from this counter, so fast workers take more blocks. */
  nextBlock: Int32Array;
}

export interface WorkerSetup {
  userBlocks: SharedCsrBlock[];
  itemBlocks: SharedCsrBlock[];
  globalMean: number;
  settings: import('../../../lambdas/core/als/index.ts').SolverSettings;
}
