import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WILDCARD_RESOURCE_ACTIONS } from '../../infra/nag.ts';
import { asArray, iamStatements, synthTemplate, type Statement } from './infra-template.ts';

let template: Template;
let statements: { id: string; statement: Statement }[];

beforeAll(() => {
  template = synthTemplate({ nag: false }).template!;
  statements = iamStatements(template);
}, 120_000);

const actions = (s: Statement) => asArray(s.Action);
const resources = (s: Statement) => asArray(s.Resource as unknown);
const text = (v: unknown) => JSON.stringify(v);

describe('IAM: least privilege in every statement of the stack', () => {
  it('has statements to check', () => {
    expect(statements.length).toBeGreaterThan(50);
  });

  it('never grants a whole service (no "*" or "service:*" action) and never denies by accident', () => {
    for (const { id, statement } of statements) {
      for (const action of actions(statement)) expect(action, id).not.toMatch(/(^|:)\*$/);
      // Denies are the buckets' TLS-only policies, which live in bucket policies, not here.
      expect(statement.Effect, id).toBe('Allow');
    }
  });

  it('uses Resource "*" only for actions that have no resource type, each justified', () => {
    const wildcard = statements.filter(({ statement }) => resources(statement).includes('*'));
    expect(wildcard.length).toBeGreaterThan(0);
    for (const { id, statement } of wildcard) {
      for (const action of actions(statement)) {
        expect(WILDCARD_RESOURCE_ACTIONS[action], `${id}: ${action} on *`).toBeTruthy();
      }
    }
  });

  it('grants cassandra:Select/Modify only, on named tables of the keyspace (system reads aside)', () => {
    const cassandra = statements.filter(({ statement }) =>
      actions(statement).some((a) => a.startsWith('cassandra:')),
    );
    expect(cassandra.length).toBeGreaterThan(10);
    for (const { id, statement } of cassandra) {
      expect(
        actions(statement).every((a) => a === 'cassandra:Select' || a === 'cassandra:Modify'),
        id,
      ).toBe(true);
      for (const resource of resources(statement)) {
        const arn = text(resource);
        const system = arn.includes(':/keyspace/system*');
        expect(
          system || /:\/keyspace\/recsys_dev\/table\/[a-z_]+"/.test(arn),
          `${id}: ${arn}`,
        ).toBe(true);
        // The system keyspaces are only ever read.
        if (system) expect(actions(statement), id).toEqual(['cassandra:Select']);
      }
    }
  });

  it('grants S3 object access per prefix, never on a whole bucket of data', () => {
    for (const { id, statement } of statements) {
      if (!actions(statement).some((a) => /^s3:(Get|Put|Delete)Object/.test(a))) continue;
      for (const resource of resources(statement)) {
        const arn = text(resource);
        if (!arn.includes('/')) continue; // bucket-level (ListBucket, GetBucket*)
        const dataBucket = arn.includes('StorageBucket');
        if (dataBucket) {
          expect(arn, id).toMatch(/\/(datasets|quarantine|runs|models)\/\*"/);
        } else {
          // aws-cdk-lib's own deployment/auto-delete handlers on the web, log and asset buckets.
          expect(id, arn).toMatch(/^Custom|^CustomCDKBucketDeployment|BucketDeployment/);
        }
      }
    }
  });

  it('lets only the state machines and the EventBridge rules start executions, of our machines', () => {
    const starters = statements.filter(({ statement }) =>
      actions(statement).includes('states:StartExecution'),
    );
    expect(starters.length).toBeGreaterThanOrEqual(4);
    for (const { id, statement } of starters) {
      expect(id, 'who may start executions').toMatch(
        /^(IngestionStateMachineRole|TrainingStateMachineRole|IngestionStateMachineEventsRole|TrainingStateMachineEventsRole)/,
      );
      expect(text(statement.Resource), id).toMatch(
        /StateMachine|stateMachine:Recsys-dev-(ingest|train)"/,
      );
    }
  });

  // The experiment routes (signed operator writes on AWS) record experiments and promote a
  // candidate through active_model, as `recsys models activate` does.
  it('lets the API modify only the feedback, movies and experiment tables: no S3 Put, no Delete', () => {
    const api = statements.filter(({ id }) => id.startsWith('ApiHandler'));
    expect(api.length).toBeGreaterThan(0);
    for (const { id, statement } of api) {
      expect(actions(statement).join(' ')).not.toMatch(/Put(?!Trace|Telemetry)|Delete/);
      if (!actions(statement).includes('cassandra:Modify')) continue;
      for (const resource of resources(statement)) {
        expect(text(resource), id).toMatch(
          /table\/(movies|ratings_by_user|rating_changes_by_movie|user_rating_changes|data_changes|user_likes|events|served_lists|experiments|active_model)"/,
        );
      }
    }
  });
});
