import {
  CfnResource,
  RemovalPolicy,
  aws_lambda as lambda,
  aws_logs as logs,
  type IAspect,
} from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import { LOG_RETENTION } from './recsys-function.ts';

/**
 * One log group, with our retention and removal policy, for the Lambdas that aws-cdk-lib adds on
 * its own (the S3 auto-delete and bucket-notifications custom-resource handlers): they are plain
 * `AWS::Lambda::Function` resources with no log settings, so Lambda would create
 * `/aws/lambda/<name>` on first use, never expiring and left behind by `cdk destroy`. An aspect
 * points every function of the stack that names no log group at this one (LoggingConfig); our
 * own functions each have theirs (recsys-function.ts). Their roles carry
 * AWSLambdaBasicExecutionRole, which may write to any log group.
 */
export class CdkHandlerLogs extends Construct implements IAspect {
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: { readonly retainData?: boolean } = {}) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: LOG_RETENTION,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }

  visit(node: IConstruct): void {
    if (node instanceof lambda.CfnFunction) {
      node.loggingConfig ??= { logGroup: this.logGroup.logGroupName };
    } else if (node instanceof CfnResource && node.cfnResourceType === 'AWS::Lambda::Function') {
      // aws-cdk-lib's CustomResourceProvider and BucketNotificationsHandler: a raw resource whose
      // properties it writes itself, never a LoggingConfig.
      node.addPropertyOverride('LoggingConfig.LogGroup', this.logGroup.logGroupName);
    }
  }
}
