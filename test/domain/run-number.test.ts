import { describe, expect, it } from 'vitest';
import { parseRunNumber } from '../../src/domain/run-number.ts';

describe('parseRunNumber', () => {
  it.each([
    ['1', 1],
    ['12', 12],
    ['1000', 1000],
    ['1000000000000000', 1_000_000_000_000_000],
  ])('%j is run %d', (text, expected) => {
    expect(parseRunNumber(text)).toBe(expected);
  });

  it.each(['', '0', '012', '-3', '+3', '1.5', '1e3', ' 12', '12 ', 'latest', '12a', '10000000000000000'])('%j is not a run number', (text) => {
    expect(parseRunNumber(text)).toBeUndefined();
  });
});
