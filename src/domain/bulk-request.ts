/**
 * What a bulk request may ask for, and reading its ids. Pure: the command hands in the text, gets ids or a
 * InvalidRequestError naming what is wrong (and where).
 */
import { InvalidRequestError } from '../errors.ts';
import { requireFacts, type ProviderFactsLookup, type ProviderName } from './provider-facts.ts';
import { BULK_ACTIONS, isBulkAction, type BulkAction } from './action-names.ts';

export { BULK_ACTIONS, isAssetAction, isBulkAction, type BulkAction } from './action-names.ts';

/** Ids as the providers hand them out: letters, digits and a few separators, no spaces or commas. */
const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
const MAX_ID_LENGTH = 200;

export function isValidId(value: string): boolean {
  return value.length <= MAX_ID_LENGTH && ID_PATTERN.test(value);
}

export interface BulkRequest {
  provider: ProviderName;
  action: BulkAction;
  dagActionId: string | null;
}

/** Checks the request against the registered providers' bulk actions (`providers`: the provider registry). */
export function validateBulkRequest(
  action: string,
  provider: string | undefined,
  dagActionId: string | undefined,
  providers: ProviderFactsLookup,
): BulkRequest {
  if (!isBulkAction(action)) throw new InvalidRequestError(`unknown bulk action "${action}" (expected one of ${BULK_ACTIONS.join(', ')})`);
  if (provider === undefined) throw new InvalidRequestError('--provider is required');
  const allowed = requireFacts(providers, provider).bulkActions;
  if (!allowed.includes(action)) {
    throw new InvalidRequestError(`${provider} does not support "${action}" (it supports: ${allowed.join(', ')})`);
  }
  if (action === 'dag') {
    if (dagActionId === undefined) throw new InvalidRequestError('bulk dag needs --action ID (the DAG action to run on each asset)');
    if (!isValidId(dagActionId)) throw new InvalidRequestError(`--action "${dagActionId}" is not a valid DAG action id`);
    return { provider, action, dagActionId };
  }
  if (dagActionId !== undefined) throw new InvalidRequestError(`--action is only for "bulk dag", not "${action}"`);
  return { provider, action, dagActionId: null };
}

/** `--ids a,b,c`: commas separate; spaces around an id are forgiven, an empty entry is not. */
export function parseIdList(text: string): string[] {
  const parts = text.split(',').map((part) => part.trim());
  const ids: string[] = [];
  parts.forEach((part, index) => {
    if (part === '') {
      if (parts.length === 1) return;
      throw new InvalidRequestError(`--ids: entry ${index + 1} is empty`);
    }
    if (!isValidId(part)) throw new InvalidRequestError(`--ids: entry ${index + 1} ("${part}") is not a valid asset id`);
    ids.push(part);
  });
  if (ids.length === 0) throw new InvalidRequestError('--ids names no asset');
  return ids;
}

/** `--ids-file`: one id per line; blank lines and lines starting with # are ignored. */
export function parseIdsFile(text: string, fileName: string): string[] {
  const ids: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!isValidId(line)) {
      const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
      throw new InvalidRequestError(`${fileName}:${index + 1}: "${shown}" is not one asset id (one id per line; no spaces or commas)`);
    }
    ids.push(line);
  });
  if (ids.length === 0) throw new InvalidRequestError(`${fileName} names no asset`);
  return ids;
}
