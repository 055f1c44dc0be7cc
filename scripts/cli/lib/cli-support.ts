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
