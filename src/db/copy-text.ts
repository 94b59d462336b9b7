/**
 * Encodes fields in PostgreSQL's COPY text format: tab-separated, \N for null, backslash escapes.
 * One encoder per kind of value, so the sync's hot path does no type tests per field.
 * Pure, so the one place where values become wire text is unit-tested.
 */
const NULL = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c) : value;
}

/** A text[] literal: every element quoted, so commas, braces and spaces in tags survive. */
export function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

export function textField(value: string | null): string {
  return value === null ? NULL : escapeText(value);
}

export function numberField(value: number | null): string {
  return value === null ? NULL : String(value);
}

export function timeField(value: Date | null): string {
  return value === null ? NULL : value.toISOString();
}

export function arrayField(value: readonly string[] | null): string {
  return value === null ? NULL : escapeText(arrayLiteral(value));
}

/** JSON.stringify escapes every control character, so of COPY's special characters only the backslash can occur. */
export function jsonField(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}
