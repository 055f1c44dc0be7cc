import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
  type GetObjectCommandOutput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/**
 * Where objects live. `endpoint` set means a local S3-protocol server (moto or LocalStack) reached
 * with path-style URLs and dummy credentials; unset means real S3 with the SDK's default chain.
 */
export interface S3Config {
  readonly bucket: string;
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  /** Total attempts per request, the first included, with the SDK's standard retry mode. */
  readonly maxAttempts: number;
}

export const DEFAULT_BUCKET = 'recsys-local';

export function s3ConfigFromEnv(env: NodeJS.ProcessEnv = process.env): S3Config {
  const endpoint = env.S3_ENDPOINT?.trim() || undefined;
  const rawAttempts = env.RECSYS_S3_MAX_ATTEMPTS?.trim();
  const maxAttempts = rawAttempts ? Number(rawAttempts) : 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) {
    throw new Error(`RECSYS_S3_MAX_ATTEMPTS must be an integer in [1, 20], got "${rawAttempts}"`);
  }
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined;
  return {
    bucket: env.RECSYS_BUCKET?.trim() || DEFAULT_BUCKET,
    endpoint,
    region: region ?? (endpoint ? 'us-east-1' : undefined),
    maxAttempts,
  };
}

export function createS3Client(config: S3Config, env: NodeJS.ProcessEnv = process.env): S3Client {
  const options: S3ClientConfig = { maxAttempts: config.maxAttempts, retryMode: 'standard' };
  if (config.region) options.region = config.region;
  if (config.endpoint) {
    options.endpoint = config.endpoint;
    // Local servers answer on one host name, so bucket-in-host-name URLs would not resolve.
    options.forcePathStyle = true;
    // Without this the default chain would probe instance metadata and stall before failing.
    if (!env.AWS_ACCESS_KEY_ID)
      options.credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    // The SDK's default CRC32 checksums stay on here too: moto 5.2 accepts them (trailing ones on
    // streamed and multipart uploads included), so local runs exercise the same requests as AWS.
  }
  return new S3Client(options);
}

/** Thrown for a GET of a key that does not exist, naming the full s3:// address. */
export class S3ObjectNotFoundError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    cause?: unknown,
  ) {
    super(`s3://${bucket}/${key} does not exist`, { cause });
    this.name = 'S3ObjectNotFoundError';
  }
}

/** Bytes start..endInclusive of an object, the way HTTP ranges count. */
export interface ByteRange {
  readonly start: number;
  readonly endInclusive: number;
}

export interface ObjectInfo {
  readonly size: number;
  /** Without the surrounding quotes S3 puts on it. */
  readonly etag: string;
  readonly lastModified: Date | undefined;
  readonly contentType: string | undefined;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

export interface UploadProgress {
  readonly loaded: number;
  readonly total: number;
}

export interface UploadFileOptions {
  readonly contentType?: string;
  readonly onProgress?: (progress: UploadProgress) => void;
  /** Bytes per part; S3's minimum is 5 MiB for every part but the last. */
  readonly partSize?: number;
  /** Parts in flight at once. */
  readonly queueSize?: number;
}

export type PutBody = string | Uint8Array | Readable;

const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
// DeleteObjects takes at most this many keys per request.
const DELETE_BATCH = 1000;

function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return (
    error.name === 'NoSuchKey' ||
    error.name === 'NotFound' ||
    error.$metadata.httpStatusCode === 404
  );
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** The one place the project talks to S3: every handler and script goes through this. */
export class S3Store {
  readonly bucket: string;
  readonly client: S3Client;
  readonly isLocal: boolean;

  constructor(config: S3Config = s3ConfigFromEnv(), client?: S3Client) {
    this.bucket = config.bucket;
    this.isLocal = config.endpoint !== undefined;
    this.client = client ?? createS3Client(config);
  }

