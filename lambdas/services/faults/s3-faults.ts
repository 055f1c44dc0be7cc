import { S3ServiceException } from '@aws-sdk/client-s3';
import { S3Store, type ByteRange, type S3Config } from '../../adapters/s3.ts';
import { isFirstAttempt } from './first-attempt.ts';

/**
 * FAULT HOOK FOR TESTS (test/faults): the S3 adapter whose first GET of each object (or byte range)
 * with a key containing one of `fragments` (RECSYS_FAULT_S3_READ_ONCE) fails the way S3 fails
 * under load (503 SlowDown, a real S3ServiceException); the retry succeeds. "First" is a marker
 * file in `dir` (RECSYS_FAULT_DIR), shared by worker threads. Made instead of a plain S3Store only
 * when faults are asked for (runtime.ts).
 */
export class S3StoreWithFaults extends S3Store {
  constructor(
    config: S3Config,
    private readonly fragments: readonly string[],
    private readonly dir: string,
  ) {
    super(config);
  }

  protected override getBody(key: string, range?: ByteRange) {
    if (this.fragments.some((fragment) => key.includes(fragment))) {
      const target = `s3-read:${key}:${range ? `${range.start}-${range.endInclusive}` : 'all'}`;
      if (isFirstAttempt(this.dir, target)) {
        throw new S3ServiceException({
          name: 'SlowDown',
          $fault: 'server',
          $metadata: { httpStatusCode: 503 },
          message: `Please reduce your request rate (injected for ${key})`,
        });
      }
    }
    return super.getBody(key, range);
  }
}
