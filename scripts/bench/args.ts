/** A bench script's `--name value` flags (every flag takes a value), by name without the dashes. */
export function parseFlagValues(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const value = argv[k + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
    out[arg.slice(2)] = value;
    k++;
  }
  return out;
}

/** The value after `--name` on the command line, if the flag is there (flags without one allowed). */
export function arg(name: string, argv: readonly string[] = process.argv): string | undefined {
  const at = argv.indexOf(`--${name}`);
  return at < 0 ? undefined : argv[at + 1];
}
