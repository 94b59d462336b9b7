/**
 * The provider registry: one list, checked when it is built; lock keys derived from names alone (pinned here so
 * a change to the derivation is caught: it would split the locks of two releases running side by side); and
 * provider names kept inside the providers' own folders.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UnknownProviderError } from '../src/domain/provider-facts.ts';
import { providerLockKey } from '../src/domain/provider-lock-key.ts';
import { InvalidRequestError } from '../src/errors.ts';
import type { ProviderDefinition } from '../src/providers/provider-definition.ts';
import { BUILTIN_PROVIDERS, builtinProviderRegistry, createProviderRegistry, ProviderRegistryError } from '../src/providers/registry.ts';
import { providerLockKeys } from '../src/db/provider-lock.ts';
import { isAssetAction } from '../src/domain/action-names.ts';
import type { RateLimiter } from '../src/http/rate-limiter.ts';
import { createLogger } from '../src/logger.ts';
import { Secret } from '../src/secret.ts';
import { shelfDefinition } from './fifth-provider/shelf.definition.ts';

function like(base: ProviderDefinition, name: string, prefix = name.toUpperCase()): ProviderDefinition {
  return { ...base, name, env: { ...base.env, prefix } };
}

const [first] = BUILTIN_PROVIDERS;
if (first === undefined) throw new Error('no built-in provider');

describe('provider registry', () => {
  it('lists the built-in providers in order, with their facts', () => {
    expect(builtinProviderRegistry.names).toEqual(['affogato', 'mediapocket', 'roughy']);
    expect(builtinProviderRegistry.require('mediapocket').bulkActions).toEqual(['trash', 'restore', 'delete', 'dag']);
    expect(builtinProviderRegistry.facts('roughy')?.retention.action).toBe('delete');
    expect(builtinProviderRegistry.facts('roughy')?.retention.reversal.kind).toBe('irreversible');
    expect(builtinProviderRegistry.facts('affogato')?.retention.reversal.kind).toBe('irreversible');
    expect(builtinProviderRegistry.facts('mediapocket')?.retention.reversal).toMatchObject({ kind: 'reversible', undoAction: 'restore' });
    expect(builtinProviderRegistry.get('nope')).toBeUndefined();
    expect(builtinProviderRegistry.has('affogato')).toBe(true);
  });

  it('refuses an unknown name with a usage error naming the known ones', () => {
    expect(() => builtinProviderRegistry.require('rougy')).toThrow(UnknownProviderError);
    expect(() => builtinProviderRegistry.require('rougy')).toThrow(InvalidRequestError);
    expect(() => builtinProviderRegistry.require('rougy')).toThrow('unknown provider "rougy" (expected one of affogato, mediapocket, roughy)');
  });

  it('refuses a repeated name, env prefix or lock key when it is built', () => {
    expect(() => createProviderRegistry([...BUILTIN_PROVIDERS, like(first, 'roughy', 'ROUGHY2')])).toThrow(/same name/);
    expect(() => createProviderRegistry([...BUILTIN_PROVIDERS, like(first, 'other', 'ROUGHY')])).toThrow(/same env prefix/);
    // two names whose sha256 starts with the same 4 bytes
    expect(providerLockKey('pz6u')).toBe(providerLockKey('p2bg0'));
    expect(() => createProviderRegistry([like(first, 'pz6u'), like(first, 'p2bg0')])).toThrow(ProviderRegistryError);
    expect(() => createProviderRegistry([like(first, 'pz6u'), like(first, 'p2bg0')])).toThrow(/same advisory-lock key \(-1333882589\)/);
    expect(() => createProviderRegistry([like(first, 'Bad-Name')])).toThrow(/lower-case/);
  });

  it('derives each lock key from the name alone: pinned, and unchanged by order or additions', () => {
    expect(Object.fromEntries(builtinProviderRegistry.names.map((name) => [name, builtinProviderRegistry.lockKey(name)]))).toEqual({
      affogato: -1891390625,
      mediapocket: -143433823,
      roughy: -131062180,
    });
    const reordered = createProviderRegistry([...BUILTIN_PROVIDERS].reverse().concat(like(first, 'fifth')));
    for (const name of builtinProviderRegistry.names) expect(reordered.lockKey(name)).toBe(builtinProviderRegistry.lockKey(name));
    expect(providerLockKeys('sync', 'roughy')).toEqual([7_420_010, -131062180]);
    expect(providerLockKeys('retention', 'affogato')).toEqual([7_420_020, -1891390625]);
  });
});

describe('provider facts stay in the providers\' folders', () => {
  it('at most three source files outside affogato\'s own folder, the simulator and the demo name Affogato', () => {
    const listed = execFileSync('grep', ['-ril', 'affogato', 'src'], { encoding: 'utf8' }).split('\n').filter((line) => line !== '');
    const outside = listed.filter((file) => !/^src\/(providers\/affogato|simulator|demo)\//.test(file)).sort();
    expect(outside.length, outside.join('\n')).toBeLessThanOrEqual(3);
    // the registry lists it; nothing else needs to
    expect(outside).toContain('src/providers/registry.ts');
  });
});

describe('a definition and the adapter it builds', () => {
  // building an adapter sends nothing: an unreachable base URL and a limiter that is never asked are enough
  const idleLimiter: RateLimiter = {
    acquire: () => Promise.reject(new Error('no request is expected')),
    pause: () => Promise.reject(new Error('no request is expected')),
  };
  const config = { apiKey: new Secret('unused'), baseUrl: 'http://127.0.0.1:9', rps: 1 };

  it.each([...BUILTIN_PROVIDERS, shelfDefinition].map((definition) => [definition.name, definition] as const))(
    '%s: the adapter offers the bulk actions and batch sizes the definition states',
    async (_name, definition) => {
      const handle = definition.create(config, { rateLimiter: idleLimiter, logger: createLogger('silent') });
      try {
        const assetActions = definition.bulkActions.filter(isAssetAction);
        expect([...handle.provider.supportedActions].sort()).toEqual([...assetActions].sort());
        for (const action of assetActions) expect(handle.provider.batchSize(action)).toBe(definition.batchSizes[action] ?? 1);
        expect(handle.provider.supportedActions).toContain(definition.retention.action);
        // what retention undo would send must be an action the adapter offers
        const { reversal } = definition.retention;
        if (reversal.kind === 'reversible') expect(handle.provider.supportedActions).toContain(reversal.undoAction);
        expect(handle.dagActions !== undefined).toBe(definition.bulkActions.includes('dag'));
      } finally {
        await handle.close();
      }
    },
  );
});
