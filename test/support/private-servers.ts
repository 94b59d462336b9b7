/**
 * A Redis and a Postgres of a test's own, on free loopback ports, for fault tests that kill, restart or empty
 * them: the shared servers on 5432 and 6379 are never touched. Used by fault tests and by `npm run chaos`.
 * Postgres refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections at host:port, within a second. */
export function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** initdb and pg_ctl from PATH, else from Debian's /usr/lib/postgresql/<version>/bin (newest first). */
function postgresBinDir(): string | undefined {
  const initdb = onPath('initdb');
  if (initdb !== undefined && onPath('pg_ctl') !== undefined) return path.dirname(initdb);
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = path.join(root, version, 'bin');
    if (existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** Why private servers cannot be started here, or undefined when they can. */
export function privateServersUnavailable(): string | undefined {
  const missing: string[] = [];
  if (onPath('redis-server') === undefined) missing.push('redis-server');
  if (postgresBinDir() === undefined) missing.push('initdb/pg_ctl');
  return missing.length === 0 ? undefined : `${missing.join(' and ')} not found on this machine`;
}

function waitForPort(port: number, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: the server and everything in it is gone (it keeps nothing on disk) */
  kill(): Promise<void>;
  /** starts it again on the same port, empty */
  start(): Promise<void>;
  /** kills it for good */
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
      stdio: 'ignore',
    });
    await waitForPort(port, 'redis-server');
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running === undefined) return;
    running.kill('SIGKILL');
    await exited(running);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, start, close: kill };
}

export interface PrivatePostgres {
  /** the server's `postgres` database; a test names its own database in the path */
  readonly serverUrl: string;
  readonly port: number;
  /** a URL for the named database on this server */
  urlFor(database: string): string;
  /** `pg_ctl restart -m fast`: every session is terminated (57P01), the data stays */
  restart(): Promise<void>;
  /** `pg_ctl stop -m immediate`: the server is gone until `start` */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** stops the server and deletes its data directory */
  close(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const binDir = postgresBinDir();
  if (binDir === undefined) throw new Error('initdb/pg_ctl not found on this machine');
  const port = await freePort();
  const home = mkdtempSync(path.join(tmpdir(), 'alw-pg-'));
  const dataDir = path.join(home, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const owner = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (owner.status !== 0) throw new Error('running as root needs a "postgres" user to own the private cluster');
    chmodSync(home, 0o700);
    chownSync(home, Number(owner.stdout.trim()), Number(group.stdout.trim()));
  }
  const run = (tool: string, args: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const file = path.join(binDir, tool);
      const child = asRoot ? spawn('runuser', ['-u', 'postgres', '--', file, ...args], { stdio: 'pipe' }) : spawn(file, args, { stdio: 'pipe' });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} ${args.join(' ')} exited ${code}:\n${output}`))));
    });
  // fsync off: the cluster is thrown away, and a restart is a clean shutdown or a crash-recovery of what was written
  const serverOptions = `-p ${port} -k ${home} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  let running = false;
  const start = async () => {
    await run('pg_ctl', ['start', '-D', dataDir, '-w', '-l', path.join(home, 'server.log'), '-o', serverOptions]);
    running = true;
    await waitForPort(port, 'postgres');
  };
  const stop = async (mode: 'fast' | 'immediate') => {
    await run('pg_ctl', ['stop', '-D', dataDir, '-w', '-m', mode]);
    running = false;
  };
  await start();
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    serverUrl: urlFor('postgres'),
    port,
    urlFor,
    async restart() {
      await stop('fast');
      await start();
    },
    kill: () => stop('immediate'),
    start,
    async close() {
      if (running) await stop('immediate');
      rmSync(home, { recursive: true, force: true });
    },
  };
}
