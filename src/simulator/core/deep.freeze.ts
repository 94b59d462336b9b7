/**
 * Stored payloads are frozen and replaced on change (copy-on-write), so `all()` and `get()` can hand out the
 * stored objects themselves without a caller being able to alter the truth behind the simulator's back.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    // for…in rather than Object.values: no array per object when freezing 100,000 assets.
    for (const key in value) deepFreeze(value[key]);
  }
  return value;
}

/** Applies a patch where an explicit `undefined` removes the key (for optional wire fields). */
export function applyPatch<T extends object>(base: T, patch: Partial<T>): T {
  const next = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next as T;
}
