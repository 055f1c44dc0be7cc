/**
 * Which arm of an experiment a user is in. Pure: every container, the CLI and the report agree
 * without storing an assignment per user.
 */
import { hash32 } from '../feedback/keys.ts';

export type Arm = 'control' | 'candidate';

/**
 * Experiment names: 1–40 characters of lower-case letters, digits and `-`, starting with a letter
 * or digit (they are part of the hash key and of the served-list rows, so they stay plain).
 */
export const EXPERIMENT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * The user's arm: the hash of (experiment name, user id) as a fraction of 2³² against `share`, the
 * candidate's share of users. Stable (no state, no clock: a user sees one arm for the experiment's
 * life); independent between experiments (the name is in the key, so the users who were "candidate"
 * last time are not the same ones again, which would carry over any novelty effect); nested in
 * `share` (a user in the candidate arm at 0.2 is in it at 0.5 too). The unit of randomisation is
 * the user, not the list, which is why the report counts users.
 */
export function armOf(experiment: string, userId: number, share: number): Arm {
  return hashFraction(experiment, userId) < share ? 'candidate' : 'control';
}

/** The user's point in [0, 1) for this experiment. */
export function hashFraction(experiment: string, userId: number): number {
  return hash32(`experiment:${experiment}:user:${userId}`) / 2 ** 32;
}

/** The share an experiment may have: strictly between 0 and 1 (else it would compare nothing). */
export function validShare(share: number): boolean {
  return Number.isFinite(share) && share > 0 && share < 1;
}

/** The model a user's lists come from, and the experiment and arm they are recorded under. */
export interface ArmChoice<Model> {
  readonly serving: Model | undefined;
  readonly experiment: string | null;
  readonly arm: Arm | null;
}

/**
 * The candidate for a user in the running experiment's candidate arm, else the active model. With
 * no experiment running, or no active model yet, no arm is recorded (the experiment compares
 * nothing until both models serve).
 */
export function modelForUser<Model>(
  userId: number,
  active: Model | undefined,
  experiment: { readonly name: string; readonly share: number; readonly candidate: Model } | null,
): ArmChoice<Model> {
  if (!experiment || !active) return { serving: active, experiment: null, arm: null };
  const arm = armOf(experiment.name, userId, experiment.share);
  return {
    serving: arm === 'candidate' ? experiment.candidate : active,
    experiment: experiment.name,
    arm,
  };
}
