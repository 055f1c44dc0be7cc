import { InvalidArgumentError } from 'commander';
import { UserError } from '../../runtime/user-error.ts';

export { UserError };

/** Runs a command action; any failure becomes one line on stderr and a non-zero exit code. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`recsys: ${message.split('\n')[0]}\n`);
      if (!(error instanceof UserError) && process.env.RECSYS_DEBUG) console.error(error);
      process.exitCode = 1;
    }
  };
}

export function intOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`expected an integer, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got ${n}`);
    return n;
  };
}

/** An integer in a range core defines ({min, max}, e.g. TRAIN_LIMITS.topN). */
export function intWithin(range: { readonly min: number; readonly max: number }) {
  return intOption(range.min, range.max);
}

export function numberOption(
  min: number,
  max = Number.POSITIVE_INFINITY,
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new InvalidArgumentError(`expected a number, got "${value}"`);
    }
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected a number in [${min}, ${max}], got ${n}`);
    return n;
  };
}

/** A number in [min, below): for a bound the value must stay under (a fraction below 0.9). */
export function numberBelowOption(min: number, below: number): (value: string) => number {
  return (value) => {
    const n = numberOption(min)(value);
    if (!(n < below))
      throw new InvalidArgumentError(`expected a number in [${min}, ${below}), got ${n}`);
    return n;
  };
}

/**
 * A flag's value given under its name or its older one, which keeps working for the scripts and
 * docs that use it, with a one-line note on stderr; both at once is refused.
 */
export function renamedFlag<T>(
  value: T | undefined,
  olderValue: T | undefined,
  names: { readonly flag: string; readonly older: string },
): T | undefined {
  if (olderValue === undefined) return value;
  if (value !== undefined) throw new UserError(`give ${names.flag} or ${names.older}, not both`);
  process.stderr.write(`recsys: ${names.older} is now ${names.flag} (the old name still works)\n`);
  return olderValue;
}
