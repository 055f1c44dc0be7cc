import { describe, expect, it } from 'vitest';
import { runCfnLint } from '../../scripts/tools/infra/cfn-lint.ts';

// cfn-lint (PyPI, pinned in scripts/tools/infra/requirements-cfn-lint.txt) on both profiles' synthesized
// templates. The first run creates .local/venv-cfn (about a minute); if that is impossible the test
// fails with ensureCfnLint's one-line reason, never skips.
describe('cfn-lint', () => {
  it('finds nothing in the default, local, established-account and provisioned-load templates', async () => {
    const { code, output, templates } = await runCfnLint();
    // aws, local, aws as an established account deploys it (WarmThroughput, reserved
    // concurrency, retained log groups) and as a provisioned bulk load (the ingest's capacity switch):
    // every property the stack can emit.
    expect(templates).toHaveLength(4);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 900_000);
});
