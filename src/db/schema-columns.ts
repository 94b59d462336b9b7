/** Column builders the schema modules (schema.ts, schema-reporting.ts) share. */
import { timestamp } from 'drizzle-orm/pg-core';

/** every time is stored with its zone and read as a Date */
export const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
