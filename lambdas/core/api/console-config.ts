/**
 * The console's `assets/config.json`: written by the stack (infra/constructs/web-hosting.ts) when
 * it deploys the console, read by the console (web/src/api.ts) when it starts. One type for both
 * ends, so a field renamed on one side fails the other's type check.
 */
export interface ConsoleConfig {
  /** The API's base URL; empty: the page's own origin (`recsys serve`). */
  readonly apiBase: string;
  /** Present when the stack has a Cognito sign-in: the console signs its writes with it. */
  readonly auth?: ConsoleAuthConfig;
}

/** What the browser needs to sign in (Cognito hosted UI) and sign writes (identity pool). */
export interface ConsoleAuthConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly identityPoolId: string;
  /** https://<prefix>.auth.<region>.amazoncognito.com: /oauth2/authorize, /oauth2/token, /logout. */
  readonly domain: string;
  readonly redirectUri: string;
}
