/**
 * A fifth provider, Shelf, defined in this folder only and registered the way the built-in ones are
 * (createProviderRegistry([...BUILTIN_PROVIDERS, shelf])), against its own small API over real HTTP on loopback.
 * With no source file changed for it, it is configured from its env variables, synced into the catalog, named
 * by a rules file, planned and applied by retention (its own archive, with its own catalog effect), scheduled,
 * reported, offered by the CLI's help, and runs bulk operations to completion through the real chunk jobs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.ts';
import { registerBulkCommand } from '../../src/cli/bulk.command.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildCatalogReport } from '../../src/db/catalog-report.repository.ts';
import { validateBulkRequest } from '../../src/domain/bulk-request.ts';
import { ConfigError } from '../../src/errors.ts';
import { bulkChunkHandler } from '../../src/app/job-handlers/bulk-chunk.handler.ts';
import { BUILTIN_PROVIDERS, builtinProviderRegistry, createProviderRegistry } from '../../src/providers/registry.ts';
import { applyRetention } from '../../src/retention/retention-apply.ts';
import type { RetentionDeps } from '../../src/retention/retention-plan-assessment.ts';
import { planRetention } from '../../src/retention/retention-plan.ts';
import { loadRetentionRules } from '../../src/retention/retention-rules.loader.ts';
import { desiredSchedules } from '../../src/schedulers/schedules.ts';
import { syncProvider } from '../../src/sync/sync-runner.ts';
import { runBulk } from '../support/bulk.ts';
import { catalogOf } from '../support/catalog.ts';
import { startInProcessWorker, type InProcessWorker } from '../support/context.ts';
import { clearPrefix, createTestDatabase, redisUrl, testQueuePrefix, type TestDatabase } from '../support/services.ts';
import { SHELF_API_KEY, startShelfServer, type ShelfServer } from './shelf.server.ts';
import { shelfDefinition } from './shelf.definition.ts';

const registry = createProviderRegistry([...BUILTIN_PROVIDERS, shelfDefinition]);

const RULES = `safety:
  maxCatalogFraction: 1
rules:
  - name: shelve-active-images
    provider: shelf
    action: archive
    when:
      kind: [image]
      status: [active]
`;

function rulesFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'alw-shelf-')), 'retention.yaml');
  writeFileSync(path, text);
  return path;
}

describe('a fifth provider registered through the registry', () => {
  let database: TestDatabase;
  let shelf: ShelfServer;
  let config: Config;
  let context: AppContext;
  let worker: InProcessWorker;
  const prefix = testQueuePrefix();
  const rulesPath = rulesFile(RULES);

  beforeAll(async () => {
    database = await createTestDatabase();
    shelf = await startShelfServer(30);
    worker = startInProcessWorker(
      { DATABASE_URL: database.url, REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix, SHELF_API_KEY, SHELF_BASE_URL: shelf.baseUrl, RETENTION_RULES: rulesPath },
      { handlers: (deps) => [bulkChunkHandler(deps)], queues: ['bulk'], registry },
    );
    context = worker.context;
    config = context.config;
  });
  afterAll(async () => {
    await worker?.close();
    await shelf?.close();
    await database?.drop();
    await clearPrefix(prefix);
  });

  it('is configured from its own variables, with its rate default and its base URL required with a hint', () => {
    expect(config.providers.shelf?.baseUrl).toBe(shelf.baseUrl);
    expect(config.providers.shelf?.rps).toBe(50);
    expect([...context.providers.keys()]).toEqual(['shelf']);
    expect(() => loadConfig({ SHELF_API_KEY: 'k' }, registry)).toThrow(ConfigError);
    expect(() => loadConfig({ SHELF_API_KEY: 'k' }, registry)).toThrow('SHELF_BASE_URL is required when SHELF_API_KEY is set (Shelf runs on the test machine)');
    expect(() => loadConfig({ SHELF_API_KEY: 'k', SHELF_BASE_URL: 'x', SHELF_RPS: '0' }, registry)).toThrow(/SHELF_BASE_URL must be a http\(s\) URL[\s\S]*SHELF_RPS must be greater than 0/);
    // the built-in registry does not know it: the registry is what makes it a provider
    expect(builtinProviderRegistry.get('shelf')).toBeUndefined();
    expect(desiredSchedules(config).map((schedule) => schedule.id)).toEqual(['sync:shelf', 'retention:apply', 'dag:sweep', 'history:prune', 'catalog:daily']);
  });

  it('is offered by the CLI help and bulk validation built from the registry', () => {
    const program = new Command('asset-worker');
    registerBulkCommand(program, registry);
    const help = program.commands.find((command) => command.name() === 'bulk')?.helpInformation() ?? '';
    expect(help).toContain('archive, delete (shelf)');
    expect(help).toContain('affogato, mediapocket, roughy or shelf');
    expect(() => validateBulkRequest('trash', 'shelf', undefined, registry)).toThrow('shelf does not support "trash" (it supports: archive, delete)');
    expect(() => validateBulkRequest('archive', 'shelf', undefined, builtinProviderRegistry)).toThrow('unknown provider "shelf"');
  });

  it('syncs into the catalog over HTTP, and the report lists it', async () => {
    const handle = context.providers.get('shelf');
    if (handle === undefined) throw new Error('shelf is not enabled');
    const summary = await syncProvider({ pool: context.pool, logger: context.logger }, handle.provider);
    expect(summary.state).toBe('complete');
    const catalog = await catalogOf(context.pool, 'shelf');
    expect([...catalog.keys()].sort()).toEqual([...shelf.assets.keys()].sort());
    expect(catalog.get('shelf-0001')?.kind).toBe('image');
    expect(shelf.calls.filter((call) => call === 'GET /items').length).toBe(Math.ceil(30 / 7));
    const report = await buildCatalogReport(context.db, registry.names);
    expect(report.providers.find((p) => p.provider === 'shelf')).toMatchObject({ live: 30 });
  });

  it('is planned and applied by retention from a rules file naming it, with its own catalog effect', async () => {
    // the rules name a provider only this registry knows
    await expect(loadRetentionRules(config, '/', builtinProviderRegistry)).rejects.toThrow(/unknown provider "shelf"/);
    await expect(
      loadRetentionRules({ retentionRulesPath: rulesFile(RULES.replace('kind: [image]', 'kind: [video]')), retentionRulesExplicit: true }, '/', registry),
    ).rejects.toThrow(`kind "video" is not one of shelf's kinds (image, document)`);
    const loaded = await loadRetentionRules(config, '/', registry);
    if (loaded.kind !== 'rules') throw new Error('no rules');
    const deps: RetentionDeps = { pool: context.pool, logger: context.logger, providers: registry };
    const images = [...shelf.assets.values()].filter((asset) => asset.kind === 'image').map((asset) => asset.id).sort();

    const [plan] = await planRetention(deps, loaded, ['shelf']);
    expect(plan?.decisions.filter((d) => d.state === 'planned').map((d) => d.assetId).sort()).toEqual(images);
    expect(plan?.decisions.every((d) => d.action === 'archive' && d.rule === 'shelve-active-images')).toBe(true);
    expect(shelf.calls.some((call) => call.startsWith('POST'))).toBe(false);

    const handle = context.providers.get('shelf');
    if (handle === undefined) throw new Error('shelf is not enabled');
    const [outcome] = await applyRetention(deps, loaded, [handle.provider]);
    if (outcome === undefined || 'error' in outcome) throw new Error(`apply failed: ${String(outcome && 'error' in outcome ? outcome.error : outcome)}`);
    expect(outcome.result).toMatchObject({ planned: images.length, applied: images.length, failed: 0, refused: null });
    // 15 ids in batches of 10: two shelve calls
    expect(shelf.calls.filter((call) => call === 'POST /items/shelve')).toHaveLength(2);
    expect(images.every((id) => shelf.assets.get(id)?.status === 'shelved')).toBe(true);
    // the catalog shows Shelf's own status at once, without a sync
    const catalog = await catalogOf(context.pool, 'shelf');
    expect(images.every((id) => catalog.get(id)?.status === 'shelved')).toBe(true);

    // applying again finds every asset already in its done state
    const [again] = await applyRetention(deps, loaded, [handle.provider]);
    expect(again !== undefined && 'result' in again ? again.result.planned : -1).toBe(0);
    expect(shelf.calls.filter((call) => call === 'POST /items/shelve')).toHaveLength(2);
  });

  it('runs bulk delete and bulk archive to completion through the chunk jobs', async () => {
    const documents = [...shelf.assets.values()].filter((asset) => asset.kind === 'document').map((asset) => asset.id);
    const [first, second, ...rest] = documents;
    if (first === undefined || second === undefined) throw new Error('too few documents');

    const { items: deleted } = await runBulk(worker, 'delete', 'shelf', [first, second, 'shelf-9999']);
    expect(deleted.map((item) => [item.assetId, item.state, item.outcome])).toEqual([
      [first, 'done', 'applied'],
      [second, 'done', 'applied'],
      ['shelf-9999', 'done', 'already_gone,not_in_catalog'],
    ]);
    expect(shelf.assets.has(first) || shelf.assets.has(second)).toBe(false);
    const catalog = await catalogOf(context.pool, 'shelf');
    expect(catalog.get(first)?.removed_at).not.toBeNull();

    const { items: archived } = await runBulk(worker, 'archive', 'shelf', rest);
    expect(archived.every((item) => item.state === 'done' && item.outcome === 'applied')).toBe(true);
    expect(rest.every((id) => shelf.assets.get(id)?.status === 'shelved')).toBe(true);
    const after = await catalogOf(context.pool, 'shelf');
    expect(rest.every((id) => after.get(id)?.status === 'shelved')).toBe(true);
  });
});
