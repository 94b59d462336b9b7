/**
 * Runs the real CLI (`bin/asset-worker.js`) in a child process with an explicit environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/asset-worker.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  result: Promise<CliResult>;
}

/** A working directory without a .env, so only the given environment counts. */
export function emptyWorkDir(): string {
  return mkdtempSync(join(tmpdir(), 'alw-cli-'));
}

/** `entry`: node's arguments before the CLI's own (default: the bin script). */
export function startCli(args: string[], env: Record<string, string>, cwd = emptyWorkDir(), entry: string[] = [BIN]): RunningCli {
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // decoded as a stream: a character split between two chunks (an emoji in an export) stays whole
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const result = new Promise<CliResult>((resolvePromise) => {
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  return { child, result };
}

export function runCli(args: string[], env: Record<string, string>, cwd?: string, entry?: string[]): Promise<CliResult> {
  return startCli(args, env, cwd, entry).result;
}
