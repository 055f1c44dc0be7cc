import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the demo's last successful run did, per keyspace: what a later run compares against. */
export interface DemoState {
  readonly dataset?: {
    readonly name: string;
    readonly dir: string;
    /** {@link fingerprintDataset}'s sha256 of the folder that was ingested. */
    readonly fingerprint: string;
    /** The `datasets` row's updated_at right after that ingestion: any later ingestion changes it. */
    readonly updatedAt: string;
  };
  readonly model?: {
    readonly modelId: string;
    /** Data fingerprint + ingestion time + training request: equal means the same model. */
    readonly key: string;
    readonly baselines: Baselines;
  };
}

export interface Baselines {
  /** Validation RMSE of predicting the training mean for every rating. */
  readonly globalMean: number;
  /** Validation RMSE of mean + damped user and movie biases. */
  readonly biasOnly: number;
  readonly trainRatings: number;
  readonly validationRatings: number;
}

export class DemoStateStore {
  readonly dir: string;

  constructor(rootDir: string, keyspace: string) {
    this.dir = join(rootDir, keyspace);
  }

  get modelCacheDir(): string {
    return join(this.dir, 'models');
  }

  async read(): Promise<DemoState> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'state.json'), 'utf8')) as DemoState;
    } catch {
      // Missing or unreadable: nothing is known, so everything is redone.
      return {};
    }
  }

  async write(state: DemoState): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, 'state.json');
    // Renamed into place so an interrupted write never leaves a half file that looks valid.
    await writeFile(`${path}.partial`, JSON.stringify(state, null, 2) + '\n');
    await rename(`${path}.partial`, path);
  }
}
