import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  serveWorkerPids,
  startRecsysServe,
  type ServeProcess,
} from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';

const KEY = 'workers-test-key';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('recsys serve --workers 2 (two processes on one port)', () => {
  let data: ServingData;
  let server: ServeProcess;
  const body = JSON.stringify({
    ratings: [
      { movieId: 1, rating: 5 },
      { movieId: 260, rating: 4.5 },
      { movieId: 1196, rating: 4 },
    ],
    limit: 10,
  });
  const post = async () => {
    const answer = await fetch(`${server.url}/recommendations`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body,
    });
    const json = (await answer.json()) as { strategy?: string; items?: { movieId: number }[] };
    return {
      status: answer.status,
      strategy: json.strategy,
      ids: json.items?.map((i) => i.movieId),
    };
  };

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[serve-workers] ${line}`));
    server = await startRecsysServe({
      keyspace: data.keyspace,
      apiKey: KEY,
      args: ['--workers', '2'],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers from two worker processes, every answer the same fold-in list', async () => {
    await until(() => serveWorkerPids(server.process.pid).length === 2, 'two workers');
    // Enough requests at once that both workers take some (connections go round-robin).
    const answers = await Promise.all(Array.from({ length: 24 }, post));
    expect(answers.every((a) => a.status === 200 && a.strategy === 'fold-in')).toBe(true);
    expect(answers[0]!.ids).toHaveLength(10);
    expect(new Set(answers.map((a) => a.ids!.join(','))).size).toBe(1);
  });

  it('replaces a worker that dies, and keeps answering', async () => {
    const [victim, other] = serveWorkerPids(server.process.pid);
    process.kill(victim!, 'SIGKILL');
    await until(() => {
      const now = serveWorkerPids(server.process.pid);
      return now.length === 2 && !now.includes(victim!) && now.includes(other!);
    }, 'a replacement worker');
    const answers = await Promise.all(Array.from({ length: 8 }, post));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
  });

  it('stops every worker on SIGTERM', async () => {
    const workers = serveWorkerPids(server.process.pid);
    expect(workers).toHaveLength(2);
    await server.stop();
    expect(server.process.exitCode).toBe(0);
    await until(() => workers.every((pid) => !alive(pid)), 'the workers to exit', 10);
  });
});
