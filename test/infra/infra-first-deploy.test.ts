/**
 * What the stack's first deploy meets (issue 15): a new account's reduced Lambda memory and
 * concurrency quotas, a new Keyspaces table's write rate, a second environment in the same
 * account, log groups that must go with the stack, and state machines that must time out.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../infra/config.ts';
import { definitionTimeoutSeconds } from '../../infra/constructs/pipeline-state-machine.ts';
import {
  BULK_TABLE_WRITE_UNITS_PER_SECOND,
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
  RATINGS_TABLES,
} from '../../lambdas/core/ingest/write-budget.ts';
import { INGEST_DEFINITION } from '../../statemachines/ingest.functions.ts';
import { TRAIN_DEFINITION } from '../../statemachines/train.functions.ts';
import { asArray, iamStatements, synthTemplate } from './infra-template.ts';

type Resource = {
  Properties: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

let fresh: Template;
let established: Template;
let provisionedLoad: Template;

beforeAll(() => {
  // Defaults: what `cdk deploy` does on a brand-new account.
  const first = synthTemplate();
  expect(first.error?.message).toBeUndefined();
  fresh = first.template!;
  // An account that has outgrown the new-account quotas, a second environment, data retained.
  const second = synthTemplate({
    context: {
      envName: 'prod',
      accountConcurrency: '1000',
      maxMemoryMb: '10240',
      ingestWriteUnits: '40000',
      retainData: 'true',
    },
  });
  expect(second.error?.message).toBeUndefined();
  established = second.template!;
  // A provisioned bulk load (docs/deploy.md): each ingestion holds the ratings table at 2,000 WCU.
  const third = synthTemplate({
    context: { ingestCapacity: 'provisioned', ingestWriteUnits: '2000' },
  });
  expect(third.error?.message).toBeUndefined();
  provisionedLoad = third.template!;
}, 360_000);

/** Our functions (they run handler code), by service and handler module. */
function functions(template: Template): Resource[] {
  return Object.values(template.findResources('AWS::Lambda::Function')).filter(
    (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
  ) as Resource[];
}

const env = (fn: Resource) => fn.Properties.Environment.Variables as Record<string, string>;
const withEnv = (template: Template, name: string) =>
  functions(template).filter((fn) => env(fn)[name] !== undefined);
const tuneCandidate = (template: Template) =>
  Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
    id.startsWith('TrainingTrainTuneCandidate'),
  )![1] as Resource;
const api = (template: Template) =>
  functions(template).find((fn) => env(fn).POWERTOOLS_SERVICE_NAME === 'recsys-api')!;
const tables = (template: Template) =>
  Object.values(template.findResources('AWS::Cassandra::Table')) as Resource[];
/** The `train` request the manifest rule hands each ingestion (its StartTraining state's input). */
const chainedTrainRequest = (template: Template) => {
  const rule = Object.values(template.findResources('AWS::Events::Rule')).find((r) =>
    String(r.Properties.Description).startsWith('Starts ingestion'),
  )!;
  const input = JSON.parse(
    String(rule.Properties.Targets[0].InputTransformer.InputTemplate).replace(
      /<detail-object-key>/g,
      '"k"',
    ),
  ) as { train?: { concurrency: number; blocks?: number } };
  return input.train;
};

describe('finding 1: Lambda memory within the account’s quota', () => {
  it('gives no function more than 3,008 MB by default (CreateFunction fails above on a new account)', () => {
    for (const fn of functions(fresh)) expect(fn.Properties.MemorySize).toBeLessThanOrEqual(3008);
    expect(tuneCandidate(fresh).Properties.MemorySize).toBe(3008);
  });

  it('gives the tuning Lambda its 4,096 MB where -c maxMemoryMb allows', () => {
    expect(tuneCandidate(established).Properties.MemorySize).toBe(4096);
  });
});

