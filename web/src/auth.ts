/**
 * The console's sign-in for writes on AWS (the deployed config.json has `auth`; `recsys serve`
 * has none and writes with the API key). Flow: the Cognito hosted sign-in page (authorization
 * code with PKCE, a public client), the ID token traded at the identity pool for short-lived AWS
 * credentials of the stack's console role, every write signed with them (SigV4): the same IAM
 * authorization a backend uses. Tokens live in this tab's sessionStorage only.
 */
import type { ConsoleAuthConfig } from '../../lambdas/core/api/console-config.ts';
import { signRequest, type AwsCredentials } from './sigv4.ts';

interface Tokens {
  readonly idToken: string;
  readonly refreshToken?: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

interface Session {
  readonly credentials: AwsCredentials;
  /** Epoch ms. */
  readonly expiresAt: number;
}

const TOKENS = 'recsys.auth.tokens';
const PENDING = 'recsys.auth.pending';
/** Renew credentials and tokens this long before they expire. */
const MARGIN_MS = 5 * 60_000;

let config: ConsoleAuthConfig | undefined;
let session: Session | undefined;

export function configureAuth(auth: ConsoleAuthConfig | undefined): void {
  config = auth;
}

/** True when this deployment signs writes (AWS); false locally (the key writes). */
export function authEnabled(): boolean {
  return config !== undefined;
}

function readTokens(): Tokens | undefined {
  const raw = sessionStorage.getItem(TOKENS);
  return raw ? (JSON.parse(raw) as Tokens) : undefined;
}

/** The signed-in user's e-mail (from the ID token), or undefined when nobody is signed in. */
export function signedInAs(): string | undefined {
  const tokens = readTokens();
  if (!tokens) return undefined;
  try {
    const payload = tokens.idToken.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload)) as { email?: string; 'cognito:username'?: string };
    return claims.email ?? claims['cognito:username'] ?? 'signed in';
  } catch {
    return 'signed in';
  }
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function randomText(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Goes to the hosted sign-in page; it comes back to the console with ?code=…&state=…. */
export async function signIn(): Promise<void> {
  if (!config) throw new Error('this console has no sign-in (local: the API key writes)');
  const verifier = randomText();
  const state = randomText();
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid email',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${config.domain}/oauth2/authorize?${query}`);
}

export function signOut(): void {
  sessionStorage.removeItem(TOKENS);
  session = undefined;
  if (!config) return;
  const query = new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri });
  location.assign(`${config.domain}/logout?${query}`);
}

async function tokenRequest(form: Record<string, string>): Promise<Tokens> {
  const response = await fetch(`${config!.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: config!.clientId, ...form }),
  });
  const body = (await response.json()) as {
    id_token?: string;
    refresh_token?: string;
    expires_in?: number;
    error?: string;
  };
  if (!response.ok || !body.id_token) {
    throw new Error(`sign-in failed: ${body.error ?? response.statusText}`);
  }
  const previous = readTokens();
  const tokens: Tokens = {
    idToken: body.id_token,
    ...((body.refresh_token ?? previous?.refreshToken)
      ? { refreshToken: body.refresh_token ?? previous!.refreshToken! }
      : {}),
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  return tokens;
}

/**
 * On load: finishes a sign-in the hosted page sent back (?code=…&state=…), then puts the URL
 * back as it was before the sign-in (the hash route). Does nothing otherwise.
 */
export async function completeSignIn(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const pendingRaw = sessionStorage.getItem(PENDING);
  if (!config || !code || !pendingRaw) return;
  sessionStorage.removeItem(PENDING);
  const pending = JSON.parse(pendingRaw) as { verifier: string; state: string; hash: string };
  history.replaceState(null, '', `${location.pathname}${pending.hash}`);
  if (params.get('state') !== pending.state) throw new Error('sign-in state mismatch; try again');
  await tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: config.redirectUri,
    code_verifier: pending.verifier,
  });
}

async function identityCall<T>(target: string, body: unknown): Promise<T> {
  const response = await fetch(`https://cognito-identity.${config!.region}.amazonaws.com/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityService.${target}`,
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new Error(`${target}: ${json.message ?? response.statusText}`);
  return json;
}

/** Valid AWS credentials of the console role, or undefined when nobody is signed in. */
async function credentials(): Promise<AwsCredentials | undefined> {
  if (session && session.expiresAt - Date.now() > MARGIN_MS) return session.credentials;
  let tokens = readTokens();
  if (!tokens) return undefined;
  if (tokens.expiresAt - Date.now() < MARGIN_MS) {
    if (!tokens.refreshToken) return undefined;
    tokens = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: tokens.refreshToken,
    });
  }
  const logins = {
    [`cognito-idp.${config!.region}.amazonaws.com/${config!.userPoolId}`]: tokens.idToken,
  };
  const { IdentityId } = await identityCall<{ IdentityId: string }>('GetId', {
    IdentityPoolId: config!.identityPoolId,
    Logins: logins,
  });
  const { Credentials } = await identityCall<{
    Credentials: {
      AccessKeyId: string;
      SecretKey: string;
      SessionToken: string;
      Expiration: number;
    };
  }>('GetCredentialsForIdentity', { IdentityId, Logins: logins });
  session = {
    credentials: {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretKey,
      sessionToken: Credentials.SessionToken,
    },
    expiresAt: Credentials.Expiration * 1000,
  };
  return session.credentials;
}

/** Headers of a signed write, or undefined when nobody is signed in (the caller asks to). */
export async function signedHeaders(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Record<string, string> | undefined> {
  const creds = await credentials();
  if (!creds) return undefined;
  return signRequest({
    method,
    url,
    headers,
    ...(body === undefined ? {} : { body }),
    region: config!.region,
    service: 'execute-api',
    credentials: creds,
  });
}
