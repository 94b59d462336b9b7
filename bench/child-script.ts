/**
 * A script the bench starts in a child process, found beside the running bench: compiled (`npm run bench`
 * runs dist/bench/*.js) it is the .js file and runs with node alone; from the sources it is the .ts file and
 * needs tsx's loader.
 */
import { fileURLToPath } from 'node:url';

/** Whether the module at `callerUrl` is the compiled build. */
export function runsCompiled(callerUrl: string): boolean {
  return callerUrl.endsWith('.js');
}

export interface ChildScript {
  path: string;
  /** node arguments that must come before the path */
  loader: string[];
}

/** `relative` is resolved against the caller's `import.meta.url`, without its extension. */
export function childScript(relative: string, callerUrl: string): ChildScript {
  const compiled = runsCompiled(callerUrl);
  return {
    path: fileURLToPath(new URL(`${relative}${compiled ? '.js' : '.ts'}`, callerUrl)),
    loader: compiled ? [] : ['--import', 'tsx'],
  };
}
