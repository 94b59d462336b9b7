/**
 * The assumed listing's cursor: an opaque base64url token naming the last asset served by its keyset position
 * (creation time, id). Resuming after a position rather than an offset means inserts and removals elsewhere in
 * the listing never shift what comes next.
 */
export interface MediaPocketKey {
  /** created_date in epoch ms */
  time: number;
  id: string;
}

export function compareKeys(a: MediaPocketKey, b: MediaPocketKey): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function encodeCursor(key: MediaPocketKey): string {
  return Buffer.from(JSON.stringify({ v: 1, t: key.time, i: key.id }), 'utf8').toString('base64url');
}

/** undefined when the token is not one this listing issued. */
export function decodeCursor(token: string): MediaPocketKey | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const { v, t, i } = parsed as Record<string, unknown>;
    if (v !== 1 || typeof t !== 'number' || !Number.isFinite(t) || typeof i !== 'string' || i === '') return undefined;
    return { time: t, id: i };
  } catch {
    return undefined;
  }
}
