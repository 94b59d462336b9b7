import { describe, expect, it } from 'vitest';
import { arrayField, arrayLiteral, jsonField, numberField, textField, timeField } from '../../src/db/copy-text.ts';

describe('COPY text encoding', () => {
  it('writes nulls as \\N, numbers as digits and dates as ISO', () => {
    expect(textField(null)).toBe('\\N');
    expect(numberField(null)).toBe('\\N');
    expect(timeField(null)).toBe('\\N');
    expect(arrayField(null)).toBe('\\N');
    expect(timeField(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678Z');
    expect(numberField(42)).toBe('42');
  });

  it('escapes the characters that would break a row or a column', () => {
    expect(textField('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
  });

  it('quotes every array element so commas, quotes and braces survive', () => {
    expect(arrayLiteral(['legal-hold', 'a,b', 'say "hi"', '{x}'])).toBe('{"legal-hold","a,b","say \\"hi\\"","{x}"}');
    expect(arrayField(['back\\slash'])).toBe('{"back\\\\\\\\slash"}');
  });

  it('writes JSON whose strings hold tabs, newlines and backslashes as one field that reads back', () => {
    const value = { text: 'tab\there\nnew line \\ backslash "quoted"' };
    const field = jsonField(value);
    expect(field).not.toMatch(/[\t\n\r]/);
    // COPY turns each \\ back into \, which gives JSON.stringify's own output
    expect(field.replaceAll('\\\\', '\\')).toBe(JSON.stringify(value));
    expect(JSON.parse(field.replaceAll('\\\\', '\\'))).toEqual(value);
  });
});
