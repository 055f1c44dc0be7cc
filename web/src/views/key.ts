import { api, apiKey, setApiKey } from '../api.ts';
import { errorBox, h, replace } from '../dom.ts';

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
        'Every data route needs the key (x-api-key). Locally it is RECSYS_API_KEY of recsys serve; on AWS, the stack’s API key.',
      ),
      form,
      status,
    ),
  );
}
