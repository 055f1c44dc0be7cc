/** `tsx web/build/build-cli.ts OUT_DIR`: builds the web UI into OUT_DIR (CDK asset bundling). */
import { buildWeb } from './build-web.ts';

const outDir = process.argv[2];
if (!outDir) {
  process.stderr.write('usage: build-cli.ts OUT_DIR\n');
  process.exit(2);
}
const result = await buildWeb(outDir);
process.stdout.write(JSON.stringify(result.assets) + '\n');
