/**
 * A process manager stops `start` by sending SIGTERM to the one process it launched. Each documented launch path
 * that runs here is stopped that way: the worker must stop gracefully, the launcher exit as the README says,
 * and no process of the launch be left behind. Every process of a launch carries a marker in its environment,
 * so survivors are found in /proc whatever they are called.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, inject, it, type ExpectStatic } from 'vitest';
import { dropDatabase } from '../src/db/migrate.ts';
import { waitFor } from './support/catalog.ts';
import { BIN, emptyWorkDir } from './support/cli.ts';
import { clearPrefix, redisUrl, testQueuePrefix, uniqueName } from './support/services.ts';

const ROOT = resolve(import.meta.dirname, '..');
const MARK_VARIABLE = 'ALW_LAUNCH_MARK';

interface Launch {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** resolves when every process holding the output pipes has ended, orphans included */
  outputClosed: Promise<void>;
  output: () => string;
  pid: number;
  mark: string;
}

/** Pids of the live processes whose environment carries the launch's marker. */
function markedProcesses(mark: string): number[] {
  const needle = `${MARK_VARIABLE}=${mark}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // a zombie's environ reads empty: it is gone but for its exit status
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(needle)) found.push(Number(entry));
    } catch {
      // the process ended while the list was read
    }
  }
  return found;
}

// the launches run side by side: each waits mostly on its own boot
describe.concurrent('launch paths: SIGTERM to the launched process', () => {
  const prefix = testQueuePrefix();
  let databaseUrl: string;
  let env: Record<string, string>;

  beforeAll(() => {
    // a database that does not exist yet: `start` creates and migrates it
    const url = new URL(inject('databaseServerUrl'));
    url.pathname = `/${uniqueName('alw_test_launch')}`;
    databaseUrl = url.toString();
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      ADMIN_PORT: '0',
      LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    await dropDatabase(databaseUrl);
    await clearPrefix(prefix);
  });

  function launch(command: string, args: string[], options: { cwd?: string; extraEnv?: Record<string, string>; ownGroup?: boolean } = {}): Launch {
    const mark = randomBytes(8).toString('hex');
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...env, ...options.extraEnv, [MARK_VARIABLE]: mark },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.ownGroup === true,
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    const outputClosed = Promise.all([
      new Promise<void>((done) => child.stdout.once('close', () => done())),
      new Promise<void>((done) => child.stderr.once('close', () => done())),
    ]).then(() => undefined);
    if (child.pid === undefined) throw new Error(`${command} did not start`);
    return { exit, outputClosed, output: () => text, pid: child.pid, mark };
  }

  /** Waits until the worker serves; fails with its output if the launch ends first. */
  async function serving(started: Launch): Promise<void> {
    await Promise.race([
      waitFor(async () => (started.output().includes('admin server listening on') ? true : undefined), 50),
      started.exit.then(({ code }) => Promise.reject(new Error(`exited (${code}) before serving:\n${started.output()}`))),
    ]);
  }

  /** After the launcher exits: the worker stopped gracefully and nothing of the launch is left. */
  async function expectNothingLeft(started: Launch, expect: ExpectStatic): Promise<void> {
    await started.outputClosed;
    await waitFor(async () => (markedProcesses(started.mark).length === 0 ? true : undefined), 100);
    expect(started.output()).toContain('"msg":"worker stopped"');
    expect(markedProcesses(started.mark)).toEqual([]);
  }

  it('node bin/asset-worker.js start: exits 0', async ({ expect }) => {
    const started = launch(process.execPath, [BIN, 'start'], { cwd: emptyWorkDir() });
    await serving(started);
    expect(started.output()).toMatch(/database (created|exists); migrations applied by this process: \d+/);
    process.kill(started.pid, 'SIGTERM');
    expect(await started.exit, started.output()).toEqual({ code: 0, signal: null });
    await expectNothingLeft(started, expect);
  });

  it('npm start: npm passes the signal to the worker (the script execs node) and exits 0', async ({ expect }) => {
    const started = launch('npm', ['start']);
    await serving(started);
    process.kill(started.pid, 'SIGTERM');
    expect(await started.exit, started.output()).toEqual({ code: 0, signal: null });
    expect(started.output()).toContain('SIGTERM received');
    await expectNothingLeft(started, expect);
  });

  it('npx asset-worker start: bash (.npmrc script-shell) execs the worker, npm passes the signal on, exit 0', async ({ expect }) => {
    const started = launch('npx', ['asset-worker', 'start']);
    await serving(started);
    process.kill(started.pid, 'SIGTERM');
    expect(await started.exit, started.output()).toEqual({ code: 0, signal: null });
    expect(started.output()).toContain('SIGTERM received');
    await expectNothingLeft(started, expect);
  });

  it('npx with sh as the script shell: the shell dies of the signal, npx with it (143), and the worker, orphaned, stops by itself', async ({ expect }) => {
    const started = launch('npx', ['asset-worker', 'start'], { extraEnv: { npm_config_script_shell: 'sh' } });
    await serving(started);
    process.kill(started.pid, 'SIGTERM');
    // npm re-raises the signal its child died of on itself
    expect(await started.exit, started.output()).toEqual({ code: null, signal: 'SIGTERM' });
    await expectNothingLeft(started, expect);
    expect(started.output()).toContain('the process that started this command exited: finishing what is in flight');
  });

  it('Ctrl-C under npm start (SIGINT to the whole process group, and npm passes its copy on) is one stop request', async ({ expect }) => {
    const started = launch('npm', ['start'], { ownGroup: true });
    await serving(started);
    process.kill(-started.pid, 'SIGINT');
    // npm got the SIGINT too: it exits 0 when the worker's exit reaches it first, else it re-raises the signal on itself
    expect([{ code: 0, signal: null }, { code: null, signal: 'SIGINT' }], started.output()).toContainEqual(await started.exit);
    expect(started.output()).toContain('"msg":"worker stopped"');
    expect(started.output().match(/SIGINT received/g)).toHaveLength(1);
    await expectNothingLeft(started, expect);
  });

  it('the Docker image runs node itself as the process that receives the signal (exec-form ENTRYPOINT)', ({ expect }) => {
    const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
    const entrypoint = /^ENTRYPOINT\s+(.+)$/m.exec(dockerfile)?.[1];
    // exec form is a JSON array; shell form would put /bin/sh -c between Docker and node
    const words = JSON.parse(entrypoint ?? 'null') as unknown;
    expect(Array.isArray(words)).toBe(true);
    expect((words as string[])[0]).toBe('node');
    expect((words as string[]).at(-1)).toBe('dist/src/cli/main.js');
    expect(/^CMD\s+\["start"\]$/m.test(dockerfile)).toBe(true);
  });
});
