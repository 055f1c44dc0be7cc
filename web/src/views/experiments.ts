import { api, ApiFailure } from '../api.ts';
import { errorBox, h, replace } from '../dom.ts';

/**
 * The operator's experiment page: the newest experiment's report (per arm: users, lists, hit
 * rate@10 and click-through with their 95 % Wilson intervals, coverage@10; the candidate − control
 * difference with Newcombe's interval and whether it is significant), and the operator's actions
 * through the API's routes: start (`POST /experiments`), stop, and stop-and-promote
 * (`POST /experiments/stop {promote}`). The numbers are the API's; this page only lays them out.
 */

interface Proportion {
  value: number | null;
  low: number;
  high: number;
  successes: number;
  trials: number;
}

interface Difference {
  value: number | null;
  low: number;
  high: number;
  significant: boolean;
}

interface ArmReport {
  arm: 'control' | 'candidate';
  modelId: string;
  users: number;
  lists: number;
  hitRate: Proportion;
  clickThrough: Proportion;
  coverage: number;
}

interface Experiment {
  name: string;
  controlModelId: string;
  candidateModelId: string;
  share: number;
  startedAt: string;
  stoppedAt: string | null;
  promotedModelId: string | null;
}

interface ReportReply {
  experiment: Experiment;
  report: {
    k: number;
    arms: ArmReport[];
    difference: { hitRate: Difference; clickThrough: Difference };
  };
}

