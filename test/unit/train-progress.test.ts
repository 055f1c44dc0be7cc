import { describe, expect, it } from 'vitest';
import { TrainProgress } from '../../scripts/runtime/train/train-progress.ts';
import type { LocalSfnEvent } from '../../scripts/runtime/local-sfn/index.ts';
import type { LoopPhase } from '../../lambdas/core/train/workflow-types.ts';

/** A fake stderr that is not a terminal: TrainProgress then writes one line per iteration. */
function fakeLog(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = {
    isTTY: false,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

const exited = (stateName: string, output: unknown): LocalSfnEvent =>
  ({ type: 'StateExited', timestamp: 0, stateName, output }) as LocalSfnEvent;

function loop(iteration: number, phase: LoopPhase, rmse: number | null, seconds: number | null) {
  return {
    loop: {
      iteration,
      next: iteration + 1,
      phase,
      done: false,
      converged: false,
      rmse,
      trainRmse: null,
      seconds,
      finishedAt: 0,
    },
  };
}

describe('TrainProgress', () => {
  it('counts the refit iterations apart from the fit, with no validation RMSE', () => {
    const log = fakeLog();
    const progress = new TrainProgress(log.stream);
    progress.onEvent(
      exited('Plan', {
        plan: {
          runId: 'r',
          iterations: 3,
          refitIterations: 2,
          blockCount: 1,
          ranges: [{}],
          concurrency: 2,
        },
      }),
    );
    progress.onEvent(exited('Init', loop(0, 'fit', null, null)));
    progress.onEvent(exited('Checkpoint', loop(1, 'fit', 0.9, 0.5)));
    progress.onEvent(exited('Checkpoint', loop(2, 'fit', 0.88, 0.5)));
    // The fit phase ends after iteration 3 (the next one is a refit), converged or not.
    progress.onEvent(exited('Checkpoint', loop(3, 'refit', 0.87, 0.5)));
    progress.onEvent(exited('Checkpoint', loop(4, 'refit', 0.87, 0.25)));
    progress.onEvent(
      exited('Checkpoint', { loop: { ...loop(5, 'refit', 0.87, 0.25).loop, done: true } }),
    );
    expect(log.text().split('\n').slice(1, -1)).toEqual([
      'iteration 1/3: validation RMSE 0.9000, 0.50 s',
      'iteration 2/3: validation RMSE 0.8800, 0.50 s',
      'iteration 3/3: validation RMSE 0.8700, 0.50 s',
      'refit 1/2 on every rating: 0.25 s',
      'refit 2/2 on every rating: 0.25 s',
    ]);
  });
});
