// Import boundaries: the project's layering, checked by `npm run lint:imports` and proven against
// test/fixtures/layering by test/unit/layering.test.ts.
//
// Every path below is relative to the cruise's base directory (the repository root for the CLI,
// the fixture folder in the test), so the rules use patterns anchored like '^domain/'.
// The rules are written to be disjoint: one bad import is reported by exactly one rule.
//
//   domain/                                    vocabulary: itself and the types of fhir/r4, nothing else
//   profiles/ < rules/ < fhir/ < documents/ | mappers/   pure layers, each above the ones before it
//   usecases/                                  application logic; reaches I/O through usecases/ports.ts
//   store/ queue/ platform/ gateway/ admin/    edges (FHIR client, BullMQ, wiring, HTTP, operators' command)
//   dev/                                       development issuer and credentials, never in production
//   console/                                   the audit console's front end (browser): domain/, fhir/ and npm only
//   test/ bench/ scripts/                      may import anything; nothing else imports them

/** Builds a regular expression that matches the given top-level folders. */
const folders = (...names) => `^(${names.join('|')})/`;

const PURE = ['domain', 'profiles', 'rules', 'fhir', 'documents', 'mappers'];
const EDGES = ['store', 'queue', 'platform', 'gateway', 'admin'];
const PRODUCTION = [...PURE, 'usecases', ...EDGES];
const TOOLS = ['test', 'bench', 'scripts'];

// Modules that do I/O: none of them belongs in a pure layer or in a use case. npm packages are matched
// where they resolve (node_modules/<name>/ or their types in node_modules/@types/<name>/), builtins by
// name with or without the node: prefix.
const IO_PACKAGES = `(^|/)node_modules/(@types/)?(express|bullmq|ioredis|pino|pino-http|helmet|prom-client|fhir-kit-client|xmllint-wasm|@bull-board/[^/]+)/`;
const IO_BUILTINS = '^(node:)?(http|https|net|fs|fs/promises|child_process|worker_threads)$';
const IO = [IO_PACKAGES, IO_BUILTINS];

// The only module outside domain/ that domain/ may import: the FHIR R4 types from @types/fhir.
const FHIR_R4_TYPES = '(^|/)node_modules/@types/fhir/r4\\.d\\.ts$';

/**
 * A pure layer may import domain/ and the pure layers before it (and itself): it is forbidden the pure
 * layers after it plus usecases/ and the edges. dev/ and test/bench/scripts have rules of their own.
 */
