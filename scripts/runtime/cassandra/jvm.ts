import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CassandraPaths, CassandraSettings } from './settings.ts';
import { runCommand } from './proc.ts';

export const CASSANDRA_MAIN_CLASS = 'org.apache.cassandra.service.CassandraDaemon';

/** Cassandra 5.0 supports exactly these Java releases; 17 is what its tarball and image use. */
const SUPPORTED_JAVA = [17, 11];

export interface JavaRuntime {
  bin: string;
  major: number;
}

async function javaMajor(bin: string): Promise<number | undefined> {
  const result = await runCommand(bin, ['-version'], { timeoutMs: 20_000 });
  if (result.code !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

function javaCandidates(env: NodeJS.ProcessEnv): string[] {
  const candidates: string[] = [];
  const javaHome = env.JAVA_HOME?.trim();
  if (javaHome) candidates.push(join(javaHome, 'bin', 'java'));
  candidates.push('java');
  // Debian/Ubuntu and macOS keep side-by-side JDKs here; the default `java` is often a newer release
  // that Cassandra 5.0 cannot run on (it installs a SecurityManager, which Java 24 removed).
  for (const root of ['/usr/lib/jvm', '/Library/Java/JavaVirtualMachines']) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root).sort()) {
      const macBin = join(root, name, 'Contents', 'Home', 'bin', 'java');
      const bin = existsSync(macBin) ? macBin : join(root, name, 'bin', 'java');
      if (existsSync(bin)) candidates.push(bin);
    }
  }
  return [...new Set(candidates)];
}

/**
 * Finds a Java runtime Cassandra 5.0 can run on: CASSANDRA_JAVA_HOME, JAVA_HOME, `java` on PATH, then
 * installed JDKs, preferring 17. Returns the versions seen when none fits, for the error message.
 */
export async function findJava(
  env: NodeJS.ProcessEnv = process.env,
): Promise<JavaRuntime | { seen: string[] }> {
  const explicit = env.CASSANDRA_JAVA_HOME?.trim();
  // An explicit choice is honoured or rejected, never silently replaced by another JDK.
  const candidates = explicit ? [join(explicit, 'bin', 'java')] : javaCandidates(env);
  const found: JavaRuntime[] = [];
  for (const bin of candidates) {
    const major = await javaMajor(bin);
    if (major === undefined) continue;
    if (major === SUPPORTED_JAVA[0]) return { bin, major };
    found.push({ bin, major });
  }
  const fallback = found.find((java) => SUPPORTED_JAVA.includes(java.major));
  return fallback ?? { seen: found.map((java) => `${java.bin} is Java ${java.major}`) };
}

export async function mavenAvailable(): Promise<boolean> {
  const result = await runCommand('mvn', ['-v'], { timeoutMs: 30_000 });
  return result.code === 0;
}

function classpathFile(paths: CassandraPaths): string {
  // Keyed by the pom so a version bump re-resolves while a plain restart never starts Maven.
  const key = createHash('sha256').update(readFileSync(paths.pom)).digest('hex').slice(0, 16);
  return join(paths.stateDir, `classpath-${key}.txt`);
}

/** The cached classpath when every jar in it is still in the local Maven repository. */
export function cachedClasspath(paths: CassandraPaths): string[] | undefined {
  const file = classpathFile(paths);
  if (!existsSync(file)) return undefined;
  const entries = readFileSync(file, 'utf8').trim().split(delimiter).filter(Boolean);
  return entries.length > 0 && entries.every((jar) => existsSync(jar)) ? entries : undefined;
}