describe('finding 2: the ratings tables’ write rate', () => {
  it('paces ingestion to a new table’s 4,000 WRU/s by default, pre-warming nothing', () => {
    for (const table of tables(fresh)) expect(table.Properties.WarmThroughput).toBeUndefined();
    const validate = withEnv(fresh, 'RECSYS_TABLE_WRITE_UNITS');
    expect(validate).toHaveLength(1);
    expect(env(validate[0]!).RECSYS_TABLE_WRITE_UNITS).toBe(
      String(NEW_TABLE_WRITE_UNITS_PER_SECOND),
    );
  });

  it('pre-warms the ratings table (RATINGS_TABLES), and only it, to -c ingestWriteUnits', () => {
    const warmed = tables(established).filter((t) => t.Properties.WarmThroughput);
    expect(warmed.map((t) => t.Properties.TableName).sort()).toEqual([...RATINGS_TABLES].sort());
    for (const table of warmed) {
      expect(table.Properties.WarmThroughput).toEqual({ WriteUnitsPerSecond: 40_000 });
    }
    expect(env(withEnv(established, 'RECSYS_TABLE_WRITE_UNITS')[0]!).RECSYS_TABLE_WRITE_UNITS).toBe(
      '40000',
    );
  });

  it('tells the train Plan the lists tables’ rate, a new table’s whatever the ratings tables’', () => {
    for (const template of [fresh, established]) {
      const plan = withEnv(template, 'RECSYS_OUTPUT_TABLE_WRITE_UNITS');
      expect(plan).toHaveLength(1);
      expect(env(plan[0]!).RECSYS_OUTPUT_TABLE_WRITE_UNITS).toBe(
        String(BULK_TABLE_WRITE_UNITS_PER_SECOND),
      );
      // The Plan function: it also reads the memory quota.
      expect(env(plan[0]!).RECSYS_MAX_MEMORY_MB).toBeDefined();
    }
  });
});

