import {
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  aws_cognito as cognito,
  aws_iam as iam,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ConsoleAuthConfig } from '../../lambdas/core/api/console-config.ts';

export interface ConsoleAuthProps {
  /** The web console's origin (https://…): the only sign-in callback and sign-out URL. */
  readonly consoleOrigin: string;
  /** What a signed-in console user may do: the API's write policy. */
  readonly writePolicy: iam.IManagedPolicy;
  /** Globally unique in the Region: the Cognito domain of the hosted sign-in pages. */
  readonly domainPrefix: string;
  readonly retainData?: boolean;
}

/**
 * Who may write from the web console: a Cognito user pool of operators (no self sign-up; an
 * administrator creates each user; TOTP MFA required), its hosted sign-in pages (authorization code
 * flow with PKCE, public client) and an identity pool that trades a signed-in user's ID token for
 * short-lived credentials of one role, whose only permission is the API's write policy. The
 * console signs its writes with those credentials (SigV4), exactly as a backend signs with its own
 * role: the write methods have one authorizer, IAM, for both.
 */
export class ConsoleAuth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly identityPool: cognito.CfnIdentityPool;
  readonly role: iam.Role;
  readonly config: ConsoleAuthConfig;

  constructor(scope: Construct, id: string, props: ConsoleAuthProps) {
    super(scope, id);
    const redirectUri = `${props.consoleOrigin}/`;
    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.client = this.userPool.addClient('Console', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [redirectUri],
        logoutUrls: [redirectUri],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });
    this.identityPool = new cognito.CfnIdentityPool(this, 'IdentityPool', {
      allowUnauthenticatedIdentities: false,
      allowClassicFlow: false,
      cognitoIdentityProviders: [
        {
          clientId: this.client.userPoolClientId,
          providerName: this.userPool.userPoolProviderName,
          serverSideTokenCheck: true,
        },
      ],
    });
    this.role = new iam.Role(this, 'WriterRole', {
      description: 'A user signed in to the web console: may call the API write routes only',
      assumedBy: new iam.FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
      managedPolicies: [props.writePolicy],
      maxSessionDuration: Duration.hours(1),
    });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'Roles', {
      identityPoolId: this.identityPool.ref,
      roles: { authenticated: this.role.roleArn },
    });
    this.config = {
      region: Aws.REGION,
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      identityPoolId: this.identityPool.ref,
      domain: this.domain.baseUrl(),
      redirectUri,
    };
    new CfnOutput(this, 'UserPoolId', {
      value: this.userPool.userPoolId,
      description:
        'aws cognito-idp admin-create-user --user-pool-id <id> --username <email> adds an operator',
    });
    new CfnOutput(this, 'SignInUrl', {
      value: this.domain.signInUrl(this.client, { redirectUri }),
    });
  }
}
