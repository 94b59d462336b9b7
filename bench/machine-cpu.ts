/**
 * CPU time the whole machine spent busy (every process, every core), from Linux's /proc/stat; undefined where
 * there is no /proc/stat. Read around a sync, it shows how much of the cores the sync, the simulator and
 * Postgres used between them.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

// /proc/stat counts in USER_HZ ticks, 100 per second on Linux
const TICKS_PER_SECOND = 100;

export function machineBusySeconds(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

export const coreCount = (): number => cpus().length;