describe('a provisioned bulk load (-c ingestCapacity=provisioned): the ingest switches the capacity', () => {
  it('creates every table on-demand and not pre-warmed: the ingest raises and restores the WCU itself', () => {
    for (const template of [provisionedLoad, fresh]) {
      for (const table of tables(template)) {
        expect(table.Properties.BillingMode).toEqual({ Mode: 'ON_DEMAND' });
        expect(table.Properties.WarmThroughput).toBeUndefined();
      }
    }
    // Validate asks the state machine for the switch, to the WCU ingestion then paces itself to.
    const [validate] = withEnv(provisionedLoad, 'RECSYS_INGEST_CAPACITY');
    expect(env(validate!).RECSYS_INGEST_CAPACITY).toBe('provisioned');
    expect(env(validate!).RECSYS_TABLE_WRITE_UNITS).toBe('2000');
    expect(withEnv(fresh, 'RECSYS_INGEST_CAPACITY')).toEqual([]);
  });

  it('lets the ingest state machine alter exactly the ratings tables, and read their metadata', () => {
    const keyspaceStatements = (template: Template) =>
      iamStatements(template).filter(
        ({ id, statement }) =>
          id.startsWith('IngestionStateMachineRole') &&
          asArray(statement.Action).some((a) => a.startsWith('cassandra:')),
      );
    const granted = keyspaceStatements(provisionedLoad).map(({ statement }) => ({
      actions: asArray(statement.Action),
      resources: asArray(statement.Resource as unknown).map((r) =>
        JSON.stringify(r).replace(/.*:\/keyspace\/([^"]+)".*/, '$1'),
      ),
    }));
    const ratings = RATINGS_TABLES.map((t) => `recsys_dev/table/${t}`);
    expect(granted).toEqual([
      { actions: ['cassandra:Alter'], resources: ratings },
      // GetTable reads the table's metadata from the system keyspaces.
      { actions: ['cassandra:Select'], resources: ['system*', ...ratings] },
    ]);
    // Without the setting the state machine touches no table.
    expect(keyspaceStatements(fresh)).toEqual([]);
  });

  it('chains training as usual: the tables are back on-demand (or switching) by MarkReady', () => {
    expect(chainedTrainRequest(provisionedLoad)).toBeDefined();
    expect(chainedTrainRequest(fresh)).toBeDefined();
  });

  it('refuses a provisioned load without its capacity or on the local profile', () => {
    const read = (context: Record<string, string>) => () => readConfig((k) => context[k]);
    expect(read({ ingestCapacity: 'provisioned' })).toThrow(/ingestWriteUnits/);
    expect(read({ ingestCapacity: 'sometimes' })).toThrow(/ingestCapacity must be/);
    expect(
      read({ ingestCapacity: 'provisioned', ingestWriteUnits: '2000', profile: 'local' }),
    ).toThrow(/aws profile/);
    expect(read({})().ingestCapacity).toBe('on-demand');
  });
});

describe('the block count of chained training', () => {
  it('leaves it to the train Plan (chosen from the data set) unless -c blocks names one', () => {
    expect(chainedTrainRequest(fresh)!.blocks).toBeUndefined();
    expect(readConfig(() => undefined).blocks).toBeUndefined();
    expect(readConfig((k) => ({ blocks: '6' })[k]).blocks).toBe(6);
    // The Plan Lambda learns the memory quota the block count must fit.
    expect(env(withEnv(fresh, 'RECSYS_MAX_CONCURRENCY')[0]!).RECSYS_MAX_MEMORY_MB).toBe('3008');
    expect(env(withEnv(established, 'RECSYS_MAX_CONCURRENCY')[0]!).RECSYS_MAX_MEMORY_MB).toBe(
      '10240',
    );
  });
});

describe('finding 3: executions time out', () => {
  it('puts a top-level TimeoutSeconds in both ASL files (CDK drops `timeout` for a file)', () => {
    expect(definitionTimeoutSeconds(INGEST_DEFINITION)).toBe(6 * 3600);
    expect(definitionTimeoutSeconds(TRAIN_DEFINITION)).toBe(12 * 3600);
    // A definition without one stops the synth.
    expect(() => definitionTimeoutSeconds('package.json')).toThrow(/TimeoutSeconds/);
    const alarms = JSON.stringify(fresh.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.match(/ExecutionsTimedOut/g)).toHaveLength(2);
  });
});

describe('finding 4: one keyspace per environment', () => {
  it('names the keyspace after envName unless -c keyspace says otherwise', () => {
    for (const [template, name] of [
      [fresh, 'recsys_dev'],
      [established, 'recsys_prod'],
    ] as const) {
      const keyspaces = Object.values(template.findResources('AWS::Cassandra::Keyspace'));
      expect(keyspaces.map((k) => k.Properties.KeyspaceName)).toEqual([name]);
      for (const table of tables(template)) expect(table.Properties.KeyspaceName).toBe(name);
      for (const fn of functions(template)) expect(env(fn).RECSYS_KEYSPACE).toBe(name);
    }
    expect(readConfig((k) => ({ envName: 'blue-green' })[k]).keyspaceName).toBe(
      'recsys_blue_green',
    );
    expect(readConfig((k) => ({ keyspace: 'shared' })[k]).keyspaceName).toBe('shared');
    expect(JSON.parse(readFileSync('cdk.json', 'utf8')).context.keyspace).toBeUndefined();
  });
});

describe('finding 5: every Lambda’s logs have a retention and go with the stack', () => {
  for (const [label, policy, template] of [
    ['by default', 'Delete', () => fresh],
    ['kept with -c retainData=true', 'Retain', () => established],
  ] as const) {
    it(`gives each function its own log group, 30 days, ${label}`, () => {
      const groups = template().findResources('AWS::Logs::LogGroup') as Record<string, Resource>;
      const ours = functions(template());
      expect(ours.length).toBeGreaterThan(20);
      const used = new Set<string>();
      for (const fn of ours) {
        const ref = (fn.Properties.LoggingConfig?.LogGroup as { Ref?: string } | undefined)?.Ref;
        expect(ref, env(fn).POWERTOOLS_SERVICE_NAME).toBeDefined();
        const group = groups[ref!]!;
        expect(group.Properties.RetentionInDays).toBe(30);
        expect(group.DeletionPolicy).toBe(policy);
        expect(group.UpdateReplacePolicy).toBe(policy);
        used.add(ref!);
      }
      expect(used.size).toBe(ours.length);
    });
  }
});

describe('finding 8: concurrency sized to the account', () => {
  it('runs at most 5 Lambdas per pipeline on a new account (10), reserving none for the API', () => {
    expect(env(withEnv(fresh, 'RECSYS_CHUNK_CONCURRENCY')[0]!).RECSYS_CHUNK_CONCURRENCY).toBe('5');
    expect(env(withEnv(fresh, 'RECSYS_MAX_CONCURRENCY')[0]!).RECSYS_MAX_CONCURRENCY).toBe('5');
    expect(chainedTrainRequest(fresh)!.concurrency).toBe(5);
    // Lambda refuses a reservation that leaves less than 100 unreserved.
    for (const fn of functions(fresh)) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('reserves 50 for the API and runs 40 per pipeline where the account has 1,000', () => {
    expect(api(established).Properties.ReservedConcurrentExecutions).toBe(50);
    const others = functions(established).filter((fn) => fn !== api(established));
    for (const fn of others) expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(env(withEnv(established, 'RECSYS_MAX_CONCURRENCY')[0]!).RECSYS_MAX_CONCURRENCY).toBe(
      '40',
    );
    expect(chainedTrainRequest(established)!.concurrency).toBe(40);
  });

  it('refuses settings the account could not run, with the setting to change', () => {
    const read = (context: Record<string, string>) => () => readConfig((k) => context[k]);
    expect(read({ concurrency: '40' })).toThrow(/accountConcurrency/);
    expect(read({ accountConcurrency: '120', apiReservedConcurrency: '30' })).toThrow(/unreserved/);
    expect(read({ accountConcurrency: '120' })().apiReservedConcurrency).toBe(0);
    expect(read({ maxMemoryMb: '20000' })).toThrow(ConfigError);
    expect(read({ ingestWriteUnits: '0' })).toThrow(/ingestWriteUnits/);
  });
});
