import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runCommand } from '../cassandra/proc.ts';

const GROUPLENS = 'https://files.grouplens.org/datasets/movielens/';

/** Where the archives are fetched from: GroupLens unless RECSYS_MOVIELENS_URL names a mirror. */
export function movieLensBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const mirror = env.RECSYS_MOVIELENS_URL?.trim();
  return mirror ? mirror.replace(/\/?$/, '/') : GROUPLENS;
}

/** `recsys fetch` names → the GroupLens archives (each unzips into a folder of the same name). */
export const MOVIELENS_ARCHIVES = {
  small: 'ml-latest-small',
  full: 'ml-latest',
  '25m': 'ml-25m',
  '32m': 'ml-32m',
  '100k': 'ml-100k',
  '1m': 'ml-1m',
} as const;

export type MovieLensName = keyof typeof MOVIELENS_ARCHIVES;

export class OfflineError extends Error {}

export interface FetchOptions {
  readonly name: MovieLensName;
  /** Where `<archive>/` is unzipped; `data/` of the project by default. */
  readonly dataDir: string;
  /** Seconds to wait for GroupLens to answer before calling it offline. */
  readonly timeoutSeconds: number;
  readonly onProgress?: (received: number, total: number | undefined) => void;
  /** Where the archives live; {@link movieLensBaseUrl} by default. */
  readonly baseUrl?: string;
}

export interface FetchResult {
  readonly dir: string;
  readonly md5: string;
  /** False when GroupLens publishes no checksum for this archive. */
  readonly verified: boolean;
  readonly bytes: number;
}

/** Downloads a MovieLens zip, checks it against the .md5 GroupLens publishes beside it, unzips it. */
export async function fetchMovieLens(options: FetchOptions): Promise<FetchResult> {
  const archive = MOVIELENS_ARCHIVES[options.name];
  const url = `${options.baseUrl ?? movieLensBaseUrl()}${archive}.zip`;
  const published = await fetchPublishedMd5(`${url}.md5`, options.timeoutSeconds);
  await mkdir(options.dataDir, { recursive: true });
  const zipPath = join(options.dataDir, `${archive}.zip`);
  const partial = `${zipPath}.partial`;
  const response = await get(url, options.timeoutSeconds);
  if (!response.ok || !response.body) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || undefined;
  const md5 = createHash('md5');
  let received = 0;
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  body.on('data', (chunk: Buffer) => {
    md5.update(chunk);
    received += chunk.length;
    options.onProgress?.(received, total);
  });
  await pipeline(body, createWriteStream(partial));
  const actual = md5.digest('hex');
  if (published !== undefined && published !== actual) {
    await rm(partial, { force: true });
    throw new Error(`${archive}.zip: md5 ${actual} does not match the published ${published}`);
  }
  await rename(partial, zipPath);
  const unzipped = await runCommand('unzip', ['-o', '-q', zipPath, '-d', options.dataDir], {
    timeoutMs: 30 * 60_000,
  });
  if (unzipped.spawnError || unzipped.code !== 0) {
    throw new Error(
      `unzip ${zipPath} failed: ${(unzipped.stderr || String(unzipped.spawnError)).trim()}`,
    );
  }
  await rm(zipPath, { force: true });
  return {
    dir: join(options.dataDir, archive),
    md5: actual,
    verified: published !== undefined,
    bytes: received,
  };
}

/** The hex digest in GroupLens' `<archive>.zip.md5` ("MD5 (file) = hex" or "hex  file"). */
async function fetchPublishedMd5(url: string, timeoutSeconds: number): Promise<string | undefined> {
  const response = await get(url, timeoutSeconds);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const match = /\b([0-9a-f]{32})\b/i.exec(await response.text());
  if (!match) throw new Error(`${url} holds no md5 digest`);
  return match[1]!.toLowerCase();
}

async function get(url: string, timeoutSeconds: number): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new OfflineError(
      `cannot reach ${new URL(url).host} (${reason}): no internet? ` +
        'Put a MovieLens folder under data/ yourself and use --dir',
      { cause: error },
    );
  }
}
