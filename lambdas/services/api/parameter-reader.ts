import { MAX_ID, MAX_LIST_VALUES } from '../../core/serving/input-limits.ts';
import { InvalidInputError, type ParameterProblem } from '../../core/serving/invalid-input.ts';

/**
 * Query and path parameter parsing that collects every problem before failing, so one 400 names
 * each bad parameter. Strict on purpose: "10abc", "1e3", " 7" and "-0" are not integers here.
 */
export class ParameterReader {
  private readonly problems: ParameterProblem[] = [];

  constructor(
    private readonly query: Readonly<Record<string, string | undefined>>,
    private readonly path: Readonly<Record<string, string | undefined>> = {},
  ) {}

  /** A positive id from the path (MovieLens ids are 1 … 2³¹−1). */
  pathId(name: string): number {
    const raw = this.path[name] ?? '';
    const value = parseStrictInt(raw);
    if (value === undefined || value < 1 || value > MAX_ID) {
      this.problems.push({
        parameter: name,
        message: `expected a positive integer id, got "${raw}"`,
      });
      return 0;
    }
    return value;
  }

  int(name: string, options: { min: number; max: number; fallback: number }): number {
    const raw = this.query[name];
    if (raw === undefined) return options.fallback;
    const value = parseStrictInt(raw);
    if (value === undefined || value < options.min || value > options.max) {
      this.problems.push({
        parameter: name,
        message: `expected an integer from ${options.min} to ${options.max}, got "${raw}"`,
      });
      return options.fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.query[name];
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.problems.push({ parameter: name, message: `expected true or false, got "${raw}"` });
    return fallback;
  }

  /**
   * A value read by a core parser (`parse` returns undefined for a bad one); `expected` says what a
   * good one looks like in the 400.
   */
  parsed<T>(name: string, parse: (raw: string) => T | undefined, expected: string, fallback: T): T {
    const raw = this.query[name];
    if (raw === undefined) return fallback;
    const value = parse(raw);
    if (value === undefined) {
      this.problems.push({ parameter: name, message: `${expected}, got "${raw.slice(0, 40)}"` });
      return fallback;
    }
    return value;
  }

  /** Free text, trimmed; empty counts as absent. */
  text(name: string, maxLength: number): string | undefined {
    const raw = this.query[name]?.trim();
    if (!raw) return undefined;
    if (raw.length > maxLength) {
      this.problems.push({ parameter: name, message: `longer than ${maxLength} characters` });
      return undefined;
    }
    return raw;
  }

  /** One of `allowed`, matched without regard to case; returns the canonical spelling. */
  choice(name: string, allowed: readonly string[]): string | undefined {
    const raw = this.query[name]?.trim();
    if (!raw) return undefined;
    const found = allowed.find((option) => option.toLowerCase() === raw.toLowerCase());
    if (found === undefined) {
      const shown =
        allowed.length > 30 ? `${allowed.slice(0, 30).join(', ')}, …` : allowed.join(', ');
      this.problems.push({ parameter: name, message: `unknown value "${raw}"; one of: ${shown}` });
    }
    return found;
  }

  /**
   * A comma-separated list of `allowed` values ("Comedy,drama"), each matched without regard to
   * case, canonical spellings returned without repeats; [] when absent or empty.
   */
  choices(name: string, allowed: readonly string[], max = MAX_LIST_VALUES): string[] {
    const raw = this.query[name]?.trim();
    if (!raw) return [];
    const parts = raw.split(',').map((part) => part.trim());
    if (parts.length > max) {
      this.problems.push({ parameter: name, message: `at most ${max} values` });
      return [];
    }
    const found = new Set<string>();
    for (const part of parts) {
      const match = allowed.find((option) => option.toLowerCase() === part.toLowerCase());
      if (match === undefined) {
        const shown =
          allowed.length > 30 ? `${allowed.slice(0, 30).join(', ')}, …` : allowed.join(', ');
        this.problems.push({
          parameter: name,
          message: `unknown value "${part}"; one of: ${shown}`,
        });
        return [];
      }
      found.add(match);
    }
    return [...found];
  }

  /** Comma-separated positive ids ("1,2,3"), without repeats; [] when absent or empty. */
  idList(name: string, max: number): number[] {
    const raw = this.query[name]?.trim();
    if (!raw) return [];
    const parts = raw.split(',');
    if (parts.length > max) {
      this.problems.push({ parameter: name, message: `at most ${max} ids` });
      return [];
    }
    const ids = new Set<number>();
    for (const part of parts) {
      const value = parseStrictInt(part.trim());
      if (value === undefined || value < 1 || value > MAX_ID) {
        this.problems.push({
          parameter: name,
          message: `expected comma-separated positive integer ids, got "${part.slice(0, 40)}"`,
        });
        return [];
      }
      ids.add(value);
    }
    return [...ids];
  }

  /** Rejects parameters the route does not know, so a typo is not silently ignored. */
  only(...names: string[]): void {
    for (const name of Object.keys(this.query)) {
      if (!names.includes(name)) {
        this.problems.push({
          parameter: name,
          message: `unknown parameter; this route accepts ${names.length > 0 ? names.join(', ') : 'none'}`,
        });
      }
    }
  }

  /** Throws the 400 (every problem found) if anything was wrong. */
  done(): void {
    if (this.problems.length > 0) throw new InvalidInputError(this.problems);
  }
}

export function parseStrictInt(raw: string): number | undefined {
  if (!/^(0|-?[1-9]\d{0,15})$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : undefined;
}
