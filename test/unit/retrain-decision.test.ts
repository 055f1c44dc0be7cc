/**
 * Scheduled retraining (`ifNewData`) on whatever the stack holds: an empty stack, a first
 * ingestion under way, a dead one, a run in flight, nothing new. Each is a skip with its reason
 * (the execution ends a success), never a run that fails and alarms every day.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  INGEST_RUN_TIMEOUT_MS,
  TRAIN_RUN_TIMEOUT_MS,
  decideRetrain,
  type RetrainFacts,
} from '../../lambdas/services/train/new-data.ts';

const NOW = new Date('2026-03-01T03:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const EMPTY: RetrainFacts = {
  models: [],
  activeModelId: undefined,
  apiChangeAt: undefined,
  datasets: [],
};
const served = (h: number) => ({
  models: [{ modelId: 'base', status: 'ready', createdAt: hoursAgo(h) }],
  activeModelId: 'base',
});
const dataset = (name: string, status: string, h: number) => ({
  dataset: name,
  status,
  updatedAt: hoursAgo(h).toISOString(),
});
const decide = (facts: Partial<RetrainFacts>) =>
  decideRetrain({ ...EMPTY, ...facts }, NOW, 'als-scheduled');

describe('scheduled retraining decides at Plan', () => {
  it('skips on an empty stack: nothing ingested, no model', () => {
    expect(decide({})).toMatchObject({
      skipped: true,
      reason: expect.stringMatching(/^no ready data set: nothing has been ingested yet/),
      activeModelId: null,
      lastChangeAt: null,
      checkedAt: NOW.toISOString(),
    });
  });

  it('skips during the first ingestion (its ratings are half written)', () => {
    const check = decide({ datasets: [dataset('ml-25m', 'ingesting', 1)] });
    expect(check).toMatchObject({ skipped: true, activeModelId: null });
    expect(check.reason).toMatch(/^ingestion running: data set ml-25m is ingesting/);
  });

  it('skips when the only ingestions failed, or one died without finishing', () => {
    for (const datasets of [
      [dataset('broken', 'failed', 2)],
      [dataset('dead', 'ingesting', INGEST_RUN_TIMEOUT_MS / 3_600_000 + 1)],
    ]) {
      const check = decide({ datasets });
      expect(check.skipped).toBe(true);
      expect(check.reason).toMatch(/^no ready data set: (broken failed|dead ingesting)$/);
    }
  });

  it('trains once a data set is ready and no model serves yet', () => {
    expect(decide({ datasets: [dataset('ml-latest-small', 'ready', 5)] })).toEqual({
      skipped: false,
      reason: 'no model serves yet',
    });
  });

  it('skips when nothing changed since the active model, trains when the API or an ingestion did', () => {
    const datasets = [dataset('ml-latest-small', 'ready', 30)];
    expect(decide({ ...served(24), datasets })).toMatchObject({
      skipped: true,
      reason: expect.stringMatching(/^no new data: no rating changed since model base/),
      activeModelId: 'base',
    });
    expect(decide({ ...served(24), datasets, apiChangeAt: hoursAgo(2).getTime() })).toMatchObject({
      skipped: false,
      reason: expect.stringMatching(/^ratings changed at .* after model base/),
    });
    const newer = [...datasets, dataset('ml-25m', 'ready', 3)];
    expect(decide({ ...served(24), datasets: newer }).skipped).toBe(false);
    // A model trained on ratings loaded without an ingestion (tests, benches) still counts.
    expect(decide({ ...served(24), apiChangeAt: hoursAgo(1).getTime() }).skipped).toBe(false);
  });

  it('skips while a second ingestion runs, even with changes to train on', () => {
    const check = decide({
      ...served(24),
      datasets: [dataset('ml-latest-small', 'ready', 30), dataset('ml-25m', 'ingesting', 0.5)],
      apiChangeAt: hoursAgo(2).getTime(),
    });
    expect(check).toMatchObject({ skipped: true, activeModelId: 'base' });
    expect(check.reason).toMatch(/^ingestion running: data set ml-25m/);
  });

  it('skips while another run trains, and not after that run timed out', () => {
    const datasets = [dataset('ml-latest-small', 'ready', 1)];
    const inFlight = { modelId: 'after-ingest', status: 'training', createdAt: hoursAgo(0.5) };
    expect(decide({ datasets, models: [inFlight] }).reason).toMatch(
      /^model after-ingest is training/,
    );
    const dead = { ...inFlight, createdAt: hoursAgo(TRAIN_RUN_TIMEOUT_MS / 3_600_000 + 1) };
    expect(decide({ datasets, models: [dead] })).toEqual({
      skipped: false,
      reason: 'no model serves yet',
    });
  });

  it('ages runs out at the state machines’ own TimeoutSeconds', () => {
    const timeout = (file: string) =>
      (JSON.parse(readFileSync(`statemachines/${file}`, 'utf8')) as { TimeoutSeconds: number })
        .TimeoutSeconds * 1000;
    expect(INGEST_RUN_TIMEOUT_MS).toBe(timeout('ingest.asl.json'));
    expect(TRAIN_RUN_TIMEOUT_MS).toBe(timeout('train.asl.json'));
  });
});
