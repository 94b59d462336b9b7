/**
 * The worker's processes as an operator runs them: `bin/asset-worker.js <command>` with an explicit environment,
 * every byte of output kept (in memory and in a log file per process) for the verdict's evidence.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { emptyWorkDir, startCli, type CliResult } from '../test/support/cli.ts';
import { GiveUp, until, within } from './wait.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

export class WorkerProcess {
  readonly startedAt = Date.now();
  readonly exited: Promise<Exit>;
  readonly pid: number | undefined;
  private text = '';
  private exit: Exit | undefined;
  private readonly log: WriteStream;
  private readonly child;

  constructor(
    readonly label: string,
    readonly args: string[],
    env: Record<string, string>,
    logDir: string,
  ) {
    this.log = createWriteStream(path.join(logDir, `${label}.log`));
    this.log.write(`$ asset-worker ${args.join(' ')}\n`);
    const running = startCli(args, env, emptyWorkDir());
    this.child = running.child;
    this.pid = running.child.pid;
    const collect = (chunk: Buffer) => {
      this.text += chunk.toString();
      this.log.write(chunk);
    };
    running.child.stdout?.on('data', collect);
    running.child.stderr?.on('data', collect);
    this.exited = running.result.then((result: CliResult) => {
      this.exit = { code: result.code, signal: result.signal, at: Date.now() };
      this.log.end(`\n[exit code ${result.code} signal ${result.signal}]\n`);
      return this.exit;
    });
  }

  /** stdout and stderr interleaved as they arrived */
  output(): string {
    return this.text;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL and wait for the exit */
  async killHard(): Promise<Exit> {
    this.kill('SIGKILL');
    return this.exited;
  }

  /** the first match of `pattern` in the output; fails early, with the output, if the process exits first */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return until(
      async () => {
        const match = pattern.exec(this.text);
        if (match !== null) return match;
        if (!this.running) throw new GiveUp(`${this.label} exited (${this.describeExit()}) before printing ${pattern}`);
        return undefined;
      },
      { timeoutMs, pollMs: 50, what: `${this.label} printing ${pattern}` },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${this.tail()}`);
    });
  }

  /** waits for the exit; a process still running after `timeoutMs` is killed and reported as such */
  async finish(timeoutMs: number): Promise<Exit> {
    const exit = await within(this.exited, timeoutMs);
    if (exit !== undefined) return exit;
    await this.killHard();
    throw new Error(`${this.label} still running after ${Math.round(timeoutMs / 1000)} s (killed)\n${this.tail()}`);
  }

  describeExit(): string {
    if (this.exit === undefined) return 'running';
    return this.exit.signal !== null ? `signal ${this.exit.signal}` : `exit ${this.exit.code}`;
  }

  /** the last lines of output, for a failure's evidence */
  tail(lines = 12): string {
    const all = this.text.trimEnd().split('\n');
    return all
      .slice(-lines)
      .map((line) => `    ${this.label}| ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`)
      .join('\n');
  }

  /** output lines matching `pattern` (log evidence) */
  lines(pattern: RegExp): string[] {
    return this.text.split('\n').filter((line) => pattern.test(line));
  }
}
