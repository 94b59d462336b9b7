#!/usr/bin/env node
/**
 * `npm run build`: compiles src/ and bench/ to plain JavaScript in dist/ (or --out-dir DIR) and copies the SQL
 * migrations and the admin pages' static files beside them, so the compiled CLI runs with node alone: no
 * TypeScript loader in the process.
 * Production (the Docker image, `npm run start:production`) runs this build; development runs the sources.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
const outDir = values['out-dir'] ?? `${root}dist`;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`, '--outDir', outDir], { stdio: 'inherit' });
// src/db/migrate.ts finds the migrations two levels above itself: dist/src/db → dist/drizzle
cpSync(`${root}drizzle`, `${outDir}/drizzle`, { recursive: true });
// the report page's script and stylesheet are served as they are, from beside the compiled admin server
cpSync(`${root}src/admin/static`, `${outDir}/src/admin/static`, { recursive: true });
