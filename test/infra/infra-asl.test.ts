import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exampleSubstitutions,
  lintStateMachines,
  placeholders,
  renderDefinition,
} from '../../scripts/tools/infra/lint-asl.ts';

describe('asl-validator on statemachines/*.asl.json', () => {
  it('finds every state machine file valid once its placeholders are substituted', () => {
    const reports = lintStateMachines();
    expect(reports.map((r) => r.file)).toEqual(['ingest.asl.json', 'train.asl.json']);
    for (const report of reports) expect(report.errors, report.file).toEqual([]);
  });

  it('reports a broken definition (so the check above can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asl-'));
    writeFileSync(
      join(dir, 'broken.asl.json'),
      JSON.stringify({
        StartAt: 'Run',
        States: {
          Run: { Type: 'Task', Resource: '${RunFunctionArn}', Next: 'Nowhere', ResultPath: 'x' },
        },
      }),
    );
    const [report] = lintStateMachines(dir);
    expect(report!.valid).toBe(false);
    expect(report!.errors.length).toBeGreaterThan(0);
  });

  it('refuses to render a definition with a placeholder that has no value', () => {
    const text = '{"Resource": "${A}", "Next": "${B}"}';
    expect(placeholders(text)).toEqual(['A', 'B']);
    expect(() => renderDefinition(text, { A: 'x' })).toThrow('no substitution for ${B}');
    expect(renderDefinition(text, exampleSubstitutions(text))).not.toContain('${');
  });
});
