import { createHash } from 'node:crypto';
import type { ProviderName } from '../domain/provider-facts.ts';
import type { Db } from './client.ts';
import { quarantine } from './schema.ts';

export interface QuarantinedRecord {
  assetId: string | null;
  reason: string;
  raw: unknown;
}

/** Stores malformed records; a record replayed by a resumed run is stored once. Returns how many were new. */
export async function insertQuarantined(db: Db, provider: ProviderName, runId: number, records: QuarantinedRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  const rows = records.map((record) => {
    const text = JSON.stringify(record.raw) ?? 'null';
    return {
      provider,
      runId,
      assetId: record.assetId,
      reason: record.reason,
      raw: record.raw ?? null,
      rawHash: createHash('sha256').update(text).digest('hex'),
    };
  });
  const inserted = await db.insert(quarantine).values(rows).onConflictDoNothing().returning({ id: quarantine.id });
  return inserted.length;
}
