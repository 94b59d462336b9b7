/**
 * Typed field readers for provider payloads. A field of the wrong type is recorded as the record's problem
 * (so the record is quarantined with a reason naming the field) instead of being silently coerced.
 */
import type { TransformResult } from './provider.ts';

type Json = Record<string, unknown>;

export class Fields {
  problem: string | undefined;
  private assetId: string | null = null;

  private constructor(
    private readonly obj: Json,
    private readonly raw: unknown,
    private readonly path: string,
  ) {}

  static of(raw: unknown, path = ''): Fields | undefined {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
    return new Fields(raw as Json, raw, path);
  }

  private note(name: string, expected: string, value: unknown): null {
    this.problem ??= `field "${this.path}${name}" should be ${expected}, got ${JSON.stringify(value)?.slice(0, 80)}`;
    return null;
  }

  requiredId(name: string): string | undefined {
    const value = this.obj[name];
    if (typeof value === 'string' && value.trim() !== '') {
      this.assetId = value;
      return value;
    }
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      this.assetId = String(value);
      return this.assetId;
    }
    this.problem ??= value === undefined ? `missing "${this.path}${name}"` : `field "${this.path}${name}" is not a valid id: ${JSON.stringify(value)?.slice(0, 80)}`;
    return undefined;
  }

  string(name: string): string | null {
    const value = this.obj[name];
    if (value === undefined || value === null) return null;
    return typeof value === 'string' ? value : this.note(name, 'a string', value);
  }

  integer(name: string): number | null {
    const value = this.obj[name];
    if (value === undefined || value === null) return null;
    return typeof value === 'number' && Number.isInteger(value) ? value : this.note(name, 'an integer', value);
  }

  /** a number or a decimal string ("12.5"), kept as text for a numeric column */
  decimal(name: string): string | null {
    const value = this.obj[name];
    if (value === undefined || value === null) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return value.trim();
    return this.note(name, 'a decimal number', value);
  }

  timestamp(name: string): Date | null {
    const value = this.obj[name];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') {
      const at = new Date(value);
      if (!Number.isNaN(at.getTime())) return at;
    }
    return this.note(name, 'an ISO timestamp', value);
  }

  stringArray(name: string): string[] | null {
    const value = this.obj[name];
    if (value === undefined || value === null) return null;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
    return this.note(name, 'an array of strings', value);
  }

  object(name: string): Fields | undefined {
    const value = this.obj[name];
    if (value === undefined || value === null) return undefined;
    const nested = Fields.of(value, `${this.path}${name}.`);
    if (nested === undefined) this.note(name, 'an object', value);
    return nested;
  }

  /** the failure for this record, taking the first problem of this object or a nested one */
  failure(...nested: Array<Fields | undefined>): TransformResult & { ok: false } {
    const reason = this.problem ?? nested.find((n) => n?.problem !== undefined)?.problem ?? 'malformed record';
    return { ok: false, reason, assetId: this.assetId, raw: this.raw };
  }
}
