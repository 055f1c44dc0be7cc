import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_SOURCE_DIR = join(REPO_ROOT, 'web');
export const WEB_BUILD_DIR = join(REPO_ROOT, 'dist', 'web');

export interface WebBuild {
  readonly dir: string;
  /** Bytes of each emitted asset (minified, before compression). */
  readonly assets: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/**
 * Bundles the operator console (web/src, TypeScript) with esbuild into dist/web: minified ES
 * modules with content-hashed names, the chart library split into its own chunk so only the
 * analytics page loads it, and index.html pointing at the hashed entry files.
 */
export async function buildWeb(outDir: string = WEB_BUILD_DIR): Promise<WebBuild> {
  const started = performance.now();
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(WEB_SOURCE_DIR, 'src', 'main.ts')],
    outdir: join(outDir, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    sourcemap: false,
    target: ['es2022'],
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'silent',
  });
  const assets: Record<string, number> = {};
  let entryJs = '';
  let entryCss = '';
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const name = basename(file);
    assets[name] = output.bytes;
    // Dynamically imported modules count as entry points too; the page loads main.ts's output.
    if (output.entryPoint?.endsWith('src/main.ts') && file.endsWith('.js')) entryJs = name;
    if (file.endsWith('.css') && name.startsWith('main-')) entryCss = name;
  }
  const template = await readFile(join(WEB_SOURCE_DIR, 'index.html'), 'utf8');
  await mkdir(outDir, { recursive: true });
  await writeFile(
    join(outDir, 'index.html'),
    template.replace('%APP_JS%', `/assets/${entryJs}`).replace('%APP_CSS%', `/assets/${entryCss}`),
  );
  await copyFile(join(WEB_SOURCE_DIR, 'favicon.svg'), join(outDir, 'assets', 'favicon.svg'));
  // Same origin locally; a deployment writes its API Gateway URL here instead.
  await writeFile(join(outDir, 'assets', 'config.json'), JSON.stringify({ apiBase: '' }) + '\n');
  return { dir: outDir, assets, seconds: (performance.now() - started) / 1000 };
}
