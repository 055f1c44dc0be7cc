import { api, apiKey, setApiKey } from '../api.ts';
import { authEnabled, signedInAs, signIn, signOut } from '../auth.ts';
import { errorBox, h, replace } from '../dom.ts';

/** On AWS: who is signed in for writes, and the button to sign in or out (Cognito). */
function signInPanel(): HTMLElement | null {
  if (!authEnabled()) return null;
  const user = signedInAs();
  const status = h('div', {});
  const button = user
    ? h(
        'button',
        { type: 'button', 'data-testid': 'sign-out', onclick: () => signOut() },
        'Sign out',
      )
    : h(
        'button',
        {
          type: 'button',
          'data-testid': 'sign-in',
          onclick: () => {
            signIn().catch((error: unknown) => replace(status, errorBox(error)));
          },
        },
        'Sign in',
      );
  return h(
    'section',
    { class: 'panel wide' },
    h('h2', {}, 'Sign-in for changes'),
    h(
      'p',
      { class: 'muted' },
      user
        ? `Signed in as ${user}: ratings, likes and events you send are signed (IAM) with this sign-in.`
        : 'Rating, liking and other changes need a sign-in on AWS (the key only reads). An administrator adds operators to the stack’s Cognito user pool.',
    ),
    button,
    status,
  );
}

/** Asks for the API key (x-api-key), checks it against the API and keeps it in localStorage. */
export function keyView(root: HTMLElement): void {
  const input = h('input', {
    type: 'password',
    placeholder: 'API key',
    value: apiKey(),
    'aria-label': 'API key',
    'data-testid': 'api-key',
    autocomplete: 'off',
  });
  const status = h('div', {});
  const form = h(
    'form',
    {
      class: 'row',
      onsubmit: (event: Event) => {
        event.preventDefault();
        setApiKey(input.value);
        api('/genres')
          .then(() => {
            location.hash = '#/';
          })
          .catch((error: unknown) => replace(status, errorBox(error)));
      },
    },
    input,
    h('button', { type: 'submit', 'data-testid': 'save-key' }, 'Save'),
  );
  replace(
    root,
    h(
      'section',
      { class: 'panel wide' },
      h('h2', {}, 'API key'),
      h(
        'p',
        { class: 'muted' },
        authEnabled()
          ? 'Every read needs the key (x-api-key): the stack’s API key. Changes need a sign-in too (below).'
          : 'Every data route needs the key (x-api-key). Locally it is RECSYS_API_KEY of recsys serve; on AWS, the stack’s API key.',
      ),
      form,
      status,
    ),
    signInPanel(),
  );
}