const pureLayer = (layer, forbidden, why) => ({
  name: `${layer}-layer-order`,
  comment: why,
  severity: 'error',
  from: { path: folders(layer) },
  to: { path: folders(...forbidden, 'usecases', ...EDGES) },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-only-vocabulary',
      comment:
        'domain/ is the shared vocabulary: it depends on nothing but itself and the fhir/r4 types, so every layer can use it.',
      severity: 'error',
      from: { path: folders('domain') },
      // dev/, test/, bench/, scripts/ and the I/O modules are reported by their own rules.
      to: { pathNot: [folders('domain'), FHIR_R4_TYPES, folders('dev', ...TOOLS), ...IO] },
    },
    pureLayer(
      'profiles',
      ['rules', 'fhir', 'documents', 'mappers'],
      'profiles/ (conformance data and its loaders) sits right above domain/: it may import domain/ only.',
    ),
    pureLayer(
      'rules',
      ['fhir', 'documents', 'mappers'],
      'rules/ (business rules) may import domain/ and profiles/ only, never the FHIR or document code built on it.',
    ),
    pureLayer(
      'fhir',
      ['documents', 'mappers'],
      'fhir/ (builders and readers) may import domain/, profiles/ and rules/ only.',
    ),
    pureLayer(
      'documents',
      ['mappers'],
      'documents/ may import domain/, profiles/, rules/ and fhir/; mappers/ is a sibling, not a dependency.',
    ),
    pureLayer(
      'mappers',
      ['documents'],
      'mappers/ may import domain/, profiles/, rules/ and fhir/; documents/ is a sibling, not a dependency.',
    ),
    {
      name: 'pure-no-io',
      comment:
        'The pure layers compute and do no I/O: no HTTP, queue, Redis, logger, metrics or FHIR client, no file, socket or process.',
      severity: 'error',
      from: { path: folders(...PURE) },
      to: { path: IO },
    },
    {
      name: 'usecases-through-ports',
      comment:
        'Use cases reach the store and the queues through the interfaces of usecases/ports.ts, never the adapters themselves.',
      severity: 'error',
      from: { path: folders('usecases') },
      to: { path: folders(...EDGES) },
    },
    {
      name: 'usecases-no-io',
      comment:
        'Use cases do no I/O of their own: it is injected through usecases/ports.ts, so they run in tests without Redis, HAPI or HTTP.',
      severity: 'error',
      from: { path: folders('usecases') },
      to: { path: IO },
    },
    {
      name: 'store-not-to-gateway-or-queue',
      comment:
        'The FHIR store is an adapter below the HTTP layer and the queues: it may not import gateway/ or queue/.',
      severity: 'error',
      from: { path: folders('store') },
      to: { path: folders('gateway', 'queue') },
    },
    {
      name: 'queue-not-to-gateway',
      comment: 'The worker process imports nothing from the HTTP layer.',
      severity: 'error',
      from: { path: folders('queue') },
      to: { path: folders('gateway') },
    },
    {
      name: 'platform-not-to-gateway-or-usecases',
      comment:
        'platform/ (configuration, logger, clock, wiring) serves the HTTP process and the worker alike: it may not import gateway/ or usecases/.',
      severity: 'error',
      from: { path: folders('platform') },
      to: { path: folders('gateway', 'usecases') },
    },
    {
      name: 'admin-not-to-gateway',
      comment:
        'admin/ (the ordo-admin command) is an entry point beside the HTTP layer: it works through the use cases and the store, queue and platform edges, never gateway/.',
      severity: 'error',
      from: { path: folders('admin') },
      to: { path: folders('gateway') },
    },
    {
      name: 'not-to-admin',
      comment:
        "admin/ is an entry point (the operators' command): no other edge imports it (the pure layers and use cases are held by their own rules).",
      severity: 'error',
      from: { path: folders('store', 'queue', 'platform', 'gateway') },
      to: { path: folders('admin') },
    },
    {
      name: 'not-to-dev',
      comment:
        'dev/ (development issuer and signing credentials) must never reach production: only dev/, scripts/, test/ and bench/ import it.',
      severity: 'error',
      from: { pathNot: folders('dev', ...TOOLS) },
      to: { path: folders('dev') },
    },
    {
      name: 'console-front-end-only',
      comment:
        'console/ is the audit console, bundled for the browser by Vite: it may use domain/ and fhir/ (pure vocabulary and systems) and npm packages, never the back end.',
      severity: 'error',
      from: { path: folders('console') },
      to: { pathNot: [folders('console', 'domain', 'fhir'), '(^|/)node_modules/'] },
    },
    {
      name: 'not-to-console',
      comment: 'Nothing imports the console: the gateway serves its built files (console/dist), never its source.',
      severity: 'error',
      from: { pathNot: folders('console', ...TOOLS) },
      to: { path: folders('console') },
    },
    {
      name: 'not-to-test-tools',
      comment: 'test/, bench/ and scripts/ are leaves: they may import anything, nothing outside them imports them.',
      severity: 'error',
      from: { pathNot: folders(...TOOLS) },
      to: { path: folders(...TOOLS) },
    },
    {
      name: 'no-circular',
      comment: 'Production modules form no import cycle: cycles blur the layers and make load order fragile.',
      severity: 'error',
      from: { path: folders(...PRODUCTION) },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that cannot be resolved would escape every rule above (and fail at run time).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a layer that names another layer's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // npm packages stay in the graph (the I/O rules and domain-only-vocabulary look at them) but are not
    // cruised. Excluding node_modules would drop every import of a package from the graph, silently.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['test/fixtures/(?!layering)', 'fhir-server', 'tools/cda-validator'] },
    moduleSystems: ['cjs', 'es6'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