/** Resolves cassandra-all and its runtime dependencies from Maven Central into ~/.m2 via `mvn`. */
export async function resolveClasspath(
  paths: CassandraPaths,
  log: (msg: string) => void,
): Promise<string[]> {
  const cached = cachedClasspath(paths);
  if (cached) return cached;
  mkdirSync(paths.stateDir, { recursive: true });
  const file = classpathFile(paths);
  const tmp = `${file}.${process.pid}.tmp`;
  log('Resolving the Cassandra server jars with Maven (the first run downloads about 70 MB)...');
  const result = await runCommand(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      paths.pom,
      'dependency:build-classpath',
      `-Dmdep.outputFile=${tmp}`,
      '-Dmdep.includeScope=runtime',
    ],
    { timeoutMs: 20 * 60_000 },
  );
  if (result.code !== 0 || !existsSync(tmp)) {
    const detail = (result.stdout + result.stderr).trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `Maven could not resolve org.apache.cassandra:cassandra-all (see ${paths.pom})\n${detail}`,
    );
  }
  // Rename so a concurrent or interrupted run never leaves a half-written cache behind.
  renameSync(tmp, file);
  const entries = cachedClasspath(paths);
  if (!entries) throw new Error(`Maven wrote an empty or broken classpath to ${file}`);
  return entries;
}

/**
 * JIT thresholds. With HotSpot's defaults, C2 compiling Cassandra's start-up paths doubles the time
 * to CQL on a 2-core machine (measured: 10-13 s with C1 alone, 21-30 s with both on a busy 2-core
 * VM). C1 alone, though, leaves the write path at about twice the CPU per row of C2 code during a
 * bulk load (docs/ingestion.md, "Local ingest"). So C2 compiles only code that stays hot about 20×
 * longer than its default thresholds: a start compiles almost nothing with it (7.5-10.2 s to CQL vs
 * 7.6-8.9 s with C1 alone, three starts each at load 8-11), a bulk load gets C2 code after its first
 * seconds. CASSANDRA_FULL_JIT=1: HotSpot's defaults.
 */
export function jitArguments(fullJit: boolean): string[] {
  if (fullJit) return [];
  return [
    '-XX:Tier4InvocationThreshold=100000',
    '-XX:Tier4MinInvocationThreshold=50000',
    '-XX:Tier4CompileThreshold=150000',
    '-XX:Tier4BackEdgeThreshold=600000',
  ];
}

/**
 * JVM options: the module exports/opens from Cassandra's conf/jvm17-server.options (Cassandra reaches
 * into JDK internals for off-heap memory, mmap cleanup, Chronicle and JMX), a capped heap, and system
 * properties that take the place of the tarball's bin/cassandra script and cut first-boot time.
 */
export function jvmArguments(
  settings: CassandraSettings,
  paths: CassandraPaths,
  classpath: string[],
): string[] {
  const exportsList = [
    'java.base/jdk.internal.misc',
    'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry',
    'java.rmi/sun.rmi.server',
    'java.sql/java.sql',
    'java.base/java.lang.ref',
    'jdk.unsupported/sun.misc',
    'jdk.compiler/com.sun.tools.javac.file',
    'jdk.attach/sun.tools.attach',
  ];
  const opensList = [
    'java.base/java.lang.module',
    'java.base/jdk.internal.loader',
    'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect',
    'java.base/jdk.internal.math',
    'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar',
    'jdk.management/com.sun.management.internal',
    'java.base/sun.nio.ch',
    'java.base/java.io',
    'java.base/java.lang.reflect',
    'jdk.compiler/com.sun.tools.javac',
    'java.base/java.lang',
    'java.base/java.util',
  ];
  const jamm = classpath.find((jar) => /[/\\]jamm-[^/\\]*\.jar$/.test(jar));
  const args = [
    `-Xms${settings.heap.xms}`,
    `-Xmx${settings.heap.xmx}`,
    '-Xss256k',
    '-XX:+UseG1GC',
    '-XX:+ParallelRefProcEnabled',
    '-XX:MaxTenuringThreshold=1',
    '-XX:G1HeapRegionSize=16m',
    '-XX:+PerfDisableSharedMem',
    ...jitArguments(settings.fullJit),
    // A dev node that runs out of heap should die loudly rather than limp on with corrupt state.
    '-XX:+ExitOnOutOfMemoryError',
    '-ea',
    '-da:net.openhft...',
    '-Djava.net.preferIPv4Stack=true',
    '-Djdk.attach.allowAttachSelf=true',
    ...exportsList.flatMap((pkg) => ['--add-exports', `${pkg}=ALL-UNNAMED`]),
    ...opensList.flatMap((pkg) => ['--add-opens', `${pkg}=ALL-UNNAMED`]),
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Dio.netty.allocator.useCacheForAllThreads=true',
    '-Dio.netty.allocator.maxOrder=11',
    // jamm measures object sizes for memtable accounting; as an agent it is exact instead of guessed.
    ...(jamm ? [`-javaagent:${jamm}`] : []),
    `-Dcassandra.config=${pathToFileURL(serverConfig(settings, paths)).href}`,
    `-Dlogback.configurationFile=${paths.logback}`,
    `-Dcassandra.storagedir=${paths.dataDir}`,
    `-Dcassandra.logdir=${paths.stateDir}`,
    // Without it CassandraDaemon closes stdout/stderr, which is where the log file gets its lines.
    '-Dcassandra-foreground=yes',
    `-Dcassandra.native_transport_port=${settings.port}`,

    // One node never has peers to wait for; these waits are most of a default start.
    '-Dcassandra.skip_wait_for_gossip_to_settle=0',
    '-Dcassandra.ring_delay_ms=1000',
    '-Dcassandra.superuser_setup_delay_ms=0',
    // Skips fsync of system tables, so test suites that create and drop tables do not wait on disk.
    '-Dcassandra.unsafesystem=true',
    ...(settings.jmxPort === undefined ? [] : [`-Dcassandra.jmx.local.port=${settings.jmxPort}`]),
    ...settings.extraJvmOpts,
    '-cp',
    classpath.join(delimiter),
  ];
  return args;
}

