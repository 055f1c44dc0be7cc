import type { CassandraStore } from '../../adapters/cassandra.ts';
import { EXPERIMENT_NAME, validShare } from '../../core/experiments/assignment.ts';
import type { ExperimentRefusal } from '../../core/experiments/refusals.ts';
import { activateModel, activeModelId, getModelRecord } from '../models/registry.ts';

/**
 * A/B experiments between model versions, as rows of `experiments`: the control is the model that
 * was active at the start, the candidate a ready model, `share` the candidate's share of users
 * (core/experiments/assignment.ts). At most one runs at a time (stoppedAt null), so a user's arm
 * never depends on which of two experiments a container looked at.
 */
export interface ExperimentRecord {
  readonly name: string;
  readonly controlModelId: string;
  readonly candidateModelId: string;
  readonly share: number;
  readonly startedAt: Date;
  readonly stoppedAt: Date | null;
  /** The model `stop --promote` activated; null when stopped without promoting (or running). */
  readonly promotedModelId: string | null;
}

/** A refused operator request: the message is one line the CLI prints and the API returns (4xx). */
export class ExperimentError extends Error {
  constructor(
    readonly kind: ExperimentRefusal,
    message: string,
  ) {
    super(message);
  }
}

function toRecord(row: { get(name: string): unknown }): ExperimentRecord {
  return {
    name: String(row.get('name')),
    controlModelId: String(row.get('control_model')),
    candidateModelId: String(row.get('candidate_model')),
    share: Number(row.get('share')),
    startedAt: row.get('started_at') as Date,
    stoppedAt: (row.get('stopped_at') as Date | null) ?? null,
    promotedModelId: (row.get('promoted_model') as string | null) ?? null,
  };
}

/** Every experiment, newest first (a handful of rows: a scan). */
export async function listExperiments(db: CassandraStore): Promise<ExperimentRecord[]> {
  const out: ExperimentRecord[] = [];
  for await (const row of db.rows(`SELECT * FROM ${db.table('experiments')}`))
    out.push(toRecord(row));
  return out.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

export async function runningExperiment(db: CassandraStore): Promise<ExperimentRecord | undefined> {
  return (await listExperiments(db)).find((e) => e.stoppedAt === null);
}

export async function getExperiment(
  db: CassandraStore,
  name: string,
): Promise<ExperimentRecord | undefined> {
  const row = (
    await db.execute(`SELECT * FROM ${db.table('experiments')} WHERE name = ?`, [name])
  ).first();
  return row ? toRecord(row) : undefined;
}

/** `exp-` and the start time to the second, UTC: unique enough for one experiment at a time. */
export function defaultExperimentName(now: Date): string {
  return `exp-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
}

/**
 * Starts an experiment of `candidate` against the active model. Refused (ExperimentError): a bad
 * name or share, an unknown or unready candidate, the candidate already active, no active model,
 * a name used before, another experiment running. Two operators starting at the same instant
 * could both pass the running check (no lightweight transaction: Keyspaces bills them extra and
 * this is an operator's action); the later row then simply wins for `runningExperiment`'s order.
 */
export async function startExperiment(
  db: CassandraStore,
  request: { candidate: string; share: number; name?: string },
  now = new Date(),
): Promise<ExperimentRecord> {
  const name = request.name ?? defaultExperimentName(now);
  if (!EXPERIMENT_NAME.test(name)) {
    throw new ExperimentError(
      'invalid',
      `experiment name must be 1-40 lower-case letters, digits or '-', got "${name}"`,
    );
  }
  if (!validShare(request.share)) {
    throw new ExperimentError(
      'invalid',
      `share must be a number strictly between 0 and 1, got ${request.share}`,
    );
  }
  const [candidate, control, running, existing] = await Promise.all([
    getModelRecord(db, request.candidate),
    activeModelId(db),
    runningExperiment(db),
    getExperiment(db, name),
  ]);
  if (running) {
    throw new ExperimentError('conflict', `experiment ${running.name} is running; stop it first`);
  }
  if (existing) throw new ExperimentError('conflict', `experiment ${name} already exists`);
  if (!candidate) throw new ExperimentError('not_found', `unknown model ${request.candidate}`);
  if (candidate.status !== 'ready') {
    throw new ExperimentError(
      'invalid',
      `model ${candidate.modelId} is ${candidate.status}, not ready`,
    );
  }
  if (control === undefined) {
    throw new ExperimentError(
      'conflict',
      'no model is active: there is no control to compare with',
    );
  }
  if (control === candidate.modelId) {
    throw new ExperimentError('invalid', `model ${control} is already the active model`);
  }
  const record: ExperimentRecord = {
    name,
    controlModelId: control,
    candidateModelId: candidate.modelId,
    share: request.share,
    startedAt: now,
    stoppedAt: null,
    promotedModelId: null,
  };
  await db.execute(
    `INSERT INTO ${db.table('experiments')} (name, control_model, candidate_model, share, started_at) VALUES (?, ?, ?, ?, ?)`,
    [name, record.controlModelId, record.candidateModelId, record.share, now],
    { idempotent: true },
  );
  return record;
}

/**
 * Stops the running experiment; with `promote`, first activates the candidate (the control is the
 * active model already: a losing candidate is simply stopped) through the registry's one activation
 * write, so serving switches exactly as on `recsys models activate`: each container at its next
 * model check, the old model serving until the new one is loaded, so no request fails. Activation
 * comes before the stop: a failure between the two leaves the experiment running with the
 * candidate active, which a second stop finishes, never a stopped experiment and the old model.
 */
export async function stopExperiment(
  db: CassandraStore,
  options: { promote?: boolean } = {},
  now = new Date(),
): Promise<ExperimentRecord> {
  const running = await runningExperiment(db);
  if (!running) throw new ExperimentError('not_found', 'no experiment is running');
  const promoted = options.promote ? running.candidateModelId : null;
  if (promoted !== null) await activateModel(db, promoted);
  await db.execute(
    `UPDATE ${db.table('experiments')} SET stopped_at = ?, promoted_model = ? WHERE name = ?`,
    [now, promoted, running.name],
    { idempotent: true },
  );
  return { ...running, stoppedAt: now, promotedModelId: promoted };
}
