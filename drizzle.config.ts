import { defineConfig } from 'drizzle-kit';

// Only `drizzle-kit generate` uses this: it diffs src/db/schema.ts (with the tables it re-exports from
// schema-reporting.ts) against drizzle/ and needs no database.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
