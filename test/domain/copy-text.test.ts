import { describe, expect, it } from 'vitest';
import { CopyDataBuffer } from '../../src/db/copy-buffer.ts';
import { arrayLiteral, copyField, copyLine } from '../../src/db/copy-text.ts';

describe('COPY text encoding', () => {
  it('writes nulls as \\N and dates as ISO', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    expect(copyField(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678Z');
    expect(copyField(42)).toBe('42');
  });

  it('escapes the characters that would break a row or a column', () => {
    expect(copyField('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
  });

  it('quotes every array element so commas, quotes and braces survive', () => {
    expect(arrayLiteral(['legal-hold', 'a,b', 'say "hi"', '{x}'])).toBe('{"legal-hold","a,b","say \\"hi\\"","{x}"}');
    expect(copyField(['back\\slash'])).toBe('{"back\\\\\\\\slash"}');
  });

  it('joins a row with tabs and ends it with a newline', () => {
    expect(copyLine(['id', null, 3])).toBe('id\t\\N\t3\n');
    expect(copyLine(['only'])).toBe('only\n');
    expect(copyLine([])).toBe('\n');
  });
});

describe('COPY data buffer', () => {
  it('holds exactly the UTF-8 bytes of what was appended, growing past its first size', () => {
    const buffer = new CopyDataBuffer();
    const lines = Array.from({ length: 40_000 }, (_, i) => copyLine([`asset-${i}`, 'ünïcødé ✓ 🎞️', i]));
    for (const line of lines) buffer.append(line);
    const expected = Buffer.from(lines.join(''), 'utf8');
    expect(expected.length).toBeGreaterThan(1 << 20);
    expect(buffer.view().equals(expected)).toBe(true);
  });

  it('starts over after a reset, reusing its memory', () => {
    const buffer = new CopyDataBuffer();
    buffer.append('first batch\n');
    buffer.reset();
    buffer.append('second\n');
    expect(buffer.view().toString('utf8')).toBe('second\n');
  });
});
