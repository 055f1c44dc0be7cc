/**
 * Licence classification for the dependency list. Permissive licences allow use in an Apache-2.0
 * project and in deployed Lambdas without conditions beyond attribution; anything else is flagged
 * for a person to look at (flagged is not forbidden: MPL-2.0 in a dev-only build tool is fine).
 */
export const PERMISSIVE = new Set([
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'CC0-1.0',
  'CC-BY-3.0',
  'CC-BY-4.0',
  'ISC',
  'MIT',
  'MIT-0',
  'Python-2.0',
  'Unlicense',
  'WTFPL',
  'Zlib',
]);

export interface PackageLicence {
  readonly name: string;
  readonly version: string;
  /** SPDX expression as the package declares it, or "UNKNOWN". */
  readonly licence: string;
  readonly dev: boolean;
  readonly permissive: boolean;
}

/** The declared licence of an npm package manifest: `license`, or the legacy `licenses` array. */
export function declaredLicence(manifest: { license?: unknown; licenses?: unknown }): string {
  if (typeof manifest.license === 'string' && manifest.license.trim())
    return manifest.license.trim();
  const legacy = manifest.license ?? manifest.licenses;
  const list = Array.isArray(legacy) ? legacy : legacy ? [legacy] : [];
  const types = list
    .map((entry) => (entry as { type?: unknown }).type)
    .filter((type): type is string => typeof type === 'string');
  if (types.length === 0) return 'UNKNOWN';
  return types.length === 1 ? types[0]! : `(${types.join(' OR ')})`;
}

/**
 * Whether an SPDX expression is permissive: `A OR B` when either is, `A AND B` when both are
 * (AND binds tighter than OR, parentheses group). "+" and "-only"/"-or-later" suffixes are kept as
 * written, so GPL variants never match the permissive set.
 */
export function isPermissive(expression: string): boolean {
  const tokens = expression
    .replace(/[()]/g, (p) => ` ${p} `)
    .trim()
    .split(/\s+/);
  let position = 0;
  const orExpr = (): boolean => {
    let value = andExpr();
    while (tokens[position]?.toUpperCase() === 'OR') {
      position++;
      const right = andExpr();
      value = value || right;
    }
    return value;
  };
  const andExpr = (): boolean => {
    let value = atom();
    while (tokens[position]?.toUpperCase() === 'AND') {
      position++;
      const right = atom();
      value = value && right;
    }
    return value;
  };
  const atom = (): boolean => {
    const token = tokens[position++];
    if (token === '(') {
      const value = orExpr();
      position++; // ')'
      return value;
    }
    // "MIT WITH exception": the exception only adds permissions.
    if (tokens[position]?.toUpperCase() === 'WITH') position += 2;
    return token !== undefined && PERMISSIVE.has(token);
  };
  const result = orExpr();
  return position >= tokens.length && result;
}
