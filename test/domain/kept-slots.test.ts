import { describe, expect, it } from 'vitest';
import { takeKeptSlot, type KeptSlots } from '../../src/domain/kept-slots.ts';

describe('takeKeptSlot', () => {
  it('hands out kept slots in order, each an interval after the previous', () => {
    const kept: KeptSlots = { firstAt: 100, count: 3, intervalMs: 10 };
    expect(takeKeptSlot(kept, 95)).toBe(5);
    expect(takeKeptSlot(kept, 95)).toBe(15);
    expect(takeKeptSlot(kept, 95)).toBe(25);
    expect(takeKeptSlot(kept, 95)).toBeUndefined();
  });

  it('drops slots that have passed instead of spending them late', () => {
    const kept: KeptSlots = { firstAt: 100, count: 5, intervalMs: 10 };
    // at 121 the slots at 100, 110 and 120 have passed; the next is 130
    expect(takeKeptSlot(kept, 121)).toBe(9);
    expect(kept).toEqual({ firstAt: 140, count: 1, intervalMs: 10 });
    // a slot exactly now is still good
    expect(takeKeptSlot(kept, 140)).toBe(0);
    expect(takeKeptSlot(kept, 140)).toBeUndefined();
  });

  it('answers undefined, and keeps nothing, once every slot has passed', () => {
    const kept: KeptSlots = { firstAt: 100, count: 2, intervalMs: 10 };
    expect(takeKeptSlot(kept, 111)).toBeUndefined();
    expect(kept.count).toBe(0);
    expect(takeKeptSlot(kept, 50)).toBeUndefined();
  });
});
