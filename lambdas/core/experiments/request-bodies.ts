/**
 * The operator API's experiment bodies, validated: `POST /experiments` and
 * `POST /experiments/stop`. One 400 names every bad field.
 */
import { InvalidInputError, type ParameterProblem } from '../serving/invalid-input.ts';
import { EXPERIMENT_NAME, validShare } from './assignment.ts';

export interface StartBody {
  readonly candidate: string;
  readonly share: number;
  readonly name?: string;
}

/** Model ids as training writes them: letters, digits, `._:-`, at most 100 characters. */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownFields(
  body: Record<string, unknown>,
  known: readonly string[],
): ParameterProblem[] {
  return Object.keys(body)
    .filter((key) => !known.includes(key))
    .map((parameter) => ({ parameter, message: 'unknown field' }));
}

/** `{candidate, share?, name?}`: a model id, a share strictly between 0 and 1 (default 0.5), a name. */
export function parseStartBody(body: unknown): StartBody {
  if (!isPlainObject(body)) {
    throw new InvalidInputError([{ parameter: 'body', message: 'expected a JSON object' }]);
  }
  const problems = unknownFields(body, ['candidate', 'share', 'name']);
  const { candidate, share = 0.5, name } = body;
  if (typeof candidate !== 'string' || !MODEL_ID.test(candidate)) {
    problems.push({ parameter: 'candidate', message: 'expected a model id' });
  }
  if (typeof share !== 'number' || !validShare(share)) {
    problems.push({ parameter: 'share', message: 'expected a number strictly between 0 and 1' });
  }
  if (name !== undefined && (typeof name !== 'string' || !EXPERIMENT_NAME.test(name))) {
    problems.push({
      parameter: 'name',
      message: "expected 1-40 lower-case letters, digits or '-'",
    });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return {
    candidate: candidate as string,
    share: share as number,
    ...(name === undefined ? {} : { name: name as string }),
  };
}

/** `{promote?}`: whether to activate the candidate (default false). */
export function parseStopBody(body: unknown): { promote: boolean } {
  if (!isPlainObject(body)) {
    throw new InvalidInputError([{ parameter: 'body', message: 'expected a JSON object' }]);
  }
  const problems = unknownFields(body, ['promote']);
  const { promote = false } = body;
  if (typeof promote !== 'boolean') {
    problems.push({ parameter: 'promote', message: 'expected true or false' });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return { promote: promote as boolean };
}
