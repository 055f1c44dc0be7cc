/**
 * Issue 22's fold-in goal through the real server: `recsys serve` on a trained keyspace, loaded
 * with autocannon — `POST /recommendations` with 30 given ratings (the scale bench's bodies) and
 * stored lists (`GET /users/{id}/recommendations`). Assumes the services are up (a scale run with
 * --keep leaves them: Cassandra at 127.0.0.1:9042, the S3 endpoint at http://127.0.0.1:4566); it
 * starts and stops nothing but its own `recsys serve`, and writes only what serving writes
 * (served_lists rows).
 *
 *   tsx scripts/bench/fold-in-http.ts [--keyspace bench_scale] [--bucket recsys-bench-scale]
 *     [--seconds 10] [--connections 10] [--label before] [--out bench/results/fold-in-http.json]
 *     [--capture file.json] [--cpu-prof dir] [--only fold-in|stored] [--served-list-sample 1]
 *     [--servers 1] [--workers 1]
 *
 * --label: adds this run (req/s, p50/p90/p99 per scenario, load averages, git commit) to `--out`
 * under `runs` (several runs per label: alternate before/after on the same machine). Each row also
 * has `cpuMsPerRequest` over the measured run: the server's, Cassandra's (the JVM `pgrep -f
 * CassandraDaemon` finds) and this process's (autocannon), from /proc — on a shared machine the
 * three together bound the requests per second. --users: stored lists go to users 1..N (162540).
 * --capture: writes the answers to 50 fixed fold-in requests (and 5 with explain: true) and 20 stored lists (recommendationId
 * and `millis` removed) instead of loading — compare two files to show a change kept every list.
 * --served-list-sample: RECSYS_SERVED_LIST_SAMPLE for the server (default 1: every list written).
 * --servers N: N `recsys serve` processes, the connections shared out among them (what a second
 * process on another core gives); CPU is their sum, p50 the request-weighted mean, p99 the worst.
 * --workers N: each server is `recsys serve --workers N` (N processes on one port, the product's
 * way to use more cores); its CPU is the primary's and its workers'.
 * --only: the scenarios whose name contains it.
 * --cpu-prof: serve under `node --cpu-prof` (the profile lands in `dir` when it stops).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveWorkerPids, startRecsysServe } from '../support/recsys-serve.ts';
import autocannon from 'autocannon';
import { thirtyRatingsBody, type LoadScenario } from './api-load.ts';
import { parseFlagValues } from './args.ts';
import { loadAverage, machine, processCpuSeconds } from './machine.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = 'bench-fold-in-key';
const flags = parseFlagValues(process.argv.slice(2));
const keyspace = flags.keyspace ?? 'bench_scale';
const bucket = flags.bucket ?? 'recsys-bench-scale';
const seconds = Number(flags.seconds ?? 10);
const connections = Number(flags.connections ?? 10);
const serverCount = Number(flags.servers ?? 1);
const workers = Number(flags.workers ?? 1);
for (const [flag, value] of Object.entries({
  seconds,
  connections,
  servers: serverCount,
  workers,
})) {
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`fold-in-http: --${flag} must be a whole number ≥ 1\n`);
    process.exit(2);
  }
}
const out = flags.out ?? join(ROOT, 'bench/results/fold-in-http.json');

function scenarios(users: number, movieIds: readonly number[]): LoadScenario[] {
  let counter = 0;
  return [
    {
      name: 'POST /recommendations (fold-in, 30 ratings)',
      request: {
        method: 'POST',
        path: '/recommendations',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        setupRequest: (r) => ({ ...r, body: thirtyRatingsBody(counter++, movieIds) }),
      },
    },
    {
      name: 'GET /users/{id}/recommendations (stored top-N)',
      request: {
        method: 'GET',
        setupRequest: (r) => ({ ...r, path: `/users/${(counter++ % users) + 1}/recommendations` }),
      },
    },
  ];
}

/** The local Cassandra's pid (its JVM), to charge its CPU per request; undefined if none found. */
function cassandraPid(): number | undefined {
  const found = spawnSync('pgrep', ['-f', 'CassandraDaemon'], { encoding: 'utf8' });
  const pid = Number(found.stdout.trim().split('\n')[0]);
  return pid > 0 ? pid : undefined;
}