/**
 * The cassandra.yaml to start with: the project's own, or for a second server on this machine
 * (CASSANDRA_STORAGE_PORT other than 7000, its own state dir) a copy in that state dir with its own
 * ports, itself as its only seed and its own cluster name, so it can never gossip with, let alone
 * join, the first one.
 */
export function serverConfig(settings: CassandraSettings, paths: CassandraPaths): string {
  if (settings.storagePort === 7000) return paths.yaml;
  const text = readFileSync(paths.yaml, 'utf8')
    .replace(/^cluster_name: .*$/m, `cluster_name: recsys-local-${settings.storagePort}`)
    .replace(/^storage_port: .*$/m, `storage_port: ${settings.storagePort}`)
    .replace(/^native_transport_port: .*$/m, `native_transport_port: ${settings.port}`)
    .replace(/- seeds: '[^']*'/, `- seeds: '127.0.0.1:${settings.storagePort}'`);
  mkdirSync(paths.stateDir, { recursive: true });
  const file = join(paths.stateDir, 'cassandra.yaml');
  writeFileSync(file, text);
  return file;
}

/** Java @argfile syntax: quote everything, escape backslashes and quotes. */
function argFileLine(arg: string): string {
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Starts CassandraDaemon detached with stdout/stderr in the log file, so the caller may exit while
 * the server keeps running. Options go through an @argfile: `ps` stays readable and the exact launch
 * can be repeated by hand with `java @.local/cassandra/jvm.args org.apache.cassandra.service.CassandraDaemon`.
 */
export function spawnCassandraJvm(
  java: JavaRuntime,
  paths: CassandraPaths,
  args: string[],
): ChildProcess {
  mkdirSync(paths.dataDir, { recursive: true });
  writeFileSync(paths.argFile, args.map(argFileLine).join('\n') + '\n');
  // Keep the previous run's log: when a restart fails, the earlier run often explains why.
  if (existsSync(paths.log)) renameSync(paths.log, `${paths.log}.1`);
  const out = openSync(paths.log, 'w');
  try {
    const child = spawn(java.bin, [`@${paths.argFile}`, CASSANDRA_MAIN_CLASS], {
      cwd: paths.stateDir,
      detached: true,
      stdio: ['ignore', out, out],
    });
    // Spawn failures arrive as an 'error' event; without a listener they would crash the caller.
    child.once('error', () => undefined);
    if (child.pid === undefined) throw new Error(`could not start ${java.bin}`);
    writeFileSync(paths.pidFile, `${child.pid}\n`);
    child.unref();
    return child;
  } finally {
    closeSync(out);
  }
}
