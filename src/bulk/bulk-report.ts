/** A bulk operation as the command line shows it: counts by state and outcome, then the failures. */
import { formatTable } from '../util/text-table.ts';
import type { BulkItem, BulkOperation, ItemState } from '../db/bulk.repository.ts';

export function describeOperation(operation: BulkOperation): string {
  const what = operation.action === 'dag' ? `dag (DAG action ${operation.dagActionId ?? '?'})` : operation.action;
  const finished = operation.finishedAt === null ? '' : `, finished ${operation.finishedAt.toISOString()}`;
  return `bulk operation ${operation.id}: ${what} at ${operation.provider}, ${operation.total} items, ${operation.state} (created ${operation.createdAt.toISOString()}${finished})`;
}

export function formatCounts(counts: Record<ItemState, number>): string {
  return `${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.pending + counts.in_flight} to do`;
}

export function formatOperationReport(
  operation: BulkOperation,
  outcomes: ReadonlyArray<{ state: string; outcome: string | null; count: number }>,
  failures: readonly BulkItem[],
  failedTotal: number,
): string[] {
  const lines = [describeOperation(operation), '', formatTable(['state', 'outcome', 'items'], outcomes.map((row) => [row.state, row.outcome, row.count]))];
  if (failures.length > 0) {
    const shown = failures.length < failedTotal ? ` (first ${failures.length} of ${failedTotal})` : '';
    lines.push('', `failures${shown}:`, formatTable(['position', 'asset', 'attempts', 'error'], failures.map((item) => [item.position + 1, item.assetId, item.attempts, item.error])));
  }
  return lines;
}
