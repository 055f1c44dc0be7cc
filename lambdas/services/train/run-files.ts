import type { S3Store } from '../../adapters/s3.ts';
import { S3ObjectNotFoundError } from '../../adapters/s3.ts';
import { trainCacheBytes } from '../config/train-config.ts';

/**
 * S3 access for a training run's files. Most of them never change once written (a key is a
 * function of run, iteration and block, and a rewrite puts the same bytes), so a warm container
 * keeps decoded copies: a worker solving several blocks of one iteration reads the fixed side once.
 * Mutable files (the checkpoint) bypass the cache.
 */

interface Cached {
  readonly value: unknown;
  readonly bytes: number;
}

const cache = new Map<string, Cached>();
let cachedBytes = 0;

function remember(key: string, value: unknown, bytes: number): void {
  const limit = trainCacheBytes();
  if (bytes > limit) return;
  cache.set(key, { value, bytes });
  cachedBytes += bytes;
  // Map iteration is insertion order: the oldest entries go first.
  for (const [oldKey, old] of cache) {
    if (cachedBytes <= limit) break;
    cache.delete(oldKey);
    cachedBytes -= old.bytes;
  }
}

export class RunFiles {
  constructor(readonly s3: S3Store) {}

  async putBytes(key: string, bytes: Uint8Array): Promise<void> {
    await this.s3.putObject(key, bytes, 'application/octet-stream');
  }

  async putJson(key: string, value: unknown): Promise<void> {
    await this.s3.putObject(key, JSON.stringify(value), 'application/json');
  }

  async getBytes(key: string): Promise<Uint8Array> {
    const buffer = await this.s3.getBuffer(key);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /** Reads and decodes an immutable file, from the container's cache when it has it. */
  async immutable<T>(key: string, decode: (bytes: Uint8Array) => T): Promise<T> {
    const hit = cache.get(key);
    if (hit) return hit.value as T;
    const bytes = await this.getBytes(key);
    const value = decode(bytes);
    remember(key, value, bytes.byteLength);
    return value;
  }

  immutableJson<T>(key: string): Promise<T> {
    return this.immutable(key, (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as T);
  }

  /** A mutable JSON file, or undefined when it does not exist. */
  async currentJson<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await this.s3.getText(key)) as T;
    } catch (error) {
      if (error instanceof S3ObjectNotFoundError) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.s3.head(key)) !== undefined;
  }
}
