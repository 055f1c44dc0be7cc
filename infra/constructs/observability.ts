import {
  Duration,
  RemovalPolicy,
  aws_apigateway as apigw,
  aws_cloudwatch as cloudwatch,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Execution history to CloudWatch Logs and X-Ray traces for a state machine. Every event type is
 * logged (failures are diagnosed from the state that failed), but not the payloads: they are S3
 * keys and counts, and at one log line per Map item they would dominate the log bill.
 */
export function stateMachineObservability(
  scope: Construct,
  stateMachineName: string,
): Pick<sfn.StateMachineProps, 'logs' | 'tracingEnabled'> {
  const destination = new logs.LogGroup(scope, 'ExecutionLogs', {
    // The vended-logs prefix keeps CloudWatch's resource policy small however many machines log.
    logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return {
    logs: { destination, level: sfn.LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: true,
  };
}

const MAX_ALARM_METRICS = 10;

export interface AlarmsProps {
  readonly stateMachines: Record<string, sfn.IStateMachine>;
  /** Lambda functions by group (ingest, train, api): one error alarm per group. */
  readonly functions: Record<string, readonly lambda.IFunction[]>;
  readonly restApi?: apigw.RestApi;
}

/**
 * The three things an operator must hear about: a failed (or timed-out, or aborted) execution, a
 * Lambda that threw, and API 5xx. Alarms without actions show in the console; subscribe a topic to
 * them (docs/deploy.md) where someone should be paged.
 */
export class Alarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      const failed = new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: machine.metricFailed({ period }),
          timedOut: machine.metricTimedOut({ period }),
          aborted: machine.metricAborted({ period }),
        },
        period,
        label: `${name} executions that did not succeed`,
      });
      this.add(
        `${name}ExecutionsFailed`,
        failed,
        `${name}: an execution failed, timed out or was aborted`,
      );
    }
    // A block Lambda that throws is retried by the state machine, so an error is worth a look even
    // when the execution succeeds in the end. An alarm's metric math takes at most 10 metrics.
    for (const [group, functions] of Object.entries(props.functions)) {
      for (let start = 0; start < functions.length; start += MAX_ALARM_METRICS) {
        const part = functions.slice(start, start + MAX_ALARM_METRICS);
        const errors = new cloudwatch.MathExpression({
          expression: part.map((_, i) => `e${i}`).join(' + '),
          usingMetrics: Object.fromEntries(
            part.map((fn, i) => [`e${i}`, fn.metricErrors({ period })]),
          ),
          period,
          label: `${group} Lambda errors`,
        });
        const suffix =
          functions.length > MAX_ALARM_METRICS ? String(start / MAX_ALARM_METRICS + 1) : '';
        this.add(
          `${group}LambdaErrors${suffix}`,
          errors,
          `a ${group} Lambda threw (see its log group)`,
        );
      }
    }
    if (props.restApi) {
      this.add(
        'Api5xx',
        props.restApi.metricServerError({ period, statistic: 'Sum' }),
        'the API answered 5xx',
      );
    }
  }

  private add(id: string, metric: cloudwatch.IMetric, description: string): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }),
    );
  }
}
