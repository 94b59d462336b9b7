/**
 * Reads a retention rules file (YAML, or JSON, which the same parser reads) into RetentionRules, strictly:
 * every unknown key, provider, action or condition, every wrong type and every rule that cannot apply to its
 * provider is a RetentionRulesError naming the file, the line and the rule. Nothing is defaulted that could act:
 * a rule must name its provider, its action and at least one condition. Pure: the caller reads the file.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { requireFacts, type ProviderFactsLookup } from './provider-facts.ts';
import {
  CONDITION_NAMES,
  RETENTION_ACTIONS,
  SAFETY_DEFAULTS,
  type RetentionConditions,
  type RetentionRule,
  type RetentionRules,
} from './retention-rules.ts';

export class RetentionRulesError extends ConfigError {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RetentionRulesError';
    this.problems = problems;
  }
}

const nonEmptyText = z.string().trim().min(1);
const valueList = z.array(nonEmptyText).min(1);
const days = z.int().min(1);

const conditionsSchema = z.strictObject({
  olderThanDays: days.optional(),
  notUpdatedForDays: days.optional(),
  status: valueList.optional(),
  kind: valueList.optional(),
  category: valueList.optional(),
  tagsAny: valueList.optional(),
  tagsNone: valueList.optional(),
});

/** A rule names one of the registered providers. */
function ruleSchemaFor(providerNames: readonly string[]) {
  return z.strictObject({
    name: nonEmptyText,
    provider: z.string().refine((value) => providerNames.includes(value)),
    action: z.enum(RETENTION_ACTIONS),
    when: conditionsSchema,
  });
}
type ParsedRule = z.infer<ReturnType<typeof ruleSchemaFor>>;

const safetySchema = z.strictObject({
  maxActionsPerRun: z.int().min(0).optional(),
  maxCatalogFraction: z.number().gt(0).max(1).optional(),
  maxSyncAgeMinutes: z.int().min(1).optional(),
  protectedTags: z.array(nonEmptyText).optional(),
});

function fileSchemaFor(ruleSchema: ReturnType<typeof ruleSchemaFor>) {
  return z.strictObject({
    safety: safetySchema.optional(),
    rules: z.array(ruleSchema),
  });
}

/** What each key must hold, in the words the error messages use (the provider's: see expectedOf). */
const EXPECTED: Record<string, string> = {
  safety: 'a mapping of safety settings',
  rules: 'a list of rules',
  maxActionsPerRun: 'a whole number, 0 or more',
  maxCatalogFraction: 'a number greater than 0 and at most 1',
  maxSyncAgeMinutes: 'a whole number of minutes, at least 1',
  protectedTags: 'a list of tags, e.g. [legal-hold]',
  name: 'a non-empty text',
  action: `one of ${RETENTION_ACTIONS.join(', ')}`,
  when: `a mapping of conditions (${CONDITION_NAMES.join(', ')})`,
  olderThanDays: 'a whole number of days, at least 1',
  notUpdatedForDays: 'a whole number of days, at least 1',
  status: 'a non-empty list of statuses, e.g. [active]',
  kind: 'a non-empty list of kinds, e.g. [image, video]',
  category: 'a non-empty list of categories, e.g. [sample]',
  tagsAny: 'a non-empty list of tags',
  tagsNone: 'a non-empty list of tags',
};

const KNOWN_KEYS = {
  top: ['safety', 'rules'],
  safety: ['maxActionsPerRun', 'maxCatalogFraction', 'maxSyncAgeMinutes', 'protectedTags'],
  rule: ['name', 'provider', 'action', 'when'],
  when: [...CONDITION_NAMES],
} as const;

type PathSegment = string | number;

interface Problem {
  line: number;
  text: string;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** The known word a typo most likely meant: a few letters off, or the start of it. */
function suggestion(word: string, known: readonly string[]): string {
  const typed = word.toLowerCase();
  const close = known
    .map((candidate) => ({ candidate, distance: editDistance(typed, candidate.toLowerCase()) }))
    .filter(({ candidate, distance }) => distance <= Math.max(2, Math.floor(word.length / 4)) || (typed.length >= 4 && candidate.toLowerCase().startsWith(typed)))
    .sort((a, b) => a.distance - b.distance)[0];
  return close === undefined ? '' : ` (did you mean "${close.candidate}"?)`;
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value) ?? String(value);
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Finds the lines of a YAML document's nodes by path. */
class LineFinder {
  constructor(
    private readonly doc: Document,
    private readonly counter: LineCounter,
  ) {}

