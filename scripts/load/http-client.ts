/**
 * A keep-alive JSON client for a load test that must know what each response answered: every
 * caller awaits its own request, so a write's acknowledgement is tied to exactly what it wrote
 * (autocannon's per-connection request loop cannot carry that across requests). Latencies and
 * statuses are kept per route, named by the caller.
 */
import { Agent, request } from 'node:http';

export type Reply =
  | { readonly kind: 'answered'; readonly status: number; readonly body: unknown }
  /** No answer: a refused or dropped connection, or no answer within the timeout. */
  | { readonly kind: 'failed'; readonly error: string };

export interface RouteFigures {
  readonly requests: number;
  readonly ok: number;
  readonly status4xx: number;
  readonly status5xx: number;
  readonly failed: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number };
}

/** The value at or below which a share `p` of the sorted samples lie (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

export class LoadClient {
  private readonly agent: Agent;
  private readonly latencies = new Map<string, number[]>();
  private readonly statuses = new Map<
    string,
    { ok: number; c4: number; c5: number; failed: number }
  >();

  constructor(
    private readonly base: string,
    private readonly apiKey: string,
    connections: number,
    private readonly timeoutMs = 10_000,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  /** Sends one request and records its latency and outcome under `route`. */
  send(route: string, method: string, path: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const started = performance.now();
    return new Promise<Reply>((resolve) => {
      const done = (reply: Reply) => {
        this.record(route, performance.now() - started, reply);
        resolve(reply);
      };
      const req = request(
        new URL(path, this.base),
        {
          method,
          agent: this.agent,
          headers: {
            'x-api-key': this.apiKey,
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => void (text += chunk));
          res.on('end', () => {
            done({ kind: 'answered', status: res.statusCode ?? 0, body: parseBody(text) });
          });
          res.on('error', (error) => done({ kind: 'failed', error: error.message }));
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (error) => done({ kind: 'failed', error: error.message }));
      req.end(payload);
    });
  }

  private record(route: string, ms: number, reply: Reply): void {
    const counts = this.statuses.get(route) ?? { ok: 0, c4: 0, c5: 0, failed: 0 };
    this.statuses.set(route, counts);
    if (reply.kind === 'failed') {
      counts.failed++;
      return;
    }
    if (reply.status >= 200 && reply.status < 300) counts.ok++;
    else if (reply.status >= 500) counts.c5++;
    else counts.c4++;
    const samples = this.latencies.get(route) ?? [];
    this.latencies.set(route, samples);
    samples.push(ms);
  }

  /** Per route: counts by outcome and the latency of the answered requests. */
  figures(): Record<string, RouteFigures> {
    const out: Record<string, RouteFigures> = {};
    for (const [route, counts] of this.statuses) {
      const sorted = [...(this.latencies.get(route) ?? [])].sort((a, b) => a - b);
      out[route] = {
        requests: counts.ok + counts.c4 + counts.c5 + counts.failed,
        ok: counts.ok,
        status4xx: counts.c4,
        status5xx: counts.c5,
        failed: counts.failed,
        latencyMs: {
          p50: round1(percentile(sorted, 0.5)),
          p90: round1(percentile(sorted, 0.9)),
          p99: round1(percentile(sorted, 0.99)),
          max: round1(sorted.at(-1) ?? 0),
        },
      };
    }
    return out;
  }

  close(): void {
    this.agent.destroy();
  }
}
