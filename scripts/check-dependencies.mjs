#!/usr/bin/env node
/**
 * `npm run lint:deps`: checks src/ against the layer rules in .dependency-cruiser.cjs. Fails (exit 1) on any
 * error-level violation that is not in .dependency-cruiser-known-violations.json; depcruise softens the known ones
 * between modules itself, this script also applies the list to folder cycles, which depcruise does not yet.
 *   node scripts/check-dependencies.mjs [--config FILE] [--known FILE] [--cwd DIR] [PATH...]   (default PATH: src)
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { config: { type: 'string' }, known: { type: 'string' }, cwd: { type: 'string' } },
});
// --config and --known are relative to where the script is started; the cruised paths to --cwd
const configFile = resolve(values.config ?? '.dependency-cruiser.cjs');
const knownFile = resolve(values.known ?? '.dependency-cruiser-known-violations.json');
const root = resolve(values.cwd ?? '.');
process.chdir(root);
const known = JSON.parse(readFileSync(knownFile, 'utf8'));

const options = await extractDepcruiseOptions(configFile);
const tsConfig = extractTSConfig(resolve(options.tsConfig?.fileName ?? 'tsconfig.json'));
const { output } = await cruise(positionals.length > 0 ? positionals : ['src'], { ...options, validate: true, knownViolations: known }, {}, { tsConfig });

const cycleOf = (violation) => (violation.cycle ?? []).map((step) => step.name).join(' → ');
const isKnown = (violation) =>
  known.some(
    (entry) =>
      (entry.type ?? 'dependency') === (violation.type ?? 'dependency') &&
      entry.rule.name === violation.rule.name &&
      entry.from === violation.from &&
      entry.to === violation.to &&
      (violation.type !== 'cycle' || cycleOf(entry) === cycleOf(violation)),
  );
const errors = output.summary.violations.filter((violation) => violation.rule.severity === 'error' && !isKnown(violation));
const knownCount = output.summary.violations.filter((violation) => violation.rule.severity === 'ignore' || isKnown(violation)).length;

for (const violation of errors) {
  const cycle = violation.cycle === undefined ? '' : ` (cycle: ${violation.from} → ${cycleOf(violation)})`;
  console.error(`${violation.rule.name}: ${violation.from} → ${violation.to}${cycle}`);
}
const cruised = `${output.summary.totalCruised} modules, ${output.summary.totalDependenciesCruised} dependencies`;
console.log(`${errors.length} dependency rule violations; ${knownCount} known, listed in ${relative(process.cwd(), knownFile)}; ${cruised}`);
process.exitCode = errors.length > 0 ? 1 : 0;