  /**
   * Makes sure the bucket exists. Only creates it on a local endpoint: on AWS the CDK stack owns the
   * bucket, and silently creating one elsewhere would hide a wrong RECSYS_BUCKET.
   */
  async ensureBucket(name: string = this.bucket): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: name }));
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!this.isLocal) throw new Error(`bucket ${name} does not exist (deploy the stack first)`);
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: name }));
    } catch (error) {
      // Another process may have created it between our HEAD and our CREATE.
      if (!(error instanceof Error) || error.name !== 'BucketAlreadyOwnedByYou') throw error;
    }
  }

  /** Strings and bytes go in one PUT; streams of unknown length go through a multipart upload. */
  async putObject(key: string, body: PutBody, contentType?: string): Promise<{ etag: string }> {
    if (body instanceof Readable) {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
        partSize: DEFAULT_PART_SIZE,
      });
      const result = await upload.done();
      return { etag: unquote(result.ETag) };
    }
    const result = await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
    return { etag: unquote(result.ETag) };
  }

  /**
   * A server-side copy within the bucket (up to 5 GB, one request): the bytes never pass through
   * the caller, so publishing a large file costs no memory or transfer.
   */
  async copyObject(fromKey: string, toKey: string): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: toKey,
        CopySource: `${this.bucket}/${encodeURIComponent(fromKey).replace(/%2F/g, '/')}`,
      }),
    );
  }

  async getBuffer(key: string): Promise<Buffer> {
    const body = await this.getBody(key);
    return Buffer.from(await body.transformToByteArray());
  }

  async getText(key: string): Promise<string> {
    return (await this.getBuffer(key)).toString('utf8');
  }

  /**
   * The object (or the inclusive byte range of it) as a Node stream, for parsing without holding
   * the whole object. The caller must consume or destroy it, or the socket stays checked out.
   */
  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const body = await this.getBody(key, range);
    // Node's HTTP handler always returns an IncomingMessage; anything else means a browser build.
    if (!(body instanceof Readable)) throw new Error('S3 returned a non-Node stream body');
    return body;
  }

  /** Bytes start..endInclusive, the way HTTP ranges count; clipped by S3 at the object's end. */
  async getRange(key: string, start: number, endInclusive: number): Promise<Buffer> {
    const body = await this.getBody(key, { start, endInclusive });
    return Buffer.from(await body.transformToByteArray());
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const result = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return {
        size: result.ContentLength ?? 0,
        etag: unquote(result.ETag),
        lastModified: result.LastModified,
        contentType: result.ContentType,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Every object under the prefix, in key order, one page of up to 1,000 fetched at a time. */
  async *listObjects(prefix: string): AsyncIterable<ListedObject> {
    const pages = paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: prefix },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) yield { key: object.Key, size: object.Size ?? 0 };
      }
    }
  }

  async *listKeys(prefix: string): AsyncIterable<string> {
    for await (const object of this.listObjects(prefix)) yield object.key;
  }

  /** Deletes every object under the prefix; returns how many were deleted. */
  async deleteByPrefix(prefix: string): Promise<number> {
    // An empty prefix would empty the whole bucket: never what a caller of this method means.
    if (prefix === '') throw new Error('deleteByPrefix needs a non-empty prefix');
    let deleted = 0;
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const result = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const first = result.Errors?.[0];
      if (first) {
        throw new Error(
          `could not delete s3://${this.bucket}/${first.Key}: ${first.Code} ${first.Message}`,
        );
      }
      deleted += batch.length;
      batch = [];
    };
    for await (const key of this.listKeys(prefix)) {
      batch.push(key);
      if (batch.length === DELETE_BATCH) await flush();
    }
    await flush();
    return deleted;
  }

  /**
   * Uploads a file in parts (several in flight), reporting bytes sent. The last report always
   * equals the file size, so a progress bar can finish at 100 %.
   */
  async uploadFile(
    key: string,
    path: string,
    options: UploadFileOptions = {},
  ): Promise<{ etag: string; size: number }> {
    const { size } = await stat(path);
    const partSize = Math.max(MIN_PART_SIZE, options.partSize ?? DEFAULT_PART_SIZE);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentType: options.contentType,
      },
      partSize,
      queueSize: options.queueSize ?? 4,
      // A failed upload would otherwise leave invisible parts that S3 keeps billing for.
      leavePartsOnError: false,
    });
    let lastLoaded = -1;
    const report = (loaded: number): void => {
      if (loaded === lastLoaded) return;
      lastLoaded = loaded;
      options.onProgress?.({ loaded, total: size });
    };
    upload.on('httpUploadProgress', (progress) => report(Math.min(progress.loaded ?? 0, size)));
    const result = await upload.done();
    report(size);
    return { etag: unquote(result.ETag), size };
  }

  destroy(): void {
    this.client.destroy();
  }

  /**
   * Every GET goes through here. Fault injection for tests overrides it
   * (services/faults/s3-faults.ts).
   */
  protected async getBody(
    key: string,
    range?: ByteRange,
  ): Promise<NonNullable<GetObjectCommandOutput['Body']>> {
    if (range && (range.start < 0 || range.endInclusive < range.start)) {
      throw new RangeError(`bad byte range ${range.start}-${range.endInclusive} for ${key}`);
    }
    try {
      const result = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.endInclusive}` : undefined,
        }),
      );
      if (!result.Body) throw new Error(`s3://${this.bucket}/${key} came back without a body`);
      return result.Body;
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchBucket') {
        throw new Error(`bucket ${this.bucket} does not exist (reading ${key})`, { cause: error });
      }
      if (isNotFound(error)) throw new S3ObjectNotFoundError(this.bucket, key, error);
      throw error;
    }
  }
}
