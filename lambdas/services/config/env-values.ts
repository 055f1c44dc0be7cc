/**
 * Reading one environment variable as a number. Absent or empty means "not set" (the caller's
 * default); anything else that is not a number in range is an error naming the variable, raised
 * where the function reads its configuration, so a mistyped stack setting fails the first
 * invocation with its name instead of quietly running on a default.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function optionalInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new ConfigError(`${name} must be an integer ${range}, got "${raw}"`);
  }
  return value;
}
