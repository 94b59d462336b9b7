import { describe, expect, it } from 'vitest';
import { parseRetentionRules, RetentionRulesError } from '../../src/domain/retention-rules.parse.ts';
import { ConfigError } from '../../src/errors.ts';
import { builtinProviderRegistry } from '../../src/providers/registry.ts';

const CONTRACT_EXAMPLE = `safety:
  maxActionsPerRun: 100          # per provider and run (default 100)
  maxCatalogFraction: 0.1        # refuse a plan larger than this share of the provider's live catalog (default 0.1)
  maxSyncAgeMinutes: 1440        # refuse to act on a catalog whose last complete sync is older (default 1440)
  protectedTags: [legal-hold]    # an asset carrying one of these tags is never acted on
rules:
  - name: archive-stale-affogato
    provider: affogato
    action: archive              # affogato: archive; mediapocket: trash; roughy: delete
    when:
      olderThanDays: 30          # by provider_created_at, else first_seen_at
      status: [active]
      kind: [image, video]
  - name: trash-untouched-mediapocket
    provider: mediapocket
    action: trash
    when:
      notUpdatedForDays: 180     # by provider_updated_at, else last change the catalog saw
      category: [sample]
      tagsAny: [campaign-2023]
      tagsNone: [evergreen]
  - name: delete-failed-roughy
    provider: roughy
    action: delete
    when:
      status: [failed]
      olderThanDays: 7
`;

function problemsOf(text: string, file = 'retention.yaml'): string[] {
  try {
    parseRetentionRules(text, file, builtinProviderRegistry);
  } catch (error) {
    expect(error).toBeInstanceOf(RetentionRulesError);
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as RetentionRulesError).problems];
  }
  throw new Error('the rules were accepted');
}

const rule = (body: string) => `rules:\n  - name: r1\n${body}`;

