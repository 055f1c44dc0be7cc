import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  INGEST_DEFINITION,
  INGEST_FUNCTIONS,
  TRAIN_STATE_MACHINE_SUBSTITUTION,
} from '../../statemachines/ingest.functions.ts';

interface State {
  Type: string;
  Resource?: string;
  Retry?: { ErrorEquals: string[]; BackoffRate?: number; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemProcessor?: { ProcessorConfig?: { Mode?: string }; States: Record<string, State> };
  ItemSelector?: Record<string, string>;
  MaxConcurrencyPath?: string;
}

const text = readFileSync(join(import.meta.dirname, '../..', INGEST_DEFINITION), 'utf8');
const definition = JSON.parse(text) as { States: Record<string, State> };

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
  ]);
}

describe('statemachines/ingest.asl.json', () => {
  it('names exactly the functions the local runner and the CDK construct bind, and the train machine', () => {
    const substitutions = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...substitutions].sort()).toEqual(
      [...Object.keys(INGEST_FUNCTIONS), TRAIN_STATE_MACHINE_SUBSTITUTION].sort(),
    );
  });

  it('retries every Task with backoff on TransientError and transient Lambda errors', () => {
    const tasks = allStates(definition.States).filter(
      ([, s]) => s.Type === 'Task' && s.Resource === 'arn:aws:states:::lambda:invoke',
    );
    expect(tasks.length).toBeGreaterThanOrEqual(7);
    for (const [name, task] of tasks) {
      const retrier = task.Retry?.find((r) => r.ErrorEquals.includes('TransientError'));
      expect(retrier, name).toBeDefined();
      expect(retrier!.ErrorEquals).toContain('Lambda.ServiceException');
      expect(retrier!.BackoffRate).toBeGreaterThanOrEqual(2);
      expect(retrier!.MaxAttempts).toBeGreaterThanOrEqual(3);
    }
  });

  it('marks the data set failed when a stage after validation fails', () => {
    for (const name of ['Plan', 'DescribeRatingsTables', 'Catalogue', 'Aggregate']) {
      expect(definition.States[name]!.Catch?.[0]).toMatchObject({
        ErrorEquals: ['States.ALL'],
        Next: 'MarkFailed',
      });
    }
  });

  it('maps over chunks in DISTRIBUTED mode with items that carry keys and ranges only', () => {
    const map = definition.States.IngestChunks!;
    expect(map.ItemProcessor?.ProcessorConfig?.Mode).toBe('DISTRIBUTED');
    // Chosen per execution: the pace of the capacity the load runs at (OnDemandPace or
    // ProvisionedPace), one chunk per worker thread locally.
    expect(map.MaxConcurrencyPath).toBe('$.pace.chunkConcurrency');
    expect(map.ItemSelector!['writeRatingsPerSecond.$']).toBe('$.pace.writeRatingsPerSecond');
    expect(Object.keys(map.ItemSelector!).sort()).toEqual([
      'chunk.$',
      'dataset.$',
      'ratingsFormat.$',
      'ratingsKey.$',
      'writeRatingsPerSecond.$',
      'writeTimeBase.$',
    ]);
  });

  it('starts training itself once the data set is ready, only when the input asks (`train`)', () => {
    const states = definition.States as unknown as Record<string, Record<string, unknown>>;
    expect(states.MarkReady).toMatchObject({ ResultPath: '$.summary', Next: 'TrainAfter' });
    expect(states.TrainAfter).toEqual(
      expect.objectContaining({
        Type: 'Choice',
        Choices: [{ Variable: '$.train', IsPresent: true, Next: 'TrainingRequest' }],
        Default: 'Done',
      }),
    );
    expect(states.TrainingRequest).toMatchObject({
      Parameters: { 'dataset.$': '$.summary.value.dataset' },
      Next: 'StartTraining',
    });
    // Fire and forget (no .sync), named after this execution: a retry cannot start a second run.
    expect(states.StartTraining).toMatchObject({
      Resource: 'arn:aws:states:::states:startExecution',
      Parameters: {
        StateMachineArn: '${TrainStateMachineArn}',
        'Name.$': '$$.Execution.Name',
        'Input.$': 'States.JsonMerge($.train, $.trainDataset, false)',
      },
      Next: 'Done',
    });
    // The execution's output stays the ingestion summary, with or without training.
    expect(states.Done).toEqual(
      expect.objectContaining({ Type: 'Pass', OutputPath: '$.summary.value', End: true }),
    );
  });

  describe('the capacity switch (Keyspaces, -c ingestCapacity=provisioned)', () => {
    const states = definition.States as unknown as Record<string, Record<string, unknown>>;
    const all = Object.fromEntries(allStates(definition.States));

    it('is asked for by Validate and skipped otherwise (locally: no SDK Task is reached)', () => {
      expect(states.Plan!.Next).toBe('CapacitySwitchRequested');
      expect(states.CapacitySwitchRequested).toMatchObject({
        Type: 'Choice',
        Choices: [
          {
            Variable: '$.layout.value.capacity.switch',
            BooleanEquals: true,
            Next: 'DescribeRatingsTables',
          },
        ],
        Default: 'OnDemandPace',
      });
      expect(states.OnDemandPace!.Next).toBe('IngestChunks');
    });

    it('calls Keyspaces only through the SDK integration (GetTable, UpdateTable), retried with backoff', () => {
      const sdk = allStates(definition.States).filter(([, s]) =>
        String(s.Resource).startsWith('arn:aws:states:::aws-sdk:'),
      );
      expect(new Set(sdk.map(([, s]) => s.Resource))).toEqual(
        new Set([
          'arn:aws:states:::aws-sdk:keyspaces:getTable',
          'arn:aws:states:::aws-sdk:keyspaces:updateTable',
        ]),
      );
      for (const [name, task] of sdk) {
        expect(task.Retry?.[0]?.ErrorEquals, name).toContain('Keyspaces.ThrottlingException');
        expect(task.Retry?.[0]?.BackoffRate, name).toBe(2);
      }
      const updates = sdk.filter(([, s]) => String(s.Resource).endsWith('updateTable'));
      expect(
        updates.map(
          ([, s]) => (s as unknown as { Parameters: Record<string, unknown> }).Parameters,
        ),
      ).toEqual([
        {
          'KeyspaceName.$': '$.keyspace',
          'TableName.$': '$.table',
          CapacitySpecification: {
            ThroughputMode: 'PROVISIONED',
            'ReadCapacityUnits.$': '$.readUnits',
            'WriteCapacityUnits.$': '$.writeUnits',
          },
        },
        {
          'KeyspaceName.$': '$.keyspace',
          'TableName.$': '$.table',
          CapacitySpecification: { ThroughputMode: 'PAY_PER_REQUEST' },
        },
      ]);
    });

    it('raises only when every table may return to on-demand, and waits for ACTIVE before the chunks', () => {
      expect(states.DescribeRatingsTables!.Next).toBe('SwitchAllowed');
      expect(states.SwitchAllowed).toMatchObject({
        Choices: [
          { Variable: '$.capacityCheck.blocked', BooleanEquals: false, Next: 'RaiseCapacity' },
        ],
        Default: 'CapacitySwitchSkipped',
      });
      expect(states.CapacitySwitchSkipped!.Next).toBe('OnDemandPace');
      expect(states.RaiseCapacity!.Next).toBe('ProvisionedPace');
      expect(states.ProvisionedPace!.Next).toBe('IngestChunks');
      expect(all.WaitForProvisioned).toMatchObject({ Type: 'Wait', Next: 'GetProvisionedTable' });
      expect(all.ProvisionedYet).toMatchObject({ Default: 'WaitForProvisioned' });
    });

    it('returns the tables to on-demand after the chunk Map, whether it succeeded, failed or the raise failed', () => {
      expect(states.IngestChunks!.Next).toBe('CapacityToRestore');
      expect(definition.States.IngestChunks!.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'CapacityToRestore' },
      ]);
      expect(definition.States.RaiseCapacity!.Catch?.[0]).toMatchObject({
        ErrorEquals: ['States.ALL'],
        Next: 'RestoreCapacity',
      });
      expect(states.CapacityToRestore).toMatchObject({
        Choices: [{ Variable: '$.pace.switched', BooleanEquals: true, Next: 'RestoreCapacity' }],
        Default: 'AfterChunks',
      });
      expect(states.RestoreCapacity!.Next).toBe('AfterChunks');
      expect(states.AfterChunks).toMatchObject({
        Choices: [{ Variable: '$.error', IsPresent: true, Next: 'MarkFailed' }],
        Default: 'Catalogue',
      });
      // A failed switch back fails the ingest: a table left provisioned is billed until fixed.
      expect(definition.States.RestoreCapacity!.Catch?.[0]).toMatchObject({
        Next: 'RestoreFailed',
      });
    });
  });
});
