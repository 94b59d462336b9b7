/**
 * The Node flags production runs with: package.json's `config.node_flags` (which `npm run start:production`
 * passes to node; the Dockerfile's ENTRYPOINT repeats them). The bench gives each sync process the same flags,
 * so its memory figures are production's. npm runs scripts from the package root, hence the cwd.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function productionNodeFlags(packageRoot = process.cwd()): string[] {
  const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { config?: { node_flags?: unknown } };
  const flags = manifest.config?.node_flags;
  if (typeof flags !== 'string') throw new Error(`package.json in ${packageRoot} has no "config.node_flags" string`);
  return flags.split(/\s+/).filter((flag) => flag !== '');
}
