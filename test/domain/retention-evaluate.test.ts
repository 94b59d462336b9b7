import { describe, expect, it } from 'vitest';
import { evaluateProvider, isInTargetState, matchRule, type RetentionAssetRow } from '../../src/domain/retention-evaluate.ts';
import { parseRetentionRules } from '../../src/domain/retention-rules.parse.ts';
import { builtinProviderRegistry } from '../../src/providers/registry.ts';

const facts = (name: string) => builtinProviderRegistry.require(name);

const NOW = new Date('2026-06-01T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

function row(assetId: string, patch: Partial<RetentionAssetRow> = {}): RetentionAssetRow {
  return {
    assetId,
    kind: 'image',
    status: 'active',
    category: null,
    tags: null,
    providerCreatedAt: null,
    providerUpdatedAt: null,
    firstSeenAt: daysAgo(1),
    lastChangedAt: daysAgo(1),
    trashedAt: null,
    removedAt: null,
    ...patch,
  };
}

const rules = parseRetentionRules(
  `safety:
  protectedTags: [legal-hold]
rules:
  - name: old-images
    provider: affogato
    action: archive
    when:
      olderThanDays: 30
      status: [active]
      kind: [image]
  - name: old-anything
    provider: affogato
    action: archive
    when:
      olderThanDays: 60
  - name: stale-samples
    provider: mediapocket
    action: trash
    when:
      notUpdatedForDays: 180
      category: [sample]
      tagsAny: [campaign-2023]
      tagsNone: [evergreen]
  - name: failed-uploads
    provider: roughy
    action: delete
    when:
      status: [failed]
      olderThanDays: 7
`,
  'retention.yaml',
  builtinProviderRegistry,
);

describe('matchRule', () => {
  const [oldImages] = rules.rules;
  if (oldImages === undefined) throw new Error('rules missing');

  it('measures age by provider_created_at, else first_seen_at, strictly more than N days', () => {
    expect(matchRule(oldImages, row('a', { firstSeenAt: daysAgo(31) }), NOW)).toEqual(['first seen 31 days ago (> 30)', 'status active', 'kind image']);
    expect(matchRule(oldImages, row('a', { firstSeenAt: daysAgo(30) }), NOW)).toBeUndefined();
    // the provider's own date wins over when the catalog first saw the asset
    expect(matchRule(oldImages, row('a', { firstSeenAt: daysAgo(90), providerCreatedAt: daysAgo(10) }), NOW)).toBeUndefined();
    expect(matchRule(oldImages, row('a', { firstSeenAt: daysAgo(1), providerCreatedAt: daysAgo(45) }), NOW)?.[0]).toBe('created 45 days ago (> 30)');
  });

  it('needs every condition; a list matches any of its values', () => {
    expect(matchRule(oldImages, row('a', { firstSeenAt: daysAgo(31), kind: 'video' }), NOW)).toBeUndefined();
    expect(matchRule(oldImages, row('a', { firstSeenAt: daysAgo(31), status: 'processing' }), NOW)).toBeUndefined();
    expect(matchRule(oldImages, row('a', { firstSeenAt: daysAgo(31), status: null }), NOW)).toBeUndefined();
  });

  it('measures "not updated" by provider_updated_at, else the last change the catalog saw', () => {
    const stale = rules.rules[2];
    if (stale === undefined) throw new Error('rules missing');
    const base = { category: 'sample', tags: ['campaign-2023'] };
    expect(matchRule(stale, row('m', { ...base, lastChangedAt: daysAgo(200) }), NOW)?.[0]).toBe('unchanged in the catalog for 200 days (> 180)');
    expect(matchRule(stale, row('m', { ...base, lastChangedAt: daysAgo(200), providerUpdatedAt: daysAgo(5) }), NOW)).toBeUndefined();
    expect(matchRule(stale, row('m', { ...base, providerUpdatedAt: daysAgo(181) }), NOW)).toEqual([
      'not updated for 181 days (> 180)',
      'category sample',
      'tagged campaign-2023',
      'not tagged evergreen',
    ]);
  });

  it('treats unknown tags as unable to prove that a tag is absent', () => {
    const stale = rules.rules[2];
    if (stale === undefined) throw new Error('rules missing');
    const base = { category: 'sample', providerUpdatedAt: daysAgo(400) };
    expect(matchRule(stale, row('m', { ...base, tags: ['campaign-2023', 'evergreen'] }), NOW)).toBeUndefined();
    expect(matchRule(stale, row('m', { ...base, tags: ['campaign-2024'] }), NOW)).toBeUndefined();
    expect(matchRule(stale, row('m', { ...base, tags: null }), NOW)).toBeUndefined();
  });
});

describe('isInTargetState', () => {
  it('knows each action’s end state', () => {
    expect(isInTargetState(facts('affogato').retention.doneState, { status: 'archive', trashedAt: null, removedAt: null })).toBe(true);
    expect(isInTargetState(facts('affogato').retention.doneState, { status: 'active', trashedAt: null, removedAt: null })).toBe(false);
    expect(isInTargetState(facts('mediapocket').retention.doneState, { status: 'open', trashedAt: NOW, removedAt: null })).toBe(true);
    expect(isInTargetState(facts('roughy').retention.doneState, { status: 'ready', trashedAt: null, removedAt: NOW })).toBe(true);
  });
});

describe('evaluateProvider', () => {
  it('plans only present assets not already in the target state', () => {
    const evaluation = evaluateProvider(
      rules,
      facts('affogato'),
      [
        row('old', { firstSeenAt: daysAgo(40) }),
        row('archived', { firstSeenAt: daysAgo(40), status: 'archive' }),
        row('removed', { firstSeenAt: daysAgo(40), removedAt: daysAgo(2) }),
        row('young', { firstSeenAt: daysAgo(3) }),
      ],
      NOW,
    );
    expect(evaluation.candidates).toBe(2);
    expect(evaluation.decisions.map((d) => [d.assetId, d.state])).toEqual([['old', 'planned']]);
  });

  it('applies the first matching rule in file order and names the others', () => {
    const evaluation = evaluateProvider(rules, facts('affogato'), [row('both', { firstSeenAt: daysAgo(70) }), row('second', { firstSeenAt: daysAgo(70), kind: 'video' })], NOW);
    expect(evaluation.decisions).toEqual([
      {
        assetId: 'both',
        rule: 'old-images',
        action: 'archive',
        state: 'planned',
        reason: 'first seen 70 days ago (> 30), status active, kind image; also matched old-anything (the first matching rule in file order applies)',
        alsoMatched: ['old-anything'],
      },
      { assetId: 'second', rule: 'old-anything', action: 'archive', state: 'planned', reason: 'first seen 70 days ago (> 60)', alsoMatched: [] },
    ]);
  });

  it('lets a protected tag win over every rule, and records the skip with the rule that matched', () => {
    const base = { category: 'sample', providerUpdatedAt: daysAgo(400) };
    const evaluation = evaluateProvider(
      rules,
      facts('mediapocket'),
      [
        row('held', { ...base, tags: ['campaign-2023', 'legal-hold'] }),
        row('free', { ...base, tags: ['campaign-2023'] }),
        row('trashed', { ...base, tags: ['campaign-2023'], trashedAt: daysAgo(1) }),
      ],
      NOW,
    );
    expect(evaluation.decisions.map((d) => ({ id: d.assetId, state: d.state, rule: d.rule }))).toEqual([
      { id: 'held', state: 'skipped', rule: 'stale-samples' },
      { id: 'free', state: 'planned', rule: 'stale-samples' },
    ]);
    expect(evaluation.decisions[0]?.reason).toMatch(/^protected tag legal-hold: never acted on \(matched: not updated for 400 days/);
  });

  it('skips an asset whose tags are unknown when protected tags are configured', () => {
    const byAge = parseRetentionRules(
      'safety: {protectedTags: [legal-hold]}\nrules:\n  - {name: by-age, provider: mediapocket, action: trash, when: {olderThanDays: 10}}\n',
      'r.yaml',
      builtinProviderRegistry,
    );
    const evaluation = evaluateProvider(byAge, facts('mediapocket'), [row('unknown', { firstSeenAt: daysAgo(20) }), row('known', { firstSeenAt: daysAgo(20), tags: [] })], NOW);
    expect(evaluation.decisions.map((d) => [d.assetId, d.state])).toEqual([
      ['unknown', 'skipped'],
      ['known', 'planned'],
    ]);
    expect(evaluation.decisions[0]?.reason).toMatch(/^tags unknown, so a protected tag cannot be ruled out/);
  });

  it('ignores rules of other providers', () => {
    const evaluation = evaluateProvider(rules, facts('roughy'), [row('r', { status: 'failed', providerCreatedAt: daysAgo(8) }), row('ok', { status: 'ready', providerCreatedAt: daysAgo(80) })], NOW);
    expect(evaluation.decisions.map((d) => [d.assetId, d.rule, d.action])).toEqual([['r', 'failed-uploads', 'delete']]);
  });

  it('is a pure function of rules, rows and "now"', () => {
    const rows = [row('a', { firstSeenAt: daysAgo(31) }), row('b', { firstSeenAt: daysAgo(29) })];
    expect(evaluateProvider(rules, facts('affogato'), rows, NOW)).toEqual(evaluateProvider(rules, facts('affogato'), rows, new Date(NOW)));
    expect(evaluateProvider(rules, facts('affogato'), rows, new Date(NOW.getTime() + 2 * 86_400_000)).decisions.map((d) => d.assetId)).toEqual(['a', 'b']);
  });
});
