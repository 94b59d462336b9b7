/**
 * What one scenario found: failures (each with its evidence), notes, and the time to recover, measured from the
 * moment the fault ended to the moment the interrupted work was complete again.
 */
export class Verdict {
  readonly failures: string[] = [];
  readonly notes: string[] = [];
  recoverMs: number | null = null;

  expect(ok: boolean, message: string): boolean {
    if (!ok) this.failures.push(message);
    return ok;
  }

  fail(message: string): void {
    this.failures.push(message);
  }

  /** every problem a check returned, under one heading */
  problems(heading: string, problems: readonly string[]): boolean {
    for (const problem of problems) this.failures.push(`${heading}: ${problem}`);
    return problems.length === 0;
  }

  note(message: string): void {
    this.notes.push(message);
  }

  recovered(faultEndedAt: number, workCompleteAt: number): void {
    this.recoverMs = Math.max(0, workCompleteAt - faultEndedAt);
  }

  get passed(): boolean {
    return this.failures.length === 0;
  }
}