/** An answer without what differs from call to call. */
function stable(body: unknown): unknown {
  const { recommendationId: _id, millis: _millis, ...rest } = body as Record<string, unknown>;
  return rest;
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const servers = await Promise.all(
    Array.from({ length: serverCount }, () =>
      startRecsysServe({
        keyspace,
        apiKey: API_KEY,
        env: {
          S3_ENDPOINT: 'http://127.0.0.1:4566',
          CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042',
          RECSYS_DB: 'local',
          RECSYS_BUCKET: bucket,
          ...(flags['served-list-sample']
            ? { RECSYS_SERVED_LIST_SAMPLE: flags['served-list-sample'] }
            : {}),
        },
        ...(flags['cpu-prof']
          ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`] }
          : {}),
        ...(workers > 1 ? { args: ['--workers', String(workers)] } : {}),
      }),
    ),
  );
  const server = servers[0]!;
  try {
    const headers = { 'x-api-key': API_KEY };
    const get = async (path: string) => {
      const answer = await fetch(`${server.url}${path}`, { headers });
      if (!answer.ok) throw new Error(`${path} answered ${answer.status}`);
      return answer.json() as Promise<Record<string, unknown>>;
    };
    // Each server loads the catalogue and the model on its first request.
    for (const s of servers) {
      const answer = await fetch(`${s.url}/users/1/recommendations`, { headers });
      if (!answer.ok) throw new Error(`${s.url} answered ${answer.status}`);
      await answer.arrayBuffer();
    }
    const popular = (await get('/movies/popular?limit=100')) as { items: { movieId: number }[] };
    const movieIds = popular.items.map((m) => m.movieId);
    const users = Number(flags.users ?? 162_540);
    if (flags.capture) {
      const foldIn = [];
      for (let k = 0; k < 50; k++) {
        const answer = await fetch(`${server.url}/recommendations`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: thirtyRatingsBody(k, movieIds),
        });
        foldIn.push(stable(await answer.json()));
      }
      // explain: true, whose answer the served-list write now runs beside.
      for (let k = 0; k < 5; k++) {
        const answer = await fetch(`${server.url}/recommendations`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ ...JSON.parse(thirtyRatingsBody(k, movieIds)), explain: true }),
        });
        foldIn.push(stable(await answer.json()));
      }
      const stored = [];
      for (let u = 1; u <= 20; u++)
        stored.push(stable(await get(`/users/${u * 997}/recommendations`)));
      writeFileSync(flags.capture, JSON.stringify({ foldIn, stored }, null, 1) + '\n');
      console.log(`wrote ${flags.capture}`);
      return;
    }
    const all = scenarios(users, movieIds);
    const chosen = flags.only ? all.filter((s) => s.name.includes(flags.only!)) : all;
    // As api-load.ts measures (2 s warm-up at 2 connections, then the run), with the CPU each
    // process spent over the measured run: the server, Cassandra, this process (autocannon).
    const cassandra = cassandraPid();
    const rows = [];
    for (const scenario of chosen) {
      // With --servers N, each server gets its share of the connections at the same time.
      const load = (duration: number, n: number) =>
        Promise.all(
          servers.map((s, k) =>
            autocannon({
              url: s.url,
              connections: Math.floor(n / serverCount) + (k < n % serverCount ? 1 : 0),
              duration,
              headers,
              requests: [scenario.request],
            }),
          ),
        );
      await load(2, 2 * serverCount);
      // A server's processes: itself and, with --workers, its workers (children, as they are now).
      const serverPids = servers.flatMap((s) => [s.process.pid, ...serveWorkerPids(s.process.pid)]);
      const serverCpu = () => {
        const each = serverPids.map((pid) =>
          pid === undefined ? null : (processCpuSeconds(pid) ?? null),
        );
        return each.includes(null) ? null : each.reduce((a, b) => a! + b!, 0);
      };
      const cpu = () => ({
        server: serverCpu(),
        cassandra: cassandra === undefined ? null : (processCpuSeconds(cassandra) ?? null),
        bench: process.cpuUsage(),
      });
      const before = cpu();
      const results = await load(seconds, connections);
      const after = cpu();
      const total = results.reduce((a, r) => a + r.requests.total, 0);
      // One server: its percentiles. Several: p50 the request-weighted mean of theirs, p90 and
      // p99 the worst of theirs.
      const weighted = (pick: (r: autocannon.Result) => number) =>
        Math.round(results.reduce((a, r) => a + pick(r) * r.requests.total, 0) / total);
      const worst = (pick: (r: autocannon.Result) => number) => Math.max(...results.map(pick));
      const result = {
        requests: { average: results.reduce((a, r) => a + r.requests.average, 0) },
        latency: {
          p50: weighted((r) => r.latency.p50),
          p90: worst((r) => r.latency.p90),
          p99: worst((r) => r.latency.p99),
        },
        non2xx: results.reduce((a, r) => a + r.non2xx, 0),
        errors: results.reduce((a, r) => a + r.errors, 0),
      };
      const perRequest = (a: number | null, b: number | null) =>
        a === null || b === null ? null : Math.round(((b - a) * 1e6) / total) / 1000;
      const benchUs = process.cpuUsage(before.bench);
      const row = {
        scenario: scenario.name,
        requests: total,
        requestsPerSecond: Math.round(result.requests.average),
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        cpuMsPerRequest: {
          server: perRequest(before.server, after.server),
          cassandra: perRequest(before.cassandra, after.cassandra),
          bench: Math.round((benchUs.user + benchUs.system) / total) / 1000,
        },
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    if (flags.label) {
      const previous = existsSync(out)
        ? (JSON.parse(readFileSync(out, 'utf8')) as { runs?: unknown[] })
        : {};
      const run = {
        label: flags.label,
        date: new Date().toISOString(),
        commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })
          .toString()
          .trim(),
        connections,
        seconds,
        servers: serverCount,
        workers,
        servedListSample: Number(flags['served-list-sample'] ?? 1),
        loadAverage: { before: loadBefore, after: loadAverage() },
        scenarios: rows,
      };
      const data = {
        description:
          "Issue 22's fold-in goal through `recsys serve` (one Node process) on the 25M-rating " +
          'model, autocannon in the bench process on the same machine as Cassandra and the S3 ' +
          'server: POST /recommendations with 30 given ratings, stored lists.',
        command: `tsx scripts/bench/fold-in-http.ts --keyspace ${keyspace} --bucket ${bucket} --seconds ${seconds} --connections ${connections} --label <label>`,
        machine: machine(),
        ...previous,
        runs: [...(previous.runs ?? []), run],
      };
      writeFileSync(out, JSON.stringify(data, null, 2) + '\n');
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop('SIGINT')));
  }
}

await main();
process.exit(0);
