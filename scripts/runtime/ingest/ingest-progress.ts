import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { LocalSfnEvent } from '../local-sfn/index.ts';

interface ChunkProgressLine {
  readonly message: 'chunk progress';
  readonly chunk: number;
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly rowsWritten: number;
  readonly rowsTotal: number;
  readonly phase: 'reading' | 'writing';
}

/**
 * One progress bar per chunk on stderr: the first half of a bar is reading and validating its byte
 * range, the second half writing rows. Without a terminal, one line per finished chunk instead.
 * Fed by the state machine's events and by the chunk handlers' "chunk progress" log lines.
 */
export class IngestProgress {
  private readonly bars = new Map<number, SingleBar>();
  private readonly multi: MultiBar | undefined;
  private chunkCount = 0;
  private finished = 0;
  private pendingOutput = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.multi = stream.isTTY
      ? new MultiBar(
          {
            stream,
            format: 'chunk {chunk} [{bar}] {percentage}% | {phase}',
            hideCursor: true,
            clearOnComplete: false,
          },
          Presets.shades_classic,
        )
      : undefined;
  }

  onEvent(event: LocalSfnEvent): void {
    if (event.stateName !== 'IngestChunks') return;
    if (event.type === 'StateEntered' && event.mapItemCount !== undefined) {
      this.chunkCount = event.mapItemCount;
    }
    if (event.index === undefined) return;
    if (event.type === 'MapIterationStarted') this.update(event.index, 0, 'queued');
    if (event.type === 'MapIterationSucceeded') {
      this.update(event.index, 100, 'done');
      this.finished++;
      if (!this.multi) {
        this.stream.write(`chunk ${event.index + 1}/${this.chunkCount} done\n`);
      }
    }
  }

  /** Handler console output, possibly cut mid-line. Returns the lines that were not progress. */
  onHandlerOutput(text: string): string[] {
    const lines = (this.pendingOutput + text).split('\n');
    this.pendingOutput = lines.pop() ?? '';
    const others: string[] = [];
    for (const line of lines) {
      const progress = parseProgress(line);
      if (!progress) {
        if (line.trim() !== '') others.push(line);
        continue;
      }
      const percent =
        progress.phase === 'reading'
          ? (50 * progress.bytesRead) / Math.max(1, progress.bytesTotal)
          : 50 + (50 * progress.rowsWritten) / Math.max(1, progress.rowsTotal);
      this.update(progress.chunk, Math.min(99, Math.round(percent)), progress.phase);
    }
    return others;
  }

  stop(): void {
    this.multi?.stop();
  }

  private update(index: number, percent: number, phase: string): void {
    if (!this.multi) return;
    let bar = this.bars.get(index);
    if (!bar) {
      bar = this.multi.create(100, 0, { chunk: String(index + 1).padStart(3), phase });
      this.bars.set(index, bar);
    }
    bar.update(Math.max(percent, bar.getProgress() * 100), { phase });
  }
}

function parseProgress(line: string): ChunkProgressLine | undefined {
  if (!line.includes('"chunk progress"')) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<ChunkProgressLine>;
    return parsed.message === 'chunk progress' && typeof parsed.chunk === 'number'
      ? (parsed as ChunkProgressLine)
      : undefined;
  } catch {
    return undefined;
  }
}
