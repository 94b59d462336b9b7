/**
 * Loaded with `--import` into the `catalog export` process the export bench starts (bench/export.ts); the command
 * runs unchanged otherwise. It counts the bytes the command writes to stdout (/dev/null there, which counts
 * nothing) and, as the process exits, writes one JSON line on file descriptor 3: its peak RSS over its whole life
 * (getrusage's maxRSS), its CPU and those bytes. Measured from inside because nothing outside can: Node gives a
 * parent no child's rusage, and a process's /proc/PID/status is gone once it has exited.
 */
import { writeSync } from 'node:fs';

/** where bench/export.ts reads the figures: the fourth stdio entry of the child it spawns */
const FIGURES_FD = 3;

let stdoutBytes = 0;
const stdout = process.stdout;
const write = stdout.write.bind(stdout) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
  stdoutBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.byteLength;
  return write(chunk, ...rest);
}) as typeof stdout.write;

process.on('exit', () => {
  const cpu = process.cpuUsage();
  const figures = {
    // maxRSS is in kilobytes
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    stdoutBytes,
  };
  writeSync(FIGURES_FD, `${JSON.stringify(figures)}\n`);
});
