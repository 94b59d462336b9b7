/**
 * Encodes rows in PostgreSQL's COPY text format: tab-separated, \N for null, backslash escapes.
 * Pure, so the one place where values become wire text is unit-tested.
 */
export type CopyValue = string | number | boolean | Date | readonly string[] | null | undefined;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
// Module constants, not literals in the function: a regex literal is a new object each time it is evaluated, and
// this runs for every field of every row a sync writes.
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ARRAY_ELEMENT_SPECIAL = /["\\]/g;

function escapeText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, (c) => ESCAPES[c] ?? c) : value;
}

/** A text[] literal: every element quoted, so commas, braces and spaces in tags survive. */
export function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(ARRAY_ELEMENT_SPECIAL, (c) => `\\${c}`)}"`).join(',')}}`;
}

export function copyField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return escapeText(arrayLiteral(value));
  return escapeText(String(value));
}

export function copyLine(values: readonly CopyValue[]): string {
  if (values.length === 0) return '\n';
  const fields = values.map(copyField);
  // The newline goes on the last field before the join, so the join builds the line flat in one copy; adding
  // it to the joined line would make a rope that every later reader (sort, write to a buffer) flattens again.
  fields[fields.length - 1] += '\n';
  return fields.join('\t');
}
