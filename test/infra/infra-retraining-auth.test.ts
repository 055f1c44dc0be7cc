/**
 * Issue 14 items 4, 8, 9 in the template: the retraining schedule and its role, the console's
 * Cognito sign-in whose identity pool role may call the write routes and nothing else, and the
 * local profile (no Cognito on LocalStack's free tier; writes IAM-authorized all the same).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseRetrainSchedule, readConfig } from '../../infra/config.ts';
import { WRITE_ROUTES } from '../../lambdas/core/api/write-routes.ts';
import { iamStatements, synthTemplate } from './infra-template.ts';

let aws: Template;
let cron: Template;
let local: Template;
const errors: (Error | undefined)[] = [];

beforeAll(() => {
  for (const [context, set] of [
    [{}, (t: Template) => (aws = t)],
    [{ retrainSchedule: 'cron(0 3 * * ? *)' }, (t: Template) => (cron = t)],
    [{ profile: 'local', retrainSchedule: 'off' }, (t: Template) => (local = t)],
  ] as const) {
    const result = synthTemplate({ context });
    errors.push(result.error);
    set(result.template!);
  }
}, 240_000);

const text = (value: unknown) => JSON.stringify(value);

function scheduleRules(template: Template) {
  return Object.entries(template.findResources('AWS::Events::Rule')).filter(
    ([, rule]) => rule.Properties.ScheduleExpression !== undefined,
  );
}

function trainMachineId(template: Template): string {
  return Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) =>
    id.startsWith('TrainingStateMachine'),
  )!;
}

describe('automatic retraining (schedule)', () => {
  it('synthesizes clean under cdk-nag in every variant', () => {
    expect(errors.map((e) => e?.message)).toEqual([undefined, undefined, undefined]);
  });

  it('checks daily by default and starts an ifNewData, warm-started run of the train machine', () => {
    const rules = scheduleRules(aws);
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 day)');
    expect(rule.Properties.State).toBe('ENABLED');
    const target = rule.Properties.Targets[0];
    expect(target.Arn).toEqual({ Ref: trainMachineId(aws) });
    expect(JSON.parse(target.Input)).toMatchObject({
      ifNewData: true,
      warmStart: true,
      options: { rank: 20 },
    });
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 2 });
  });

  it('gives the schedule a role that may start the train machine and nothing else', () => {
    const [, rule] = scheduleRules(aws)[0]!;
    const roleId = rule.Properties.Targets[0].RoleArn['Fn::GetAtt'][0] as string;
    const statements = iamStatements(aws).filter(({ id }) =>
      text(aws.findResources('AWS::IAM::Policy')[id]?.Properties.Roles ?? []).includes(roleId),
    );
    expect(statements.map(({ statement }) => statement.Action)).toEqual(['states:StartExecution']);
    expect(statements.map(({ statement }) => statement.Resource)).toEqual([
      { Ref: trainMachineId(aws) },
    ]);
    const role = aws.findResources('AWS::IAM::Role')[roleId]!;
    expect(text(role.Properties.AssumeRolePolicyDocument)).toContain('events.amazonaws.com');
  });

  it('takes a cron expression, or no schedule at all', () => {
    expect(scheduleRules(cron)[0]![1].Properties.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(scheduleRules(local)).toHaveLength(0);
  });

  it('refuses a schedule EventBridge would refuse, in one line at synth', () => {
    for (const good of ['rate(1 day)', 'rate(12 hours)', 'rate(90 minutes)', 'cron(0 3 * * ? *)']) {
      expect(parseRetrainSchedule(good)).toBe(good);
    }
    for (const off of ['off', 'none', 'false', 'OFF']) expect(parseRetrainSchedule(off)).toBeNull();
    for (const bad of [
      'rate(1 days)',
      'rate(2 day)',
      'rate(5 minutes)',
      'daily',
      'cron(0 3 * *)',
    ]) {
      expect(() => parseRetrainSchedule(bad), bad).toThrow(ConfigError);
    }
    expect(readConfig((k) => ({})[k as never]).retrainSchedule).toBe('rate(1 day)');
  });
});

describe('who may write (IAM on the write routes, Cognito for the console)', () => {
  it('has the Lambda refuse unsigned changes on AWS (LocalStack names no signer)', () => {
    const api = (template: Template) =>
      Object.values(template.findResources('AWS::Lambda::Function')).find(
        (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'recsys-api',
      )!.Properties.Environment.Variables;
    expect(api(aws).RECSYS_WRITE_AUTH).toBe('iam');
    expect(api(local).RECSYS_WRITE_AUTH).toBeUndefined();
  });

  it('authorizes every write method with IAM in both profiles', () => {
    for (const template of [aws, local]) {
      const iam = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
        (m) => m.Properties.AuthorizationType === 'AWS_IAM',
      );
      expect(iam).toHaveLength(WRITE_ROUTES.length);
      expect(iam.every((m) => m.Properties.ApiKeyRequired === false)).toBe(true);
    }
  });

  it('has an operator user pool: no self sign-up, TOTP MFA required, a strong password policy', () => {
    const pools = Object.values(aws.findResources('AWS::Cognito::UserPool'));
    expect(pools).toHaveLength(1);
    const pool = pools[0]!.Properties;
    expect(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.MfaConfiguration).toBe('ON');
    expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
  });

  it('signs the console in by the code flow (public client, PKCE) back to the console only', () => {
    const clients = Object.values(aws.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const client = clients[0]!.Properties;
    expect(client.GenerateSecret).toBe(false);
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthScopes.sort()).toEqual(['email', 'openid']);
    expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
    // The callback is the CloudFront console origin, nothing else.
    expect(client.CallbackURLs).toHaveLength(1);
    expect(text(client.CallbackURLs)).toContain('WebDistribution');
    expect(client.LogoutURLs).toEqual(client.CallbackURLs);
    expect(Object.keys(aws.findResources('AWS::Cognito::UserPoolDomain'))).toHaveLength(1);
  });

  it('trades a sign-in for a role that may only invoke the write methods', () => {
    const pools = Object.entries(aws.findResources('AWS::Cognito::IdentityPool'));
    expect(pools).toHaveLength(1);
    const [poolId, pool] = pools[0]!;
    expect(pool.Properties.AllowUnauthenticatedIdentities).toBe(false);
    expect(pool.Properties.AllowClassicFlow).toBe(false);
    expect(pool.Properties.CognitoIdentityProviders[0].ServerSideTokenCheck).toBe(true);
    const attachments = Object.values(
      aws.findResources('AWS::Cognito::IdentityPoolRoleAttachment'),
    );
    expect(attachments).toHaveLength(1);
    const roles = attachments[0]!.Properties.Roles;
    expect(Object.keys(roles)).toEqual(['authenticated']);
    const roleId = roles.authenticated['Fn::GetAtt'][0] as string;
    const role = aws.findResources('AWS::IAM::Role')[roleId]!.Properties;
    const trust = role.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust.Principal).toEqual({ Federated: 'cognito-identity.amazonaws.com' });
    expect(trust.Condition).toEqual({
      StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: poolId } },
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
    });
    // Its only permission: the API's write policy (execute-api:Invoke on the write methods).
    expect(role.Policies).toBeUndefined();
    expect(role.ManagedPolicyArns).toHaveLength(1);
    const policyId = role.ManagedPolicyArns[0].Ref as string;
    const policy = aws.findResources('AWS::IAM::ManagedPolicy')[policyId]!.Properties;
    expect(policy.PolicyDocument.Statement.map((s: { Action: string }) => s.Action)).toEqual([
      'execute-api:Invoke',
    ]);
    const attached = Object.values(aws.findResources('AWS::IAM::Policy')).filter((p) =>
      text(p.Properties.Roles).includes(roleId),
    );
    expect(attached).toHaveLength(0);
  });

  it('tells the console where to sign in (config.json), and leaves Cognito out locally', () => {
    const deployments = Object.values(aws.findResources('Custom::CDKBucketDeployment'));
    expect(text(deployments)).toMatch(/IdentityPool/);
    expect(text(deployments)).toMatch(/UserPoolClient|ConsoleAuthUsersConsole/);
    for (const type of ['AWS::Cognito::UserPool', 'AWS::Cognito::IdentityPool']) {
      expect(Object.keys(local.findResources(type))).toHaveLength(0);
    }
  });
});