  private lineOf(offset: number): number {
    return this.counter.linePos(offset).line;
  }

  /** The line of the deepest node on `path` that exists; with `key`, the line of that key inside it. */
  line(path: readonly PathSegment[], key?: string): number {
    let node: unknown = this.doc.contents;
    let line = 1;
    const note = (candidate: unknown) => {
      const range = (candidate as { range?: [number, number, number] | null } | null)?.range;
      if (range) line = this.lineOf(range[0]);
    };
    note(node);
    const segments = key === undefined ? path : [...path, key];
    for (const [index, segment] of segments.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
        if (pair === undefined) break;
        note(pair.key);
        // a key asked for by name is reported on its own line, not its value's
        if (key !== undefined && index === segments.length - 1) break;
        node = pair.value;
        note(node);
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        if (node === undefined) break;
        note(node);
      } else {
        break;
      }
    }
    return line;
  }
}

class ProblemList {
  private readonly problems: Problem[] = [];

  constructor(
    private readonly fileName: string,
    private readonly data: unknown,
    private readonly lines: LineFinder,
  ) {}

  /** `rule "name": ` for anything under rules[i], `safety: ` under safety, nothing at the top. */
  private context(path: readonly PathSegment[]): string {
    if (path[0] === 'rules' && typeof path[1] === 'number') {
      const name = valueAt(this.data, ['rules', path[1], 'name']);
      return typeof name === 'string' && name.trim() !== '' ? `rule "${name}": ` : `rule ${path[1] + 1}: `;
    }
    if (path[0] === 'safety') return 'safety: ';
    return '';
  }

  add(path: readonly PathSegment[], text: string, key?: string): void {
    this.problems.push({ line: this.lines.line(path, key), text: `${this.context(path)}${text}` });
  }

  get size(): number {
    return this.problems.length;
  }

  /** One message per problem, in file order, each naming the file and the line. */
  messages(): string[] {
    const ordered = [...this.problems].sort((a, b) => a.line - b.line);
    return [...new Set(ordered.map((problem) => `${this.fileName} line ${problem.line}: ${problem.text}`))];
  }
}

function knownKeysAt(path: readonly PathSegment[]): { what: string; keys: readonly string[] } {
  if (path.length === 0) return { what: 'top-level key', keys: KNOWN_KEYS.top };
  if (path[0] === 'safety') return { what: 'safety setting', keys: KNOWN_KEYS.safety };
  if (path[0] === 'rules' && path.length === 2) return { what: 'rule key', keys: KNOWN_KEYS.rule };
  return { what: 'condition', keys: KNOWN_KEYS.when };
}

function expectedOf(field: string, providerNames: readonly string[]): string | undefined {
  return field === 'provider' ? `one of ${providerNames.join(', ')}` : EXPECTED[field];
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown, problems: ProblemList, providerNames: readonly string[]): void {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const { what, keys } = knownKeysAt(path);
    for (const key of issue.keys) {
      const expected = ` (expected one of ${keys.join(', ')})`;
      const hint = suggestion(key, keys);
      problems.add(path, `unknown ${what} "${key}"${hint === '' ? expected : hint}`, key);
    }
    return;
  }
  const value = valueAt(data, path);
  const last = path[path.length - 1];
  if (path.length === 0) {
    problems.add(path, `the file must be a mapping with "rules" (and optionally "safety"), not ${show(value)}`);
    return;
  }
  if (typeof last === 'number') {
    const parent = path[path.length - 2];
    if (parent === 'rules') {
      problems.add(path, `each rule must be a mapping with name, provider, action and when, not ${show(value)}`);
      return;
    }
    const field = String(parent);
    problems.add(path, `"${field}" must be ${expectedOf(field, providerNames) ?? 'valid'}: item ${last + 1} is ${show(value)}`);
    return;
  }
  const field = String(last);
  if (value === undefined) {
    problems.add(path.slice(0, -1), `missing "${field}" (${expectedOf(field, providerNames) ?? 'required'})`);
    return;
  }
  if ((field === 'provider' || field === 'action') && typeof value === 'string') {
    const known = field === 'provider' ? providerNames : RETENTION_ACTIONS;
    problems.add(path, `unknown ${field} "${value}"${suggestion(value, known)}: "${field}" must be ${expectedOf(field, providerNames)}`);
    return;
  }
  problems.add(path, `"${field}" must be ${expectedOf(field, providerNames) ?? 'valid'} (got ${show(value)})`);
}

