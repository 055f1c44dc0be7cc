import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './constructs/api.ts';
import { Ingestion } from './constructs/ingestion.ts';
import { Storage } from './constructs/storage.ts';
import { Training } from './constructs/training.ts';

export interface RecsysStackProps extends StackProps {
  readonly envName: string;
  readonly keyspaceName: string;
  readonly retainData: boolean;
}

export class RecsysStack extends Stack {
  readonly storage: Storage;

  constructor(scope: Construct, id: string, props: RecsysStackProps) {
    super(scope, id, props);
    this.storage = new Storage(this, 'Storage', {
      keyspaceName: props.keyspaceName,
      retainData: props.retainData,
    });
    new Api(this, 'Api', {
      bucket: this.storage.bucket,
      keyspaceName: props.keyspaceName,
      retainData: props.retainData,
    });
    new Ingestion(this, 'Ingestion', {
      bucket: this.storage.bucket,
      keyspaceName: props.keyspaceName,
    });
    new Training(this, 'Training', {
      bucket: this.storage.bucket,
      keyspaceName: props.keyspaceName,
    });
    new CfnOutput(this, 'BucketName', { value: this.storage.bucket.bucketName });
    new CfnOutput(this, 'KeyspaceName', { value: props.keyspaceName });
  }
}
