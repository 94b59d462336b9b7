/**
 * Production runs the compiled build (`npm run build`) with package.json's config.node_flags. The build must run
 * with node alone and find its migrations, and the Dockerfile must start it with the same flags.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { productionNodeFlags } from '../bench/production-flags.ts';
import { dropDatabase } from '../src/db/migrate.ts';
import { waitFor } from './support/catalog.ts';
import { runCli, startCli } from './support/cli.ts';
import { clearPrefix, redisUrl, testQueuePrefix, uniqueName } from './support/services.ts';

const ROOT = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

describe('the production build', () => {
  // laid out as in the image: package.json and node_modules beside dist/
  const appDir = mkdtempSync(join(tmpdir(), 'alw-build-'));
  const outDir = join(appDir, 'dist');
  let databaseUrl: string;

  beforeAll(async () => {
    const url = new URL(inject('databaseServerUrl'));
    url.pathname = `/${uniqueName('alw_test_build')}`;
    databaseUrl = url.toString();
    copyFileSync(join(ROOT, 'package.json'), join(appDir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(appDir, 'node_modules'));
    await run(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out-dir', outDir]);
  }, 180_000);

  afterAll(async () => {
    rmSync(appDir, { recursive: true, force: true });
    await dropDatabase(databaseUrl);
  });

  it('runs with node alone and the production flags, and applies the migrations it carries', async () => {
    const entry = [...productionNodeFlags(ROOT), join(outDir, 'src/cli/main.js')];
    const help = await runCli(['--help'], {}, undefined, entry);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: asset-worker');

    const migrated = await runCli(['migrate'], { DATABASE_URL: databaseUrl }, undefined, entry);
    expect(migrated.stderr).toBe('');
    expect(migrated.stdout).toContain('created database');
    expect(migrated.code).toBe(0);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const views = await client.query<{ n: number }>(
        `select count(*)::int as n from information_schema.views where table_name in ('catalog_assets', 'retention_log', 'dag_runs')`,
      );
      expect(views.rows[0]?.n).toBe(3);
    } finally {
      await client.end();
    }
  });

  it('start, as the image runs it (node is the process signalled), stops gracefully on SIGTERM with exit 0', async () => {
    const prefix = testQueuePrefix();
    const entry = [...productionNodeFlags(ROOT), join(outDir, 'src/cli/main.js')];
    const token = 'build-admin-token-1e4f';
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix, ADMIN_PORT: '0', ADMIN_TOKEN: token };
    const worker = startCli(['start'], env, undefined, entry);
    let output = '';
    worker.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await Promise.race([
        waitFor(async () => (output.includes('admin server listening on') ? true : undefined), 50),
        worker.result.then((exited) => Promise.reject(new Error(`start exited (${exited.code}) before serving:\n${exited.stderr}`))),
      ]);
      // the report page's own files travel with the build (scripts/build.mjs copies them beside the compiled code)
      const adminUrl = /admin server listening on (http:\/\/\S+)/.exec(output)?.[1];
      const headers = { authorization: `Bearer ${token}` };
      const page = await (await fetch(`${adminUrl}/admin/catalog-report`, { headers })).text();
      const files = [...page.matchAll(/(?:src|href)="(\/admin\/static\/[^"]+)"/g)].map((match) => match[1]);
      expect(files).toHaveLength(3);
      for (const file of files) expect((await fetch(`${adminUrl}${file}`, { headers })).status, file).toBe(200);
      worker.child.kill('SIGTERM');
      const stopped = await worker.result;
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stderr).toContain('SIGTERM received');
    } finally {
      await clearPrefix(prefix);
    }
  });

  it('is what the Dockerfile starts, with the same Node flags', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(entrypoint).toBeDefined();
    expect(JSON.parse(entrypoint ?? '[]')).toEqual(['node', ...productionNodeFlags(ROOT), 'dist/src/cli/main.js']);
    expect(dockerfile).toContain('RUN npm run build');
  });
});
