import { describe, expect, it } from 'vitest';
import { chunkSizeFor, itemOutcome, planItems } from '../../src/domain/bulk-plan.ts';
import { parseIdList, parseIdsFile, validateBulkRequest } from '../../src/domain/bulk-request.ts';
import { InvalidRequestError } from '../../src/errors.ts';
import { builtinProviderRegistry } from '../../src/providers/registry.ts';

describe('validateBulkRequest', () => {
  it('accepts each action only where the provider offers it', () => {
    expect(validateBulkRequest('archive', 'affogato', undefined, builtinProviderRegistry)).toEqual({ provider: 'affogato', action: 'archive', dagActionId: null });
    for (const action of ['trash', 'restore', 'delete']) expect(validateBulkRequest(action, 'mediapocket', undefined, builtinProviderRegistry).action).toBe(action);
    expect(validateBulkRequest('delete', 'roughy', undefined, builtinProviderRegistry).provider).toBe('roughy');
    expect(validateBulkRequest('dag', 'mediapocket', '3', builtinProviderRegistry)).toEqual({ provider: 'mediapocket', action: 'dag', dagActionId: '3' });
  });

  it('refuses wrong pairs, unknown names and a misplaced --action, as usage errors', () => {
    const cases: Array<[string, string | undefined, string | undefined, RegExp]> = [
      ['archive', 'mediapocket', undefined, /mediapocket does not support "archive"/],
      ['trash', 'affogato', undefined, /affogato does not support "trash"/],
      ['dag', 'roughy', '1', /roughy does not support "dag"/],
      ['purge', 'affogato', undefined, /unknown bulk action "purge"/],
      ['delete', 'dropbox', undefined, /unknown provider "dropbox"/],
      ['delete', undefined, undefined, /--provider is required/],
      ['dag', 'mediapocket', undefined, /needs --action/],
      ['trash', 'mediapocket', '4', /--action is only for "bulk dag"/],
    ];
    for (const [action, provider, dagAction, message] of cases) {
      expect(() => validateBulkRequest(action, provider, dagAction, builtinProviderRegistry)).toThrow(InvalidRequestError);
      expect(() => validateBulkRequest(action, provider, dagAction, builtinProviderRegistry)).toThrow(message);
    }
  });
});

describe('reading ids', () => {
  it('--ids splits on commas and forgives spaces around ids', () => {
    expect(parseIdList('a1, b2 ,c-3')).toEqual(['a1', 'b2', 'c-3']);
    expect(() => parseIdList('a,,b')).toThrow(/entry 2 is empty/);
    expect(() => parseIdList('a,b c')).toThrow(/entry 2 \("b c"\)/);
    expect(() => parseIdList('')).toThrow(/names no asset/);
  });

  it('an ids file: one per line, blank lines and comments ignored, a bad line named by its number', () => {
    expect(parseIdsFile('# export of 2026-03-01\nabc\n\n  def  \r\n#ghi\n', 'ids.txt')).toEqual(['abc', 'def']);
    expect(() => parseIdsFile('abc\ndef\nx y\n', 'ids.txt')).toThrow('ids.txt:3: "x y" is not one asset id');
    expect(() => parseIdsFile('abc\na,b\n', 'ids.txt')).toThrow(/ids\.txt:2:/);
    expect(() => parseIdsFile('abc\nbad/id\n', 'ids.txt')).toThrow(/ids\.txt:2:/);
    expect(() => parseIdsFile('# nothing\n\n', 'ids.txt')).toThrow(/names no asset/);
  });
});

describe('planItems', () => {
  it('cuts ids into chunks in input order and keeps repeats as skipped items of their first chunk', () => {
    const { items, chunks } = planItems(['a', 'b', 'a', 'c', 'd', 'b', 'e'], 2);
    expect(chunks).toBe(3);
    expect(items.map((item) => [item.assetId, item.chunk, item.duplicate])).toEqual([
      ['a', 0, false],
      ['b', 0, false],
      ['a', 0, true],
      ['c', 1, false],
      ['d', 1, false],
      ['b', 0, true],
      ['e', 2, false],
    ]);
  });

  it('sizes chunks by the provider batch: several multi-id calls, or a few dozen per-asset calls', () => {
    expect(chunkSizeFor('archive', 50)).toBe(250);
    expect(chunkSizeFor('trash', 1)).toBe(20);
    expect(chunkSizeFor('dag', 1)).toBe(20);
  });
});

describe('itemOutcome', () => {
  it('notes an id the catalog has not seen', () => {
    expect(itemOutcome('applied', true)).toBe('applied');
    expect(itemOutcome('already_gone', false)).toBe('already_gone,not_in_catalog');
  });
});
