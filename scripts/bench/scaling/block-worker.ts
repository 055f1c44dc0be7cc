import { parentPort, workerData } from 'node:worker_threads';
import { SolverScratch, solveBlock } from '../../../lambdas/core/als/index.ts';
import type { HalfStepJob, WorkerSetup } from './shared-blocks.ts';

/** A stand-in for one block Lambda: solves the blocks it claims and writes rows it owns. */
const setup = workerData as WorkerSetup;
const scratch = new SolverScratch();
const rank = setup.settings.rank;

parentPort!.on('message', (job: HalfStepJob) => {
  const blocks = job.side === 'user' ? setup.userBlocks : setup.itemBlocks;
  let solved = 0;
  for (;;) {
    const b = Atomics.add(job.nextBlock, 0, 1);
    if (b >= blocks.length) break;
    const out = solveBlock(
      {
        block: blocks[b]!,
        fixedFactors: job.fixedFactors,
        fixedBias: job.fixedBias,
        globalMean: setup.globalMean,
      },
      setup.settings,
      scratch,
    );
    for (let r = 0; r < out.rows.length; r++) {
      const row = out.rows[r]!;
      job.outFactors.set(out.factors.subarray(r * rank, r * rank + rank), row * rank);
      if (out.bias) job.outBias[row] = out.bias[r]!;
    }
    solved++;
  }
  parentPort!.postMessage(solved);
});
