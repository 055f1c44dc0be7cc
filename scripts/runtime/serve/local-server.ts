import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ApiHandler } from '../../../lambdas/services/api/app.ts';
import { MAX_BODY_BYTES } from '../../../lambdas/services/api/middleware/body-limit.ts';
import { localLambdaContext, toApiGatewayEvent } from './api-event.ts';
import { readStatic } from './static-files.ts';

export interface LocalServerOptions {
  readonly handler: ApiHandler;
  /** The built web UI (index.html, assets/); absent means API only. */
  readonly webDir?: string;
  /** Where `bench/results/train.json` lives, served to the analytics page when present. */
  readonly benchResultsDir?: string;
  readonly port: number;
  readonly host?: string;
  readonly maxBodyBytes?: number;
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** Paths the UI owns; every other path goes to the API handler, as behind API Gateway. */
function isWebPath(path: string): boolean {
  return path === '/' || path === '/index.html' || path.startsWith('/assets/');
}

/**
 * `recsys serve`: what SAM's local API does, in-process. Each request becomes an API Gateway REST
 * proxy event for the same handler the Lambda runs; the UI's files are served beside it, so the
 * browser calls the API on its own origin.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<RunningServer> {
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, {
          error: { status: 500, code: 'internal', message: String(error) },
        });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Prefixed, not resolved: resolving "//host/x" against a base reads "host" as a host name
    // (and throws on a malformed one), where API Gateway sees the path "//host/x".
    const target = request.url?.startsWith('/') ? request.url : '/';
    const url = new URL(`http://localhost${target}`);
    const method = request.method ?? 'GET';
    if ((method === 'GET' || method === 'HEAD') && options.webDir && isWebPath(url.pathname)) {
      const file = await readStatic(options.webDir, url.pathname);
      if (file)
        return sendFile(response, file.body, file.type, url.pathname.startsWith('/assets/'));
    }
    if (method === 'GET' && url.pathname === '/bench/train.json' && options.benchResultsDir) {
      const file = await readStatic(options.benchResultsDir, 'train.json');
      return file
        ? sendFile(response, file.body, file.type, false)
        : sendJson(response, 404, {
            error: { status: 404, code: 'not_found', message: 'no training benchmark results' },
          });
    }
    const body = await readBody(request, maxBody);
    if (body === TOO_LARGE) {
      sendJson(response, 413, {
        error: {
          status: 413,
          code: 'payload_too_large',
          message: `at most ${maxBody} bytes are accepted`,
        },
      });
      request.resume();
      return;
    }
    const event = toApiGatewayEvent(request, url, body);
    const result = await options.handler(event, localLambdaContext(event.requestContext.requestId));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
      headers[name] = values.join(', ');
    }
    response.writeHead(result.statusCode, headers);
    response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const TOO_LARGE = Symbol('too large');

/** The request body as text, or TOO_LARGE as soon as it passes `max` bytes (not read further). */
async function readBody(
  request: IncomingMessage,
  max: number,
): Promise<string | null | typeof TOO_LARGE> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > max) return TOO_LARGE;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return TOO_LARGE;
    chunks.push(chunk);
  }
  return size === 0 ? null : Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

function sendFile(response: ServerResponse, body: Buffer, type: string, immutable: boolean): void {
  response.writeHead(200, {
    'Content-Type': type,
    // Asset names carry a content hash, so they never change; index.html must always be fresh.
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  response.end(body);
}

export function defaultBenchResultsDir(root: string): string | undefined {
  const dir = join(root, 'bench', 'results');
  return existsSync(dir) ? dir : undefined;
}