describe('parseRetentionRules', () => {
  it('reads the example of CONTRACT.md exactly', () => {
    const parsed = parseRetentionRules(CONTRACT_EXAMPLE, 'retention.yaml', builtinProviderRegistry);
    expect(parsed.safety).toEqual({ maxActionsPerRun: 100, maxCatalogFraction: 0.1, maxSyncAgeMinutes: 1440, protectedTags: ['legal-hold'] });
    expect(parsed.rules).toEqual([
      { name: 'archive-stale-affogato', provider: 'affogato', action: 'archive', when: { olderThanDays: 30, status: ['active'], kind: ['image', 'video'] }, line: 7 },
      {
        name: 'trash-untouched-mediapocket',
        provider: 'mediapocket',
        action: 'trash',
        when: { notUpdatedForDays: 180, category: ['sample'], tagsAny: ['campaign-2023'], tagsNone: ['evergreen'] },
        line: 14,
      },
      { name: 'delete-failed-roughy', provider: 'roughy', action: 'delete', when: { status: ['failed'], olderThanDays: 7 }, line: 22 },
    ]);
  });

  it('reads the same rules from JSON, and fills in the documented safety defaults', () => {
    const json = JSON.stringify({ rules: [{ name: 'j', provider: 'roughy', action: 'delete', when: { status: ['failed'] } }] }, null, 2);
    const parsed = parseRetentionRules(json, 'retention.json', builtinProviderRegistry);
    expect(parsed.safety).toEqual({ maxActionsPerRun: 100, maxCatalogFraction: 0.1, maxSyncAgeMinutes: 1440, protectedTags: [] });
    expect(parsed.rules[0]).toMatchObject({ name: 'j', provider: 'roughy', action: 'delete', when: { status: ['failed'] }, line: 3 });
  });

  it('accepts a file with no rules', () => {
    expect(parseRetentionRules('rules: []\n', 'retention.yaml', builtinProviderRegistry).rules).toEqual([]);
  });

  // Each bad file: the one problem it must be reported with (file, line, rule and what is wrong).
  const badFiles: Array<{ what: string; text: string; file?: string; expected: string[] }> = [
    {
      what: 'a misspelt condition',
      text: rule('    provider: affogato\n    action: archive\n    when:\n      olderThenDays: 30\n'),
      expected: ['retention.yaml line 6: rule "r1": unknown condition "olderThenDays" (did you mean "olderThanDays"?)'],
    },
    {
      what: 'an unknown condition',
      text: rule('    provider: affogato\n    action: archive\n    when:\n      colour: [red]\n'),
      expected: ['retention.yaml line 6: rule "r1": unknown condition "colour" (expected one of olderThanDays, notUpdatedForDays, status, kind, category, tagsAny, tagsNone)'],
    },
    {
      what: 'an unknown provider',
      text: rule('    provider: affogatto\n    action: archive\n    when: {status: [active]}\n'),
      expected: ['retention.yaml line 3: rule "r1": unknown provider "affogatto" (did you mean "affogato"?): "provider" must be one of affogato, mediapocket, roughy'],
    },
    {
      what: 'an unknown action',
      text: rule('    provider: roughy\n    action: purge\n    when: {status: [failed]}\n'),
      expected: ['retention.yaml line 4: rule "r1": unknown action "purge": "action" must be one of archive, trash, delete'],
    },
    {
      what: 'an action the provider does not support',
      text: rule('    provider: mediapocket\n    action: delete\n    when: {olderThanDays: 30}\n'),
      expected: ['retention.yaml line 4: rule "r1": mediapocket does not support "delete": its retention action is "trash"'],
    },
    {
      what: 'archive at Roughy',
      text: rule('    provider: roughy\n    action: archive\n    when: {olderThanDays: 30}\n'),
      expected: ['retention.yaml line 4: rule "r1": roughy does not support "archive": its retention action is "delete"'],
    },
    {
      what: 'a number given as text',
      text: rule('    provider: roughy\n    action: delete\n    when:\n      olderThanDays: "30"\n'),
      expected: ['retention.yaml line 6: rule "r1": "olderThanDays" must be a whole number of days, at least 1 (got "30")'],
    },
    {
      what: 'a fractional number of days',
      text: rule('    provider: roughy\n    action: delete\n    when:\n      olderThanDays: 1.5\n'),
      expected: ['retention.yaml line 6: rule "r1": "olderThanDays" must be a whole number of days, at least 1 (got 1.5)'],
    },
    {
      what: 'zero days',
      text: rule('    provider: roughy\n    action: delete\n    when:\n      notUpdatedForDays: 0\n'),
      expected: ['retention.yaml line 6: rule "r1": "notUpdatedForDays" must be a whole number of days, at least 1 (got 0)'],
    },
    {
      what: 'a single value where a list belongs',
      text: rule('    provider: roughy\n    action: delete\n    when:\n      status: failed\n'),
      expected: ['retention.yaml line 6: rule "r1": "status" must be a non-empty list of statuses, e.g. [active] (got "failed")'],
    },
    {
      what: 'an empty list',
      text: rule('    provider: roughy\n    action: delete\n    when:\n      status: []\n'),
      expected: ['retention.yaml line 6: rule "r1": "status" must be a non-empty list of statuses, e.g. [active] (got a list)'],
    },
    {
      what: 'a rule with no condition (it would match everything)',
      text: rule('    provider: roughy\n    action: delete\n    when: {}\n'),
      expected: ['retention.yaml line 5: rule "r1": "when" names no condition: a rule must name at least one (olderThanDays, notUpdatedForDays, status, kind, category, tagsAny, tagsNone)'],
    },
    {
      what: 'a rule without "when"',
      text: rule('    provider: roughy\n    action: delete\n'),
      expected: ['retention.yaml line 2: rule "r1": missing "when" (a mapping of conditions (olderThanDays, notUpdatedForDays, status, kind, category, tagsAny, tagsNone))'],
    },
    {
      what: 'a rule without an action (no default action exists)',
      text: rule('    provider: roughy\n    when: {status: [failed]}\n'),
      expected: ['retention.yaml line 2: rule "r1": missing "action" (one of archive, trash, delete)'],
    },
    {
      what: 'a rule without a provider',
      text: rule('    action: delete\n    when: {status: [failed]}\n'),
      expected: ['retention.yaml line 2: rule "r1": missing "provider" (one of affogato, mediapocket, roughy)'],
    },
    {
      what: 'a rule without a name',
      text: 'rules:\n  - provider: roughy\n    action: delete\n    when: {status: [failed]}\n',
      expected: ['retention.yaml line 2: rule 1: missing "name" (a non-empty text)'],
    },
    {
      what: 'tags at a provider whose API has none',
      text: rule('    provider: affogato\n    action: archive\n    when:\n      tagsNone: [keep]\n'),
      expected: ['retention.yaml line 6: rule "r1": condition "tagsNone" cannot apply to affogato: its API exposes no tags, so the catalog has none to match'],
    },
    {
      what: 'a category at a provider whose API has none',
      text: rule('    provider: roughy\n    action: delete\n    when:\n      category: [sample]\n'),
      expected: ['retention.yaml line 6: rule "r1": condition "category" cannot apply to roughy: its API exposes no category, so the catalog has none to match'],
    },
    {
      what: 'a kind the provider does not have',
      text: rule('    provider: roughy\n    action: delete\n    when:\n      kind: [image]\n'),
      expected: ["retention.yaml line 6: rule \"r1\": kind \"image\" is not one of roughy's kinds (audio, video)"],
    },
    {
      what: 'a misspelt documented status',
      text: rule('    provider: affogato\n    action: archive\n    when:\n      status: [actve]\n'),
      expected: [
        'retention.yaml line 6: rule "r1": status "actve" is not one of affogato\'s statuses (active, archive, pending, censored, processing) (did you mean "active"?)',
      ],
    },
    {
      what: 'two rules with one name',
      text: `${rule('    provider: roughy\n    action: delete\n    when: {status: [failed]}\n')}  - name: r1\n    provider: roughy\n    action: delete\n    when: {olderThanDays: 9}\n`,
      expected: ['retention.yaml line 6: rule "r1": the name is already used by the rule on line 2'],
    },
    {
      what: 'an unknown safety setting',
      text: 'safety:\n  maxActions: 5\nrules: []\n',
      expected: ['retention.yaml line 2: safety: unknown safety setting "maxActions" (did you mean "maxActionsPerRun"?)'],
    },
    {
      what: 'a fraction over 1',
      text: 'safety:\n  maxCatalogFraction: 10\nrules: []\n',
      expected: ['retention.yaml line 2: safety: "maxCatalogFraction" must be a number greater than 0 and at most 1 (got 10)'],
    },
    {
      what: 'a negative cap',
      text: 'safety:\n  maxActionsPerRun: -1\nrules: []\n',
      expected: ['retention.yaml line 2: safety: "maxActionsPerRun" must be a whole number, 0 or more (got -1)'],
    },
    {
      what: 'protected tags as text',
      text: 'safety:\n  protectedTags: legal-hold\nrules: []\n',
      expected: ['retention.yaml line 2: safety: "protectedTags" must be a list of tags, e.g. [legal-hold] (got "legal-hold")'],
    },
    {
      what: 'an unknown top-level key',
      text: 'rules: []\nrule: []\n',
      expected: ['retention.yaml line 2: unknown top-level key "rule" (did you mean "rules"?)'],
    },
    {
      what: 'no "rules" key',
      text: 'safety:\n  maxActionsPerRun: 5\n',
      expected: ['retention.yaml line 1: missing "rules" (a list of rules)'],
    },
    {
      what: 'rules as a mapping',
      text: 'rules:\n  name: r1\n',
      expected: ['retention.yaml line 2: "rules" must be a list of rules (got a mapping)'],
    },
    {
      what: 'a list at the top',
      text: '- name: r1\n',
      expected: ['retention.yaml line 1: the file must be a mapping with "rules" (and optionally "safety"), not a list'],
    },
    {
      what: 'an empty file',
      text: '# nothing yet\n',
      expected: ['retention.yaml line 1: the file is empty: expected "rules:" (and optionally "safety:")'],
    },
    {
      what: 'a duplicate key',
      text: rule('    provider: roughy\n    provider: affogato\n    action: delete\n    when: {status: [failed]}\n'),
      expected: ['retention.yaml line 4: Map keys must be unique'],
    },
    {
      what: 'broken YAML',
      text: 'rules:\n  - name: [unclosed\n',
      expected: ['retention.yaml line 3: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    },
    {
      what: 'broken JSON',
      file: 'retention.json',
      text: '{\n  "rules": [\n    {"name": "x",}\n  ]\n',
      expected: ['retention.json line 5: Flow map must end with a }'],
    },
  ];

  for (const bad of badFiles) {
    it(`rejects ${bad.what}`, () => {
      const problems = problemsOf(bad.text, bad.file);
      expect(problems).toEqual(bad.expected);
    });
  }

  it('reports every problem of a file at once, in line order', () => {
    const text = [
      'safety:',
      '  maxSyncAgeMinutes: soon',
      'rules:',
      '  - name: a',
      '    provider: affogato',
      '    action: trash',
      '    when: {olderThanDays: 3}',
      '  - name: b',
      '    provider: roughy',
      '    action: delete',
      '    when: {stauts: [failed]}',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'retention.yaml line 2: safety: "maxSyncAgeMinutes" must be a whole number of minutes, at least 1 (got "soon")',
      'retention.yaml line 6: rule "a": affogato does not support "trash": its retention action is "archive"',
      'retention.yaml line 11: rule "b": unknown condition "stauts" (did you mean "status"?)',
    ]);
  });

  it('keeps YAML 1.1 words as text: "no" is a status, not false', () => {
    const parsed = parseRetentionRules(rule('    provider: mediapocket\n    action: trash\n    when:\n      status: [no, on]\n'), 'r.yaml', builtinProviderRegistry);
    expect(parsed.rules[0]?.when.status).toEqual(['no', 'on']);
  });
});
