/**
 * What a stored list costs the local Cassandra: a row of `recommendation_lists` (50 movie ids and
 * 50 scores) written and read through the product's adapter, once with the lists as plain CQL
 * `list<…>` columns and once `frozen<list<…>>` (the schema's choice, lambdas/core/schema/tables.ts).
 *
 * A plain list is a cell per element (each with a 16-byte timeuuid path) and a tombstone on every
 * overwrite; a frozen list is one cell. The figure that matters on a shared two-core machine is
 * the server's CPU per row (utime + stime of the Cassandra process from /proc, before and after),
 * not the wall time, so two passes of each are run and the second (warm) pass is reported.
 *
 *   npx recsys cassandra start
 *   npx tsx scripts/bench/frozen-lists.ts [--rows 20000] [--out bench/results/frozen-lists.json]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { readPid } from '../runtime/cassandra/proc.ts';
import { arg } from './args.ts';
import { commandLine, loadAverage, processCpuSeconds, resultsDir, runStamp } from './machine.ts';

const rows = Number(arg('rows') ?? 20_000);
if (!Number.isInteger(rows) || rows < 100) throw new Error('--rows must be a whole number ≥ 100');
const out = arg('out') ?? join(resultsDir(), 'frozen-lists.json');
const pidFile = join(process.cwd(), '.local', 'cassandra', 'cassandra.pid');
const found = readPid(pidFile);
if (found === undefined) {
  throw new Error(`no local Cassandra (${pidFile}): run npx recsys cassandra start`);
}
const pid = found;
const WRITERS = 32;
const READERS = 16;

/** CPU seconds the Cassandra process has used so far. */
function serverCpuSeconds(): number {
  const seconds = processCpuSeconds(pid);
  if (seconds === undefined) throw new Error(`cannot read the CPU time of Cassandra (pid ${pid})`);
  return seconds;
}

async function inParallel(workers: number, count: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

const store = new CassandraStore(
  cassandraConfigFromEnv({ ...process.env, RECSYS_KEYSPACE: 'bench_frozen_lists' }),
);
const started = performance.now();
const before = loadAverage();
await store.connect();
await store.execute(
  "CREATE KEYSPACE IF NOT EXISTS bench_frozen_lists WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
);
const layouts = { plain: 'list', frozen: 'frozen<list' } as const;
for (const [name, type] of Object.entries(layouts)) {
  const close = type === 'list' ? '' : '>';
  await store.execute(`DROP TABLE IF EXISTS ${store.table(name)}`);
  await store.execute(
    `CREATE TABLE ${store.table(name)} (model_id text, user_id int, ` +
      `movie_ids ${type}<int>${close}, scores ${type}<float>${close}, PRIMARY KEY ((model_id, user_id)))`,
  );
}
const movieIds = Array.from({ length: 50 }, (_, i) => 1 + i * 37);
const scores = movieIds.map((id) => 1 / id);

interface Pass {
  layout: string;
  pass: number;
  writeCpuMsPerRow: number;
  writeRowsPerSecond: number;
  readCpuMsPerRow: number;
  readRowsPerSecond: number;
}
const passes: Pass[] = [];
for (const pass of [1, 2]) {
  for (const layout of Object.keys(layouts)) {
    const insert = `INSERT INTO ${store.table(layout)} (model_id, user_id, movie_ids, scores) VALUES (?, ?, ?, ?)`;
    const select = `SELECT movie_ids, scores FROM ${store.table(layout)} WHERE model_id = ? AND user_id = ?`;
    const cpu0 = serverCpuSeconds();
    const t0 = performance.now();
    await inParallel(WRITERS, rows, async (user) => {
      await store.execute(insert, [`m${pass}`, user, movieIds, scores], { idempotent: true });
    });
    const cpu1 = serverCpuSeconds();
    const t1 = performance.now();
    await inParallel(READERS, rows, async (user) => {
      const result = await store.execute(select, [`m${pass}`, user]);
      const got = result.rows[0]?.['movie_ids'] as number[] | undefined;
      if (got?.length !== movieIds.length)
        throw new Error(`${layout}: row ${user} came back short`);
    });
    const cpu2 = serverCpuSeconds();
    const t2 = performance.now();
    const row: Pass = {
      layout,
      pass,
      writeCpuMsPerRow: ((cpu1 - cpu0) / rows) * 1000,
      writeRowsPerSecond: rows / ((t1 - t0) / 1000),
      readCpuMsPerRow: ((cpu2 - cpu1) / rows) * 1000,
      readRowsPerSecond: rows / ((t2 - t1) / 1000),
    };
    passes.push(row);
    console.log(
      `pass ${pass} ${layout.padEnd(6)}: write ${row.writeCpuMsPerRow.toFixed(3)} ms server CPU a row ` +
        `(${row.writeRowsPerSecond.toFixed(0)} rows/s), read ${row.readCpuMsPerRow.toFixed(3)} ms ` +
        `(${row.readRowsPerSecond.toFixed(0)} rows/s)`,
    );
  }
}
await store.dropKeyspace();
await store.shutdown();
const warm = (layout: string) => passes.find((p) => p.pass === 2 && p.layout === layout)!;
const ratio = {
  write: warm('plain').writeCpuMsPerRow / warm('frozen').writeCpuMsPerRow,
  read: warm('plain').readCpuMsPerRow / warm('frozen').readCpuMsPerRow,
};
console.log(
  `plain ÷ frozen server CPU, warm pass: write ${ratio.write.toFixed(2)}×, read ${ratio.read.toFixed(2)}×`,
);
const seconds = (performance.now() - started) / 1000;
writeFileSync(
  out,
  JSON.stringify(
    {
      run: runStamp(commandLine('npx tsx scripts/bench/frozen-lists.ts'), before, seconds),
      rows,
      passes,
      ratio,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${out}`);
