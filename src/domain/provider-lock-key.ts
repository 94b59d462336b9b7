/**
 * The advisory-lock key of a provider: the first 4 bytes of sha256(name) as a signed int32. Derived from the
 * name alone, so adding or reordering providers never moves a key, and two releases side by side in a rolling
 * deploy take the same lock for the same provider. The registry refuses two names with one key.
 */
import { createHash } from 'node:crypto';

export function providerLockKey(name: string): number {
  return createHash('sha256').update(name, 'utf8').digest().readInt32BE(0);
}
