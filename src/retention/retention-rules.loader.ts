/**
 * Reads the rules file named by RETENTION_RULES. A missing default file means "no rules"; a missing file that
 * was named explicitly is a configuration error, as is any problem inside a file (exit status 2).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import { parseRetentionRules } from '../domain/retention-rules.parse.ts';
import type { RetentionRules } from '../domain/retention-rules.ts';
import { ConfigError } from '../errors.ts';
import type { ProviderFactsLookup } from '../domain/provider-facts.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';

export type LoadedRules =
  | { kind: 'none'; path: string }
  | { kind: 'rules'; path: string; digest: string; rules: RetentionRules };

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

export async function loadRetentionRules(
  config: Pick<Config, 'retentionRulesPath' | 'retentionRulesExplicit'>,
  cwd: string,
  providers: ProviderFactsLookup = builtinProviderRegistry,
): Promise<LoadedRules> {
  const path = config.retentionRulesPath;
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT') && !config.retentionRulesExplicit) return { kind: 'none', path };
    const why = isErrno(error, 'ENOENT') ? 'does not exist' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new ConfigError(`RETENTION_RULES: the rules file ${path} ${why}`);
  }
  const rules = parseRetentionRules(text, path, providers);
  return { kind: 'rules', path, digest: createHash('sha256').update(text).digest('hex'), rules };
}
