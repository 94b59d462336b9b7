/**
 * Starts the simulator in its own process (so it gets the other core) and reads back its address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { childScript } from './child-script.ts';

export interface SimProcess {
  url: string;
  baseUrls: Record<'affogato' | 'mediapocket' | 'roughy', string>;
  apiKeys: Record<'affogato' | 'mediapocket' | 'roughy', string>;
  stop(): Promise<void>;
}

const SIMULATOR = childScript('../src/simulator/main', import.meta.url);

export async function startSimProcess(args: string[]): Promise<SimProcess> {
  const child: ChildProcess = spawn(process.execPath, [...SIMULATOR.loader, SIMULATOR.path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const info = JSON.parse(first) as Omit<SimProcess, 'stop'>;
  return {
    ...info,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
