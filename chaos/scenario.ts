/** What a scenario is: a name, whether the reduced set (run by `npm test`) includes it, and its run. */
import type { Stage } from './harness.ts';
import type { Verdict } from './verdict.ts';

export interface Scenario {
  /** the name `--only` takes and the table shows */
  name: string;
  /** one line: the fault and what must hold */
  summary: string;
  /** part of the reduced set (`--reduced`, and test/chaos.test.ts) */
  reduced: boolean;
  /**
   * Causes the fault, waits for the work to complete again, then checks. Records failures in the verdict; a
   * thrown error is a failure too (with its message as the evidence).
   */
  run(stage: Stage, verdict: Verdict): Promise<void>;
}
