/**
 * Encodes rows in PostgreSQL's COPY text format: tab-separated, \N for null, backslash escapes.
 * Pure, so the one place where values become wire text is unit-tested.
 */
export type CopyValue = string | number | boolean | Date | readonly string[] | null | undefined;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c) : value;
}

/** A text[] literal: every element quoted, so commas, braces and spaces in tags survive. */
export function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
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
