import type { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthTemplate } from './infra-template.ts';

type Resource = {
  Type: string;
  Properties: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

const templates: Record<string, Template> = {};

beforeAll(() => {
  // Both profiles as `cdk synth` builds them (cdk.json's feature flags included), and the default
  // one for a Region whose API Gateway CloudWatch role another stack already set.
  for (const [name, context] of [
    ['aws', { profile: 'aws' }],
    ['local', { profile: 'local' }],
    ['aws, role set elsewhere', { profile: 'aws', apiCloudWatchRole: 'false' }],
  ] as const) {
    const result = synthTemplate({ context });
    expect(result.error?.message, name).toBeUndefined();
    templates[name] = result.template!;
  }
}, 240_000);

const resources = (template: Template): Record<string, Resource> =>
  (template.toJSON() as { Resources: Record<string, Resource> }).Resources;

describe('log groups: every one expires and goes with the stack', () => {
  for (const name of ['aws', 'local']) {
    it(`gives every Lambda of the ${name} profile a log group with a retention, aws-cdk-lib's own handlers too`, () => {
      const all = resources(templates[name]!);
      const functions = Object.entries(all).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
      // Ours, and aws-cdk-lib's S3 auto-delete and bucket-notifications handlers.
      expect(functions.some(([id]) => id.startsWith('BucketNotificationsHandler'))).toBe(true);
      expect(functions.some(([id]) => id.startsWith('CustomS3AutoDeleteObjects'))).toBe(true);
      const groups = Object.entries(all).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
      for (const [id, fn] of functions) {
        const ref = (fn.Properties.LoggingConfig?.LogGroup as { Ref?: string } | undefined)?.Ref;
        // Either LoggingConfig names a group of this stack, or a /aws/lambda/<name> group exists.
        const group = ref
          ? all[ref]
          : groups.find(
              ([, g]) =>
                JSON.stringify(g.Properties.LogGroupName) ===
                JSON.stringify({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: id }]] }),
            )?.[1];
        expect(group?.Type, id).toBe('AWS::Logs::LogGroup');
        expect(group!.Properties.RetentionInDays, id).toBe(30);
        expect(group!.DeletionPolicy, id).toBe('Delete');
      }
      for (const [id, group] of groups) {
        expect(group.Properties.RetentionInDays, id).toBeGreaterThan(0);
        expect(group.DeletionPolicy, id).toBe('Delete');
      }
    });

    it(`creates API Gateway's execution log group (${name}) before the stage, with a retention`, () => {
      const all = resources(templates[name]!);
      const [apiId] = Object.entries(all).find(([, r]) => r.Type === 'AWS::ApiGateway::RestApi')!;
      const [groupId, group] = Object.entries(all).find(
        ([, r]) =>
          r.Type === 'AWS::Logs::LogGroup' &&
          JSON.stringify(r.Properties.LogGroupName) ===
            JSON.stringify({
              'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: apiId }, '/v1']],
            }),
      )!;
      expect(group.Properties.RetentionInDays).toBe(30);
      expect(group.DeletionPolicy).toBe('Delete');
      const [, stage] = Object.entries(all).find(([, r]) => r.Type === 'AWS::ApiGateway::Stage')!;
      expect(stage.Properties.StageName).toBe('v1');
      // Execution logging is on, and the stage waits for the group: API Gateway can't create it
      // first (a CloudFormation "already exists" failure) nor write to a group that never expires.
      expect(stage.Properties.MethodSettings).toContainEqual(
        expect.objectContaining({ LoggingLevel: 'ERROR', HttpMethod: '*', ResourcePath: '/*' }),
      );
      expect(stage.DependsOn).toContain(groupId);
    });
  }
});

describe("API Gateway's account-level CloudWatch role", () => {
  const roleAndAccount = (template: Template) => {
    const all = Object.values(resources(template));
    return {
      roles: all.filter(
        (r) =>
          r.Type === 'AWS::IAM::Role' &&
          JSON.stringify(r.Properties).includes('AmazonAPIGatewayPushToCloudWatchLogs'),
      ),
      accounts: all.filter((r) => r.Type === 'AWS::ApiGateway::Account'),
    };
  };

  it('is created on purpose, not by an aws-cdk-lib default (the recommended flags are on)', () => {
    const context = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: object }).context;
    expect(context).toMatchObject({
      '@aws-cdk/aws-apigateway:disableCloudWatchRole': true,
      '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true,
    });
  });

  for (const name of ['aws', 'local']) {
    it(`is set once and retained when the ${name} stack goes (other APIs in the Region use it)`, () => {
      const { roles, accounts } = roleAndAccount(templates[name]!);
      expect(roles).toHaveLength(1);
      expect(accounts).toHaveLength(1);
      for (const resource of [...roles, ...accounts]) {
        expect(resource.DeletionPolicy).toBe('Retain');
        expect(resource.UpdateReplacePolicy).toBe('Retain');
      }
    });
  }

  it('is left out with -c apiCloudWatchRole=false (another stack set it in the Region)', () => {
    const { roles, accounts } = roleAndAccount(templates['aws, role set elsewhere']!);
    expect(roles).toHaveLength(0);
    expect(accounts).toHaveLength(0);
    // Execution logging still on: it uses the Region's role, whoever set it.
    const stage = Object.values(resources(templates['aws, role set elsewhere']!)).find(
      (r) => r.Type === 'AWS::ApiGateway::Stage',
    )!;
    expect(JSON.stringify(stage.Properties.MethodSettings)).toContain('"LoggingLevel":"ERROR"');
  });
});
