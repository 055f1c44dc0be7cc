import { isJsonObject, type JsonValue } from './json.ts';

const SUBSTITUTION = /\$\{([^}]+)\}/g;

/** The names of every `${Name}` definition substitution used anywhere in the definition. */
export function substitutionNames(definition: JsonValue): Set<string> {
  const names = new Set<string>();
  visitStrings(definition, (text) => {
    for (const match of text.matchAll(SUBSTITUTION)) names.add(match[1]!);
    return text;
  });
  return names;
}

/**
 * Replaces `${Name}` the way CDK's `definitionSubstitutions` does, but inside string values only, so
 * a value containing quotes cannot break the JSON. Fails on any name without a value, because the
 * library would otherwise run with a literal `${...}` and fail much later, far from the cause.
 */
export function substituteDefinition(
  definition: JsonValue,
  values: ReadonlyMap<string, string>,
): JsonValue {
  const missing = [...substitutionNames(definition)].filter((name) => !values.has(name));
  if (missing.length > 0) {
    throw new Error(
      `no value for definition substitution(s) ${missing.map((n) => '${' + n + '}').join(', ')}; ` +
        'pass them in `handlers` (Lambda ARNs) or `substitutions`',
    );
  }
  return visitStrings(definition, (text) =>
    text.replace(SUBSTITUTION, (_whole, name: string) => values.get(name)!),
  );
}

function visitStrings(value: JsonValue, rewrite: (text: string) => string): JsonValue {
  if (typeof value === 'string') return rewrite(value);
  if (Array.isArray(value)) return value.map((item) => visitStrings(item, rewrite));
  if (isJsonObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, visitStrings(item, rewrite)]),
    );
  }
  return value;
}
