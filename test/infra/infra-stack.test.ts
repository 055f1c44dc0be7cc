import { Match, type Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../lambdas/core/schema/tables.ts';
import { resolveTrainRequest } from '../../lambdas/core/train/train-request.ts';
import type { TrainRequest } from '../../lambdas/core/train/workflow-types.ts';
import type { RecsysStack } from '../../infra/stack.ts';
import { renderDefinition } from '../../scripts/tools/infra/lint-asl.ts';
import { INGEST_DEFINITION, INGEST_FUNCTIONS } from '../../statemachines/ingest.functions.ts';
import { TRAIN_DEFINITION, TRAIN_FUNCTIONS } from '../../statemachines/train.functions.ts';
import { synthTemplate } from './infra-template.ts';

let template: Template;
let stack: RecsysStack;
let synthError: Error | undefined;

const OUR_FUNCTIONS =
  Object.keys(INGEST_FUNCTIONS).length + Object.keys(TRAIN_FUNCTIONS).length + 1; // + API

beforeAll(() => {
  // Non-default training settings, so the assertions below see them travel into the inputs.
  const result = synthTemplate({ context: { concurrency: '7', blocks: '6', rank: '12' } });
  synthError = result.error;
  stack = result.stack;
  template = result.template!;
}, 120_000);

/** Our functions (the ones running handler code), not aws-cdk-lib's custom resource handlers. */
function recsysFunctions() {
  return Object.values(template.findResources('AWS::Lambda::Function')).filter(
    (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
  );
}

function ruleTargetInput(descriptionStart: string): Record<string, unknown> {
  const rule = Object.values(template.findResources('AWS::Events::Rule')).find((r) =>
    String(r.Properties.Description).startsWith(descriptionStart),
  )!;
  const target = rule.Properties.Targets[0];
  // The manifest rule uses an input transformer (the key comes from the event); the chain rule a
  // constant input.
  const raw: string = target.Input ?? target.InputTransformer.InputTemplate;
  return JSON.parse(raw.replace(/<detail-object-key>/g, '"k"')) as Record<string, unknown>;
}

describe('RecsysStack (default profile)', () => {
  it('synthesizes clean under the cdk-nag AwsSolutions pack (acknowledged findings only)', () => {
    expect(synthError?.message).toBeUndefined();
  });

  it('creates the keyspace and one on-demand, PITR-enabled table per schema table', () => {
    template.resourceCountIs('AWS::Cassandra::Keyspace', 1);
    template.resourceCountIs('AWS::Cassandra::Table', TABLES.length);
    template.allResourcesProperties('AWS::Cassandra::Table', {
      KeyspaceName: 'recsys_dev',
      BillingMode: { Mode: 'ON_DEMAND' },
      PointInTimeRecoveryEnabled: true,
    });
    const tables = template.findResources('AWS::Cassandra::Table');
    const keyspaceId = Object.keys(template.findResources('AWS::Cassandra::Keyspace'))[0];
    for (const table of Object.values(tables)) expect(table.DependsOn).toContain(keyspaceId);
  });

  it('keeps the data bucket private, encrypted, TLS-only, logged, with run artefacts expiring', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'data-bucket/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'runs/', ExpirationInDays: 14, Status: 'Enabled' }),
        ]),
      },
    });
    // aws-cdk-lib turns EventBridge notifications on through a custom resource.
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    const buckets = Object.keys(template.findResources('AWS::S3::Bucket'));
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    for (const id of buckets) {
      const policy = policies.find((p) => JSON.stringify(p.Properties.Bucket).includes(id));
      expect(JSON.stringify(policy?.Properties.PolicyDocument), id).toContain(
        '"aws:SecureTransport":"false"',
      );
    }
  });

  it('runs every handler on Node 22 arm64 with X-Ray, configured for Keyspaces', () => {
    const functions = recsysFunctions();
    expect(functions).toHaveLength(OUR_FUNCTIONS);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        RECSYS_DB: 'keyspaces',
        RECSYS_KEYSPACE: 'recsys_dev',
      });
      expect(fn.Properties.Environment.Variables.CASSANDRA_CONTACT_POINTS).toBeUndefined();
    }
  });

  it('logs every state machine execution event and traces it with X-Ray', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('renders each ASL file with every ${…} placeholder substituted, none left over', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    for (const file of [INGEST_DEFINITION, TRAIN_DEFINITION]) {
      const text = readFileSync(file, 'utf8');
      const machine = machines.find((m) =>
        JSON.stringify(m.Properties.DefinitionSubstitutions).includes(
          file === INGEST_DEFINITION ? 'ChunkFunctionArn' : 'TrainSolveBlockFunctionArn',
        ),
      )!;
      const keys = Object.keys(machine.Properties.DefinitionSubstitutions);
      const rendered = renderDefinition(
        text,
        Object.fromEntries(keys.map((k) => [k, `arn:aws:lambda:eu-west-1:1:function:${k}`])),
      );
      expect(rendered).not.toMatch(/\$\{/);
      expect(machine.Properties.DefinitionS3Location).toBeDefined();
    }
  });

  it('sends the configured concurrency to every Map, and blocks/rank to chained training', () => {
    // Ingest: the rule's input names the manifest and the training to start after it; Validate
    // copies its deployed RECSYS_CHUNK_CONCURRENCY into the layout that the chunk Map reads.
    const ingestInput = ruleTargetInput('Starts ingestion');
    expect(Object.keys(ingestInput).sort()).toEqual(['manifestKey', 'train']);
    expect(ingestInput.manifestKey).toBe('k');
    const validate = recsysFunctions().filter(
      (fn) => fn.Properties.Environment.Variables.RECSYS_CHUNK_CONCURRENCY !== undefined,
    );
    expect(validate).toHaveLength(1);
    expect(validate[0]!.Properties.Handler).toBe('index.handler');
    expect(validate[0]!.Properties.Environment.Variables.RECSYS_CHUNK_CONCURRENCY).toBe('7');
    expect(readFileSync('lambdas/services/ingest/validate.ts', 'utf8')).toContain(
      'deployed.chunkConcurrency',
    );
    expect(readFileSync('lambdas/services/config/ingest-config.ts', 'utf8')).toContain(
      "'RECSYS_CHUNK_CONCURRENCY'",
    );
    const train = ingestInput.train as TrainRequest;
    expect(train).toEqual({ options: { rank: 12 }, blocks: 6, concurrency: 7 });
    // What the train Plan makes of that input is what every block Map reads its concurrency from.
    const plan = resolveTrainRequest(train, {
      runId: 'als-x',
      executionName: 'x',
      dataset: 'd',
      now: new Date(0),
    });
    expect([plan.concurrency, plan.blockCount, plan.heads.rating.rank]).toEqual([7, 6, 12]);
    // The two output Maps run side by side, half each: never more than 7 Lambdas at once.
    expect(plan.outputConcurrency).toBe(3);
    const maps = (file: string, ...paths: (string | undefined)[]) => {
      const found: unknown[] = [];
      JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), (_key, value) => {
        if (value && value.Type === 'Map')
          found.push(value.MaxConcurrencyPath ?? value.MaxConcurrency);
        return value;
      });
      expect(found.length).toBeGreaterThan(0);
      expect(new Set(found)).toEqual(new Set(paths));
    };
    maps(TRAIN_DEFINITION, '$.plan.concurrency', '$.plan.outputConcurrency');
    // The chunk Map at the pace of the capacity the load runs at (both paces sized by Validate
    // from the configured concurrency); the capacity switch's inline Maps, one item per ratings
    // table, have no limit.
    maps(INGEST_DEFINITION, '$.pace.chunkConcurrency', undefined);
  });

  it('starts training from the ingest state machine itself, not from best-effort events', () => {
    // No rule waits for Step Functions status-change events (delivered best effort): the ingest
    // machine's StartTraining state starts the train machine once the data set is ready.
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(JSON.stringify(rules)).not.toContain('aws.states');
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const [ingestId, ingest] = Object.entries(machines).find(([, m]) =>
      JSON.stringify(m.Properties.DefinitionSubstitutions).includes('ChunkFunctionArn'),
    )!;
    const [, train] = Object.entries(machines).find(([id]) => id !== ingestId)!;
    expect(train.Properties.StateMachineName).toBe('Recsys-dev-train');
    const trainArn = JSON.stringify(ingest.Properties.DefinitionSubstitutions.TrainStateMachineArn);
    expect(trainArn).toContain(':stateMachine:Recsys-dev-train');
    // Its role may start exactly that machine (and itself, for its DISTRIBUTED Map).
    const starts = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) =>
        JSON.stringify(p.Properties.Roles).includes(ingest.Properties.RoleArn['Fn::GetAtt'][0]),
      )
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
      )
      .filter((st) => st.Action === 'states:StartExecution');
    expect(starts).toHaveLength(1);
    const resources = (starts[0]!.Resource as unknown[]).map((r) => JSON.stringify(r));
    expect(resources.sort()).toEqual(
      [trainArn, trainArn.replace('Recsys-dev-train', 'Recsys-dev-ingest')].sort(),
    );
  });

  it('alarms on failed executions, Lambda errors and API 5xx', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const text = alarms.map((a) => JSON.stringify(a.Properties));
    expect(text.filter((t) => t.includes('ExecutionsFailed'))).toHaveLength(2);
    expect(text.filter((t) => t.includes('ExecutionsTimedOut'))).toHaveLength(2);
    // 22 functions in metric-math groups of at most 10 (an alarm's limit).
    const errorMetrics = text.join('').match(/"MetricName":"Errors"/g) ?? [];
    expect(errorMetrics).toHaveLength(OUR_FUNCTIONS);
    expect(text.some((t) => t.includes('"MetricName":"5XXError"'))).toBe(true);
    for (const alarm of alarms) expect(alarm.Properties.Threshold).toBe(1);
  });

  it('allows only the CloudFront console origin by default (CORS), never *', () => {
    const api = recsysFunctions().find(
      (fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'recsys-api',
    )!;
    const origins = JSON.stringify(api.Properties.Environment.Variables.RECSYS_CORS_ORIGINS);
    expect(origins).toMatch(/WebDistribution[0-9A-F]+","DomainName"/);
    expect(origins).toContain('https://');
    const options = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (m) => m.Properties.HttpMethod === 'OPTIONS',
    );
    expect(options.length).toBeGreaterThan(0);
    for (const method of options) {
      const header = JSON.stringify(
        method.Properties.Integration.IntegrationResponses[0].ResponseParameters[
          'method.response.header.Access-Control-Allow-Origin'
        ],
      );
      expect(header).toMatch(/WebDistribution/);
      expect(header).not.toContain("'*'");
    }
  });

  it('outputs the API URL and key id, bucket, state machine ARNs and console URL', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    for (const prefix of [
      'ApiApiUrl',
      'ApiApiKeyId',
      'BucketName',
      'IngestStateMachineArn',
      'TrainStateMachineArn',
      'ConsoleUrl',
    ]) {
      expect(
        outputs.some((o) => o.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    expect(stack.web).toBeDefined();
  });
});
