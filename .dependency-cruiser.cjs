/**
 * Which folder of src/ may import which (`npm run lint:deps`, part of `npm test`). Layers, top to bottom; a
 * folder imports its own layer's allowed peers or lower layers, never a higher one, and no two folders import
 * each other (directly or round a longer cycle). Type-only imports count (tsPreCompilationDeps).
 *
 *   1. entry      src/cli  src/demo                      (demo never imports cli)
 *      admin      src/admin                             (started by app; imports nothing of app, cli, demo)
 *   2. app        src/app                               composition root, worker runner, job handlers
 *   3. services   src/sync src/retention src/dag src/bulk src/reporting   (bulk may use dag; no other pair)
 *   4. infra      src/actions src/jobs src/notifications src/schedulers src/db src/providers src/health
 *   5. base       src/http src/domain src/util, src/errors.ts src/logger.ts src/secret.ts src/config.ts
 *      (src/domain: pure; imports only domain, util and errors.ts)
 *   src/simulator stands alone (simulator, util, domain at most); only the demo uses it inside src/.
 *   test/, bench/, chaos/ may import anything; nothing in src/ imports them.
 */
const ENTRY = '^src/(cli|demo)/';
const ADMIN = '^src/admin/';
const APP = '^src/app/';
const SERVICES = '^src/(sync|retention|dag|bulk|reporting)/';
const INFRA = '^src/(actions|jobs|notifications|schedulers|db|providers|health)/';
const BASE = ['^src/(http|domain|util)/', '^src/[^/]+\\.ts$'];
const SIMULATOR = '^src/simulator/';

/** everything a layer may not import: the layers above it (and the simulator, which only the demo uses) */
const ABOVE_SERVICES = [ENTRY, ADMIN, APP];
const ABOVE_INFRA = [...ABOVE_SERVICES, SERVICES];
const ABOVE_BASE = [...ABOVE_INFRA, INFRA];

/**
 * KNOWN VIOLATIONS (.dependency-cruiser-known-violations.json, each with a comment saying what removes it): imports
 * that wait on work in another branch of the same change. The merge empties that list. depcruise reports them as
 * "known violations ignored", with their count; scripts/check-dependencies.mjs applies the same list to folder
 * cycles, which depcruise's own known-violations handling does not cover yet.
 */
const KNOWN_VIOLATIONS = require('./.dependency-cruiser-known-violations.json');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'two folders that import each other (directly or round a cycle) are one module in two places',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycle',
      severity: 'error',
      comment: 'a module that reaches itself through its imports',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'entry-demo-not-cli',
      severity: 'error',
      comment: 'the demo shares formatters and steps with the CLI through the layers below, not through cli/',
      from: { path: '^src/demo/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'admin-not-upward',
      severity: 'error',
      comment: 'app starts the admin server and hands it narrow interfaces; admin never imports app or the entry points',
      from: { path: ADMIN },
      to: { path: [ENTRY, APP] },
    },
    {
      name: 'app-not-upward',
      severity: 'error',
      from: { path: APP },
      to: { path: ENTRY },
    },
    {
      name: 'services-not-upward',
      severity: 'error',
      comment: 'a service takes what it needs as narrow interfaces (a context the app context satisfies), not AppContext',
      from: { path: SERVICES },
      to: { path: ABOVE_SERVICES },
    },
    {
      name: 'no-service-to-service',
      severity: 'error',
      comment: 'services are independent; shared pieces live in the layers below',
      from: { path: '^src/(sync|retention|dag|reporting)/' },
      to: { path: SERVICES, pathNot: '^src/$1/' },
    },
    {
      name: 'bulk-uses-only-dag',
      severity: 'error',
      comment: 'bulk operations may start and follow DAG runs; no other service',
      from: { path: '^src/bulk/' },
      to: { path: SERVICES, pathNot: '^src/(bulk|dag)/' },
    },
    {
      name: 'infra-not-upward',
      severity: 'error',
      from: { path: INFRA },
      to: { path: ABOVE_INFRA },
    },
    {
      name: 'base-not-upward',
      severity: 'error',
      from: { path: BASE },
      to: { path: ABOVE_BASE },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'pure logic: other domain modules, util and the typed errors only (npm libraries such as zod are fine)',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: ['^src/(domain|util)/', '^src/errors\\.ts$'] },
    },
    {
      name: 'simulator-standalone',
      severity: 'error',
      comment: 'the simulator is its own program: its own code, util and domain at most',
      from: { path: SIMULATOR },
      to: { path: '^src/', pathNot: '^src/(simulator|util|domain)/' },
    },
    {
      name: 'only-demo-uses-simulator',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/demo/', SIMULATOR] },
      to: { path: SIMULATOR },
    },
    {
      name: 'src-not-to-tests',
      severity: 'error',
      comment: 'tests, benchmarks and the chaos suite use src/, never the other way round',
      from: { path: '^src/' },
      to: { path: '^(test|bench|chaos)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    knownViolations: KNOWN_VIOLATIONS,
  },
};
