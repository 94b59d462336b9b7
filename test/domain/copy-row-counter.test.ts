import { describe, expect, it } from 'vitest';
import { CopyRowCounter } from '../../src/domain/copy-row-counter.ts';

const QUOTE = 0x22;

/** Feeds `text` in pieces of `size` bytes. */
function countIn(text: string, size: number, quote = QUOTE): number {
  const bytes = Buffer.from(text, 'utf8');
  const counter = new CopyRowCounter(quote);
  for (let at = 0; at < bytes.length; at += size) counter.add(bytes.subarray(at, at + size));
  return counter.count;
}

describe('CopyRowCounter', () => {
  const csv = [
    'provider,asset_id,title,raw\n',
    'affogato,a1,plain,"{""k"": 1}"\n',
    'affogato,a2,"two\nlines, and ""quotes""\n",\n',
    'affogato,a3,"""",""\n',
    'roughy,r1,"ends with a quote""","{""t"": ""x\ny""}"\n',
  ].join('');

  it('counts line feeds outside quotes only, however the bytes are split into chunks', () => {
    for (const size of [1, 2, 3, 5, 7, 64, 4096]) expect(countIn(csv, size)).toBe(5);
  });

  it('counts every line when the quote byte never occurs (the jsonl export)', () => {
    const jsonl = '{"a": "x\\ny"}\n{"b": "\\"q\\""}\n{"c": "😀"}\n';
    for (const size of [1, 4, 1000]) expect(countIn(jsonl, size, 0x01)).toBe(3);
  });
});
