import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import aslValidator from 'asl-validator';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const STATEMACHINE_DIR = join(ROOT, 'statemachines');

/** `${Name}` placeholders that CloudFormation's DefinitionSubstitutions fill in at deploy time. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!))].sort();
}

/**
 * The definition as Step Functions receives it: every placeholder replaced by its value. Throws
 * naming any placeholder without a value, so nothing unresolved can reach a deploy.
 */
export function renderDefinition(text: string, substitutions: Record<string, string>): string {
  const missing = placeholders(text).filter((name) => !(name in substitutions));
  if (missing.length > 0) throw new Error(`no substitution for \${${missing.join('}, ${')}}`);
  return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => substitutions[name]!);
}

/** A syntactically real Lambda ARN per placeholder, as the stack's function ARNs will be. */
export function exampleSubstitutions(text: string): Record<string, string> {
  return Object.fromEntries(
    placeholders(text).map((name) => [
      name,
      `arn:aws:lambda:us-east-1:123456789012:function:recsys-${name.replace(/Arn$/, '')}`,
    ]),
  );
}

export interface AslReport {
  readonly file: string;
  readonly valid: boolean;
  readonly errors: string[];
}

/** asl-validator (schema, JSONPath and ARN checks) on every statemachines/*.asl.json, rendered. */
export function lintStateMachines(dir = STATEMACHINE_DIR): AslReport[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.asl.json'))
    .sort();
  if (files.length === 0) throw new Error(`no *.asl.json files in ${dir}`);
  return files.map((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const rendered = renderDefinition(text, exampleSubstitutions(text));
    const result = aslValidator(JSON.parse(rendered));
    return {
      file,
      valid: result.isValid,
      errors: result.isValid ? [] : result.errorsText('\n').split('\n').filter(Boolean),
    };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reports = lintStateMachines();
  for (const report of reports) {
    console.log(`${report.valid ? 'ok  ' : 'FAIL'} statemachines/${report.file}`);
    for (const error of report.errors) console.log(`     ${error}`);
  }
  const failed = reports.filter((r) => !r.valid).length;
  console.log(`asl-validator: ${reports.length - failed} valid, ${failed} invalid`);
  if (failed > 0) process.exit(1);
}
