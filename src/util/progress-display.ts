/**
 * Progress of long work: bars on a terminal (cli-progress), plain throttled lines when output is not a terminal.
 */
import cliProgress from 'cli-progress';

export interface ProgressTask {
  update(done: number, total: number | undefined, detail?: string): void;
  finish(detail?: string): void;
}

export interface ProgressDisplay {
  task(label: string): ProgressTask;
  /** Ends the display; a second call does nothing (a finally may stop what the success path already stopped). */
  stop(): void;
}

export function createProgressDisplay(interactive: boolean, write: (line: string) => void, intervalMs = 2_000): ProgressDisplay {
  if (!interactive) {
    return {
      task(label) {
        let lastAt = 0;
        return {
          update(done, total, detail) {
            const now = Date.now();
            if (now - lastAt < intervalMs) return;
            lastAt = now;
            write(`${label}: ${done}${total === undefined ? '' : `/${total}`}${detail === undefined ? '' : ` ${detail}`}`);
          },
          finish(detail) {
            write(`${label}: done${detail === undefined ? '' : ` ${detail}`}`);
          },
        };
      },
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      format: ' {label} [{bar}] {value}/{totalText} {detail}',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  // MultiBar.stop() redraws the bars and prints a line feed at every call
  let stopped = false;
  return {
    task(label) {
      const bar = bars.create(1, 0, { label: label.padEnd(12), totalText: '?', detail: '' });
      return {
        update(done, total, detail) {
          bar.setTotal(Math.max(total ?? done + 1, 1));
          bar.update(done, { totalText: total === undefined ? '?' : String(total), detail: detail ?? '' });
        },
        finish(detail) {
          bar.setTotal(Math.max(bar.getTotal(), 1));
          bar.update(bar.getTotal(), { detail: detail ?? 'done' });
        },
      };
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}