interface ModelRow {
  modelId: string;
  status: string;
  active: boolean;
  createdAt: string;
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;

function proportion(p: Proportion): string {
  if (p.value === null) return 'no users yet';
  return `${percent(p.value)} [${percent(p.low)}, ${percent(p.high)}] (${p.successes}/${p.trials})`;
}

function difference(d: Difference): string {
  if (d.value === null) return 'not measurable yet';
  return `${points(d.value)} points [${points(d.low)}, ${points(d.high)}]`;
}

export async function experimentsView(root: HTMLElement): Promise<void> {
  replace(root, h('p', { class: 'muted' }, 'Loading…'));
  let current: ReportReply | null;
  let models: ModelRow[];
  try {
    [current, models] = await Promise.all([
      api<ReportReply>('/experiments/report').catch((error: unknown) => {
        if (error instanceof ApiFailure && error.status === 404) return null;
        throw error;
      }),
      api<{ items: ModelRow[] }>('/models').then((r) => r.items),
    ]);
  } catch (error) {
    replace(root, errorBox(error));
    return;
  }
  const message = h('div', { 'data-testid': 'experiment-message' });
  /** Runs an operator action, then redraws the page; a refusal stays on screen as one line. */
  const act = (work: () => Promise<unknown>) => async () => {
    for (const button of root.querySelectorAll('button')) button.disabled = true;
    try {
      await work();
      await experimentsView(root);
    } catch (error) {
      replace(message, errorBox(error));
      for (const button of root.querySelectorAll('button')) button.disabled = false;
    }
  };
  const running = current !== null && current.experiment.stoppedAt === null;
  replace(
    root,
    h(
      'section',
      { class: 'panel wide', 'data-testid': 'experiments-page' },
      h('h2', {}, 'Experiments'),
      h(
        'p',
        { class: 'muted small' },
        'A/B test of a candidate model against the active one: users split by a stable hash, ' +
          'each arm judged per user (hit: a rating ≥ 4, a like or a click of one of the first ' +
          '10 movies of their lists), 95 % Wilson intervals, the difference by Newcombe’s interval.',
      ),
      current
        ? stateLine(current.experiment)
        : h('p', { 'data-testid': 'experiment-state' }, 'No experiment started yet.'),
      running
        ? h(
            'div',
            { class: 'actions' },
            h(
              'button',
              { type: 'button', 'data-testid': 'stop-experiment', onclick: act(() => stop(false)) },
              'Stop',
            ),
            h(
              'button',
              {
                type: 'button',
                'data-testid': 'promote-experiment',
                onclick: act(() => stop(true)),
              },
              `Stop and promote ${current!.experiment.candidateModelId}`,
            ),
            h(
              'button',
              { type: 'button', 'data-testid': 'refresh-report', onclick: act(async () => {}) },
              'Refresh',
            ),
          )
        : startForm(models, act),
      message,
    ),
    current ? reportPanel(current) : null,
  );
}

function stop(promote: boolean): Promise<unknown> {
  return api('/experiments/stop', { method: 'POST', body: { promote } });
}

function stateLine(e: Experiment): HTMLElement {
  const state =
    e.stoppedAt === null
      ? 'running'
      : `stopped ${new Date(e.stoppedAt).toLocaleString()}` +
        (e.promotedModelId ? `, promoted ${e.promotedModelId}` : ', not promoted');
  return h(
    'p',
    { 'data-testid': 'experiment-state' },
    h('strong', {}, e.name),
    ` — ${state}; control ${e.controlModelId}, candidate ${e.candidateModelId} ` +
      `(${percent(e.share)} of users), started ${new Date(e.startedAt).toLocaleString()}`,
  );
}

function startForm(
  models: ModelRow[],
  act: (work: () => Promise<unknown>) => () => Promise<void>,
): HTMLElement {
  const ready = models.filter((m) => m.status === 'ready' && !m.active);
  if (ready.length === 0) {
    return h('p', { class: 'muted' }, 'No ready model besides the active one to test.');
  }
  const candidate = h(
    'select',
    { 'data-testid': 'candidate-select', 'aria-label': 'candidate model' },
    ...ready.map((m) => h('option', { value: m.modelId }, m.modelId)),
  );
  const share = h('input', {
    type: 'number',
    step: '0.05',
    value: '0.5',
    'data-testid': 'share-input',
    'aria-label': 'candidate share of users',
  });
  const name = h('input', {
    type: 'text',
    placeholder: 'name (optional)',
    'data-testid': 'name-input',
    'aria-label': 'experiment name',
  });
  const start = () => {
    const body: Record<string, unknown> = {
      candidate: candidate.value,
      share: Number(share.value),
    };
    if (name.value.trim() !== '') body.name = name.value.trim();
    return api('/experiments', { method: 'POST', body });
  };
  return h(
    'div',
    { class: 'row' },
    h('label', {}, 'Candidate ', candidate),
    h('label', {}, 'Share ', share),
    name,
    h(
      'button',
      { type: 'button', 'data-testid': 'start-experiment', onclick: act(start) },
      'Start',
    ),
  );
}

function reportPanel({ report }: ReportReply): HTMLElement {
  const k = report.k;
  const head = [
    'arm',
    'model',
    'users',
    'lists',
    `hit rate@${k}`,
    'click-through',
    `coverage@${k}`,
  ];
  return h(
    'section',
    { class: 'panel wide' },
    h('h2', {}, 'Report'),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { 'data-testid': 'experiment-report' },
        h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
        h(
          'tbody',
          {},
          ...report.arms.map((arm) =>
            h(
              'tr',
              { 'data-arm': arm.arm },
              h('td', {}, arm.arm),
              h('td', {}, arm.modelId),
              h('td', { 'data-testid': 'arm-users' }, arm.users.toLocaleString()),
              h('td', { 'data-testid': 'arm-lists' }, arm.lists.toLocaleString()),
              h('td', { 'data-testid': 'arm-hit-rate' }, proportion(arm.hitRate)),
              h('td', { 'data-testid': 'arm-click-through' }, proportion(arm.clickThrough)),
              h('td', {}, percent(arm.coverage)),
            ),
          ),
        ),
      ),
    ),
    h(
      'p',
      { 'data-testid': 'report-difference' },
      `Candidate − control: hit rate@${k} ${difference(report.difference.hitRate)}, ` +
        `click-through ${difference(report.difference.clickThrough)}. `,
      h(
        'strong',
        { 'data-testid': 'significance' },
        report.difference.hitRate.significant
          ? 'Hit rate differs significantly (5 % level).'
          : 'No significant difference in hit rate yet.',
      ),
    ),
  );
}
