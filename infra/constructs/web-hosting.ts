import { spawnSync } from 'node:child_process';
import {
  DockerImage,
  RemovalPolicy,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_deployment as deployment,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../project-root.ts';
import type { ConsoleAuthConfig, ConsoleConfig } from '../../lambdas/core/api/console-config.ts';
import { LOG_RETENTION } from './recsys-function.ts';

export interface WebHostingProps {
  readonly retainData: boolean;
  /** Where CloudFront writes its access logs (a bucket with ACLs enabled). */
  readonly logBucket?: s3.IBucket;
}

/**
 * The operator console over HTTPS: a private bucket behind CloudFront (origin access control), the
 * esbuild bundle built on this machine at synth time (no Docker), and a config.json naming the API.
 * The distribution exists before the API so the API can allow exactly its origin (CORS); the site
 * is deployed after the API, by `deploySite`, because its config names the API's URL.
 */
export class WebHosting extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly bucket: s3.Bucket;
  /** https://<distribution domain> — the browser origin of the console. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.retainData,
      ...(props.logBucket
        ? { serverAccessLogsBucket: props.logBucket, serverAccessLogsPrefix: 'web-bucket/' }
        : {}),
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'recsys operator console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      ...(props.logBucket
        ? { enableLogging: true, logBucket: props.logBucket, logFilePrefix: 'cloudfront/' }
        : {}),
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * Builds the console and uploads it with a config.json that points it at `apiUrl` and, when the
   * stack has one, names the Cognito sign-in the console signs its writes with.
   */
  deploySite(apiUrl: string, auth?: ConsoleAuthConfig): void {
    const site = deployment.Source.asset(`${PROJECT_ROOT}web`, {
      bundling: {
        // Never used: local bundling below always succeeds or throws.
        image: DockerImage.fromRegistry('node:22-slim'),
        local: {
          tryBundle(outputDir: string): boolean {
            const result = spawnSync(
              process.execPath,
              ['--import', 'tsx', `${PROJECT_ROOT}web/build/build-cli.ts`, outputDir],
              { cwd: PROJECT_ROOT, encoding: 'utf8' },
            );
            if (result.status !== 0) throw new Error(`web UI build failed: ${result.stderr}`);
            return true;
          },
        },
      },
    });
    new deployment.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        site,
        deployment.Source.jsonData('assets/config.json', {
          apiBase: apiUrl,
          ...(auth ? { auth } : {}),
        } satisfies ConsoleConfig),
      ],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/assets/config.json'],
      // Its handler's logs, like every function's, expire and go with the stack.
      logGroup: new logs.LogGroup(this, 'DeployLogs', {
        retention: LOG_RETENTION,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
  }
}
