export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Serialises like Lambda does with a handler's input and result: `undefined` becomes null, Dates
 * become strings, functions and symbols vanish. Throws on cycles and BigInts, as Lambda would.
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
