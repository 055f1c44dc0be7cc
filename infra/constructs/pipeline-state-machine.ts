import {
  Arn,
  ArnFormat,
  Stack,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../project-root.ts';
import { stateMachineObservability } from './observability.ts';

export interface PipelineStateMachineProps {
  /** Appended to the stack name: `<stack>-<suffix>`. */
  readonly nameSuffix: string;
  /** Path of the ASL file from the repository root (the file the local runner executes). */
  readonly definitionFile: string;
  /** Lambda per definition substitution (`…FunctionArn`). */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /**
   * Other pipelines' state machines this one starts (`states:startExecution` Tasks), by definition
   * substitution: each name's ARN is substituted and may be started by this one.
   */
  readonly starts?: Readonly<Record<string, string>>;
}

/** A pipeline state machine's name: `<stack>-<suffix>`. */
export function pipelineStateMachineName(scope: Construct, nameSuffix: string): string {
  return `${Stack.of(scope).stackName}-${nameSuffix}`;
}

/**
 * The ARN of a pipeline's state machine or of one of its executions, built from its name: other
 * resources (and the machine itself) can refer to it without a circular dependency.
 */
export function pipelineArn(
  scope: Construct,
  resource: 'stateMachine' | 'execution',
  resourceName: string,
): string {
  return Arn.format(
    { service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
    Stack.of(scope),
  );
}

/**
 * The execution timeout of an ASL file: its top-level TimeoutSeconds. It must be in the file: CDK
 * applies a StateMachine's `timeout` only to definitions it builds from chained states, and drops it
 * for a definition read from a file, so without it an execution could run for a year and the
 * TimedOut alarm could never fire.
 */
export function definitionTimeoutSeconds(definitionFile: string): number {
  const definition = JSON.parse(readFileSync(`${PROJECT_ROOT}${definitionFile}`, 'utf8')) as {
    TimeoutSeconds?: unknown;
  };
  const timeout = definition.TimeoutSeconds;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1) {
    throw new Error(`${definitionFile} has no top-level TimeoutSeconds`);
  }
  return timeout;
}

/**
 * A pipeline's state machine from its ASL file, with its Lambdas substituted and invokable, logging
 * and X-Ray on, and the rights its DISTRIBUTED Maps need to run their items as child executions.
 */
export function pipelineStateMachine(
  scope: Construct,
  props: PipelineStateMachineProps,
): sfn.StateMachine {
  definitionTimeoutSeconds(props.definitionFile);
  const stateMachineName = pipelineStateMachineName(scope, props.nameSuffix);
  const starts = Object.entries(props.starts ?? {}).map(
    ([substitution, nameSuffix]): [string, string] => [
      substitution,
      pipelineArn(scope, 'stateMachine', pipelineStateMachineName(scope, nameSuffix)),
    ],
  );
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName,
    definitionBody: sfn.DefinitionBody.fromFile(`${PROJECT_ROOT}${props.definitionFile}`),
    definitionSubstitutions: Object.fromEntries([
      ...Object.entries(props.functions).map(([substitution, fn]) => [
        substitution,
        fn.functionArn,
      ]),
      ...starts,
    ]),
    ...stateMachineObservability(scope, stateMachineName),
  });
  for (const fn of Object.values(props.functions)) fn.grantInvoke(stateMachine);
  // The ARNs are built from the name: referring to the state machine's own ARN would be a
  // circular dependency. It starts itself (its DISTRIBUTED Maps' child executions) and the
  // machines it chains to.
  const arn = (resource: 'stateMachine' | 'execution', resourceName: string) =>
    pipelineArn(scope, resource, resourceName);
  stateMachine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['states:StartExecution'],
      resources: [arn('stateMachine', stateMachineName), ...starts.map(([, started]) => started)],
    }),
  );
  stateMachine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [arn('execution', `${stateMachineName}/*`)],
    }),
  );
  return stateMachine;
}
