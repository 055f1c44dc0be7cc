/**
 * Where a `node --cpu-prof` profile's time went: self time summed by function and by file, the
 * top N of each, as percentages of the sampled time (idle and GC shown as their own rows).
 *
 *   tsx scripts/bench/cpu-profile-top.ts file.cpuprofile [--top 30] [--last-ms N] [--total a,b]
 *
 * --last-ms: only the last N ms of samples (the load run, not start-up and the model load).
 * --total: inclusive time (self + callees, counted once per sample) of the functions so named.
 */
import { readFileSync } from 'node:fs';
import { arg } from './args.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: cpu-profile-top.ts file.cpuprofile [--top 30] [--from-ms 0]');
const top = Number(arg('top') ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const span = profile.timeDeltas.reduce((a, b) => a + b, 0);
const fromUs = arg('last-ms') === undefined ? 0 : span - Number(arg('last-ms')) * 1000;
const inclusiveNames = (arg('total') ?? '').split(',').filter(Boolean);
const inclusive = new Map<string, number>(inclusiveNames.map((n) => [n, 0]));

const shortUrl = (url: string) =>
  url.replace(/^file:\/\/.*?\/(lambdas|scripts|node_modules)\//, '$1/').replace(/^node:/, 'node:');
const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
let total = 0;
let clock = 0;
for (let k = 0; k < profile.samples.length; k++) {
  const delta = profile.timeDeltas[k] ?? 0;
  clock += delta;
  if (clock < fromUs) continue;
  const node = byId.get(profile.samples[k]!)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? shortUrl(url) : '(native)';
  const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + delta);
  selfByFile.set(where, (selfByFile.get(where) ?? 0) + delta);
  total += delta;
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const fn = byId.get(id)!.callFrame.functionName;
    if (inclusive.has(fn) && !seen.has(fn)) {
      seen.add(fn);
      inclusive.set(fn, inclusive.get(fn)! + delta);
    }
  }
}

const print = (title: string, table: Map<string, number>) => {
  console.log(`\n${title} (of ${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [name, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    );
  }
};
print('self time by function', selfByFunction);
print('self time by file', selfByFile);
if (inclusive.size > 0) print('total time (self + callees)', inclusive);
