import { SingleBar } from 'cli-progress';
import type { LocalSfnEvent } from '../local-sfn/index.ts';
import type { LoopState, RunPlan } from '../../../lambdas/core/train/workflow-types.ts';

/** Top-level states announced on stderr as the run reaches them. */
const STAGE_LINES: Readonly<Record<string, string>> = {
  ScanTokenRanges: 'scanning ratings by token range',
  AssembleBlocks: 'assembling CSR blocks',
  TuneGrid: 'tuning rank × reg on the validation split',
  Init: 'initial factors',
  Outputs: 'writing recommendations and similar movies',
  Publish: 'publishing the model',
};

function formatRmse(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toFixed(4);
}

/**
 * Training progress on stderr: a bar over iterations with the validation RMSE and the time of the
 * last one (on a terminal), or one line per iteration (in logs and CI). Fed by the state machine's
 * events: Plan's output gives the iteration counts, each Checkpoint's output the loop state. The
 * refit iterations (every rating, after the fit phase) are counted apart: they have no validation
 * RMSE, the validation ratings being part of what they train on.
 */
export class TrainProgress {
  private bar: SingleBar | undefined;
  private total = 0;
  private refitTotal = 0;
  /** The phase of the iteration the next loop state reports (Init's state says 'fit'). */
  private reportedPhase: LoopState['phase'] = 'fit';
  private refitDone = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  onEvent(event: LocalSfnEvent): void {
    if (event.index !== undefined) return;
    if (event.type === 'StateEntered' && event.stateName && STAGE_LINES[event.stateName]) {
      if (event.stateName === 'Outputs') this.stopBar();
      this.stream.write(`${STAGE_LINES[event.stateName]}…\n`);
    }
    if (event.type !== 'StateExited') return;
    const output = event.output as {
      plan?: RunPlan;
      loop?: LoopState;
      tuned?: { rank?: number; reg?: number; rmse?: number };
    };
    if (event.stateName === 'Plan' && output.plan) {
      const { plan } = output;
      this.total = plan.iterations;
      this.refitTotal = plan.refitIterations;
      this.stream.write(
        `model ${plan.runId}: ${plan.blockCount} blocks, ${plan.ranges.length} token ranges, ` +
          `Map concurrency ${plan.concurrency}${plan.resumed ? ' (resuming)' : ''}\n`,
      );
    }
    if (event.stateName === 'TuneSelect' && output.tuned) {
      const { rank, reg, rmse } = output.tuned;
      this.stream.write(`tuned: rank ${rank}, reg ${reg} (validation RMSE ${formatRmse(rmse)})\n`);
    }
    if ((event.stateName === 'Checkpoint' || event.stateName === 'Init') && output.loop) {
      this.onLoop(output.loop);
    }
  }

  stop(): void {
    this.stopBar();
  }

  private onLoop(loop: LoopState): void {
    const refit = this.reportedPhase === 'refit' && loop.seconds !== null;
    this.reportedPhase = loop.phase;
    if (refit) this.refitDone++;
    const payload = {
      rmse: refit ? 'none (refit)' : formatRmse(loop.rmse),
      seconds: loop.seconds === null ? '–' : loop.seconds.toFixed(2),
    };
    if (!this.stream.isTTY) {
      if (loop.seconds !== null) {
        this.stream.write(
          refit
            ? `refit ${this.refitDone}/${this.refitTotal} on every rating: ${payload.seconds} s\n`
            : `iteration ${loop.iteration}/${this.total}: validation RMSE ${payload.rmse}, ${payload.seconds} s\n`,
        );
      }
      return;
    }
    if (!this.bar) {
      this.bar = new SingleBar({
        stream: this.stream,
        format:
          'train [{bar}] {value}/{total} iterations (fit + refit) | validation RMSE {rmse} | {seconds} s/iter',
        hideCursor: true,
      });
      this.bar.start(this.total + this.refitTotal, loop.iteration, payload);
    } else {
      this.bar.update(loop.iteration, payload);
    }
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