/** Checks a structurally valid rule against what its provider's catalog can be matched on. */
function checkRuleFitsProvider(rule: ParsedRule, index: number, problems: ProblemList, providers: ProviderFactsLookup): void {
  const path = ['rules', index];
  const profile = requireFacts(providers, rule.provider).retention;
  if (rule.action !== profile.action) {
    problems.add(path, `${rule.provider} does not support "${rule.action}": its retention action is "${profile.action}"`, 'action');
  }
  const conditions = Object.keys(rule.when);
  if (conditions.length === 0) {
    problems.add(path, `"when" names no condition: a rule must name at least one (${CONDITION_NAMES.join(', ')})`, 'when');
  }
  const whenPath = [...path, 'when'];
  for (const condition of ['category', 'tagsAny', 'tagsNone'] as const) {
    if (rule.when[condition] === undefined) continue;
    const available = condition === 'category' ? profile.hasCategory : profile.hasTags;
    if (!available) {
      const what = condition === 'category' ? 'category' : 'tags';
      problems.add(whenPath, `condition "${condition}" cannot apply to ${rule.provider}: its API exposes no ${what}, so the catalog has none to match`, condition);
    }
  }
  for (const kind of rule.when.kind ?? []) {
    if (!profile.kinds.includes(kind)) {
      problems.add(whenPath, `kind "${kind}" is not one of ${rule.provider}'s kinds (${profile.kinds.join(', ')})${suggestion(kind, profile.kinds)}`, 'kind');
    }
  }
  for (const status of rule.when.status ?? []) {
    if (profile.statuses !== undefined && !profile.statuses.includes(status)) {
      problems.add(whenPath, `status "${status}" is not one of ${rule.provider}'s statuses (${profile.statuses.join(', ')})${suggestion(status, profile.statuses)}`, 'status');
    }
  }
}

function parseText(text: string, fileName: string): { doc: Document; counter: LineCounter } {
  const counter = new LineCounter();
  // YAML 1.2 core schema: "no", "on" and friends stay strings; duplicate keys are errors
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true, merge: false });
  const syntax = doc.errors.map((error) => `${fileName} line ${counter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`);
  if (syntax.length > 0) throw new RetentionRulesError(syntax);
  return { doc, counter };
}

/** `providers`: the provider registry, whose retention profiles say what a rule may ask of each provider. */
export function parseRetentionRules(text: string, fileName: string, providers: ProviderFactsLookup): RetentionRules {
  const ruleSchema = ruleSchemaFor(providers.names);
  const fileSchema = fileSchemaFor(ruleSchema);
  const { doc, counter } = parseText(text, fileName);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new RetentionRulesError([`${fileName} line 1: the file is empty: expected "rules:" (and optionally "safety:")`]);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const finder = new LineFinder(doc, counter);
  const problems = new ProblemList(fileName, data, finder);
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) for (const issue of parsed.error.issues) describeIssue(issue, data, problems, providers.names);

  // rules that are well-formed on their own are checked against their provider even when another rule is not,
  // so one run of the command reports every problem of the file
  const listed = valueAt(data, ['rules']);
  const names = new Map<string, number>();
  (Array.isArray(listed) ? listed : []).forEach((candidate, index) => {
    const rule = ruleSchema.safeParse(candidate);
    if (!rule.success) return;
    const earlier = names.get(rule.data.name);
    if (earlier === undefined) names.set(rule.data.name, index);
    else problems.add(['rules', index], `the name is already used by the rule on line ${finder.line(['rules', earlier])}`, 'name');
    checkRuleFitsProvider(rule.data, index, problems, providers);
  });
  if (!parsed.success || problems.size > 0) throw new RetentionRulesError(problems.messages());

  const safety = parsed.data.safety ?? {};
  const rules: RetentionRule[] = parsed.data.rules.map((rule, index) => {
    const when: RetentionConditions = {};
    for (const [name, value] of Object.entries(rule.when)) if (value !== undefined) Object.assign(when, { [name]: value });
    return { name: rule.name, provider: rule.provider, action: rule.action, when, line: finder.line(['rules', index]) };
  });
  return {
    safety: {
      maxActionsPerRun: safety.maxActionsPerRun ?? SAFETY_DEFAULTS.maxActionsPerRun,
      maxCatalogFraction: safety.maxCatalogFraction ?? SAFETY_DEFAULTS.maxCatalogFraction,
      maxSyncAgeMinutes: safety.maxSyncAgeMinutes ?? SAFETY_DEFAULTS.maxSyncAgeMinutes,
      protectedTags: [...(safety.protectedTags ?? SAFETY_DEFAULTS.protectedTags)],
    },
    rules,
  };
}
