/** The suite's printed result: each failure's evidence, a table, and the last line `N passed, M failed`. */
import type { ScenarioResult } from './suite.ts';

function seconds(ms: number | null): string {
  return ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatReport(results: readonly ScenarioResult[]): string {
  const out: string[] = [];
  for (const result of results) {
    if (result.failures.length === 0) continue;
    out.push(`FAILED ${result.name} (logs: ${result.logDir})`);
    for (const failure of result.failures) out.push(`  - ${failure.replaceAll('\n', '\n    ')}`);
    out.push('');
  }
  out.push(
    table(
      ['scenario', 'outcome', 'time to recover', 'took', 'notes'],
      results.map((result) => [
        result.name,
        result.failures.length === 0 ? 'passed' : 'FAILED',
        seconds(result.recoverMs),
        seconds(result.durationMs),
        truncate(result.notes.join('; '), 160),
      ]),
    ),
  );
  const passed = results.filter((result) => result.failures.length === 0).length;
  out.push('', `${passed} passed, ${results.length - passed} failed`);
  return out.join('\n');
}
