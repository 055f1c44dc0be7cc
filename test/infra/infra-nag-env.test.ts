import { describe, expect, it } from 'vitest';
import { synthTemplate } from './infra-template.ts';

/**
 * `cdk deploy` with credentials pins the stack to the caller's account and region (the CLI sets
 * CDK_DEFAULT_ACCOUNT/REGION and infra/app.ts passes them on). ARNs that were tokens then come out
 * literal, and every cdk-nag acknowledgement must still match, or the deploy stops at synth.
 */
describe('cdk-nag with a concrete account and region', () => {
  it.each([
    ['aws', {}, { account: '123456789012', region: 'eu-west-1' }],
    ['local', { profile: 'local' }, { account: '000000000000', region: 'us-east-1' }],
  ])('the %s profile synthesizes with no unacknowledged finding', (_, context, env) => {
    const { error } = synthTemplate({ context, env });
    expect(error?.message).toBeUndefined();
  });
});
