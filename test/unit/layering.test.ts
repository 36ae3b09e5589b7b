/**
 * The import boundaries of .dependency-cruiser.cjs (`npm run lint:imports`) catch what they are meant to:
 * the project's own rules, cruised over the miniature tree test/fixtures/layering (baseDir), report
 * exactly the deliberate violations of its violates-*.ts files and its two-file cycle, and nothing about
 * its legal files.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readdirSync } from 'node:fs';
import path from 'node:path';
// dependency-cruiser ships ES modules only: its types are read as the ES module they describe.
import type { ICruiseResult, IViolation } from 'dependency-cruiser' with { 'resolution-mode': 'import' };

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/layering');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');
const LAYERS = [
  'domain',
  'profiles',
  'rules',
  'fhir',
  'documents',
  'mappers',
  'usecases',
  'store',
  'queue',
  'platform',
  'gateway',
  'admin',
  'dev',
  'console',
  'scripts',
  'test',
  'bench',
];

/**
 * rule name, from, to: npm packages by name (node_modules paths depend on the packages' layout), builtins as
 * resolved.
 */
type Reported = readonly [rule: string, from: string, to: string];

const EXPECTED: readonly Reported[] = [
  ['domain-only-vocabulary', 'domain/violates-imports-gateway.ts', 'gateway/legal.ts'],
  ['domain-only-vocabulary', 'domain/violates-imports-npm.ts', 'npm:ajv'],
  ['pure-no-io', 'domain/violates-imports-node-fs.ts', 'fs'],
  ['profiles-layer-order', 'profiles/violates-imports-rules.ts', 'rules/legal.ts'],
  ['rules-layer-order', 'rules/violates-imports-fhir.ts', 'fhir/legal.ts'],
  ['no-circular', 'rules/cycle-a.ts', 'rules/cycle-b.ts'],
  ['fhir-layer-order', 'fhir/violates-imports-queue.ts', 'queue/legal.ts'],
  ['documents-layer-order', 'documents/violates-imports-mappers.ts', 'mappers/legal.ts'],
  ['mappers-layer-order', 'mappers/violates-imports-documents.ts', 'documents/legal.ts'],
  ['pure-no-io', 'mappers/violates-imports-express.ts', 'npm:express'],
  ['usecases-through-ports', 'usecases/violates-imports-store.ts', 'store/legal.ts'],
  ['usecases-no-io', 'usecases/violates-imports-pino.ts', 'npm:pino'],
  ['store-not-to-gateway-or-queue', 'store/violates-imports-queue.ts', 'queue/legal.ts'],
  ['queue-not-to-gateway', 'queue/violates-imports-gateway.ts', 'gateway/legal.ts'],
  ['platform-not-to-gateway-or-usecases', 'platform/violates-imports-usecases.ts', 'usecases/legal.ts'],
  ['admin-not-to-gateway', 'admin/violates-imports-gateway.ts', 'gateway/legal.ts'],
  ['not-to-admin', 'gateway/violates-imports-admin.ts', 'admin/legal.ts'],
  ['not-to-dev', 'gateway/violates-imports-dev.ts', 'dev/legal.ts'],
  ['not-to-test-tools', 'gateway/violates-imports-test.ts', 'test/legal.ts'],
  ['console-front-end-only', 'console/violates-imports-gateway.ts', 'gateway/legal.ts'],
  ['not-to-console', 'gateway/violates-imports-console.ts', 'console/legal.ts'],
  ['not-to-unresolvable', 'gateway/violates-unresolvable.ts', './no-such-module'],
];

const asReported = (violation: IViolation): Reported => {
  const npm = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(violation.to);
  return [violation.rule.name, violation.from, npm ? `npm:${npm[1]}` : violation.to];
};
const byText = (a: Reported, b: Reported) => a.join(' ').localeCompare(b.join(' '));

/** Every .ts file of the fixture, relative to it. */
const fixtureFiles = (): string[] =>
  readdirSync(FIXTURE, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();

describe('import boundaries (.dependency-cruiser.cjs) on test/fixtures/layering', () => {
  let result: ICruiseResult;
  let ruleNames: string[];

  before(async () => {
    // dependency-cruiser is published as ES modules only; this project is CommonJS, so import() it.
    const { cruise } = await import('dependency-cruiser');
    const { default: extractDepcruiseOptions } =
      await import('dependency-cruiser/config-utl/extract-depcruise-options');
    const { default: extractTSConfig } = await import('dependency-cruiser/config-utl/extract-ts-config');
    const options = await extractDepcruiseOptions(CONFIG);
    ruleNames = (options.ruleSet?.forbidden ?? []).map((rule) => rule.name ?? '');
    const reported = await cruise(
      LAYERS,
      { ...options, baseDir: FIXTURE, tsConfig: { fileName: TSCONFIG } },
      {},
      { tsConfig: extractTSConfig(TSCONFIG) },
    );
    assert.equal(typeof reported.output, 'object');
    result = reported.output as ICruiseResult;
  });

  it('reports exactly the deliberate violations, each by the rule meant for it', () => {
    const actual = result.summary.violations.map(asReported).sort(byText);
    assert.deepEqual(actual, [...EXPECTED].sort(byText));
    assert.equal(result.summary.error, EXPECTED.length);
    assert.equal(result.summary.warn, 0);
    assert.equal(result.summary.info, 0);
  });

  it('reports the two-file cycle once, with both files in it', () => {
    const cycles = result.summary.violations.filter((violation) => violation.rule.name === 'no-circular');
    assert.deepEqual(
      cycles.map((violation) => violation.cycle?.map((step) => step.name)),
      [['rules/cycle-b.ts', 'rules/cycle-a.ts']],
    );
  });

  it('counts a type-only import (tsPreCompilationDeps)', () => {
    const storeImport = result.summary.violations.find((violation) => violation.rule.name === 'usecases-through-ports');
    assert.ok(storeImport?.dependencyTypes?.includes('type-only'));
  });

  it('cruises every fixture file, and the legal ones depend on nothing forbidden', () => {
    const cruised = new Set(result.modules.map((module) => module.source));
    const files = fixtureFiles();
    assert.deepEqual(
      files.filter((file) => !cruised.has(file)),
      [],
    );
    const legal = files.filter((file) => !/\/(violates-[^/]*|cycle-[ab])\.ts$/.test(file));
    assert.equal(legal.length, 19);
    for (const file of legal) {
      const module = result.modules.find((candidate) => candidate.source === file);
      assert.deepEqual(
        module?.dependencies.filter((dependency) => !dependency.valid).map((dependency) => dependency.resolved),
        [],
        `${file} is legal`,
      );
    }
    assert.deepEqual(
      result.summary.violations.filter((violation) => legal.includes(violation.from)),
      [],
    );
  });

  it('lets domain/ import the fhir/r4 types, and the other pure layers the packages that do no I/O', () => {
    const resolved = (file: string) =>
      result.modules.find((module) => module.source === file)?.dependencies.map((dependency) => dependency.resolved) ??
      [];
    assert.ok(resolved('domain/legal.ts').some((to) => to.endsWith('node_modules/@types/fhir/r4.d.ts')));
    assert.ok(resolved('mappers/legal.ts').some((to) => to.includes('node_modules/fast-xml-parser/')));
    assert.ok(resolved('fhir/legal.ts').includes('crypto'));
  });

  it('exercises every rule of the configuration, and each says why', async () => {
    assert.deepEqual([...new Set(EXPECTED.map(([rule]) => rule))].sort(), [...ruleNames].sort());
    const { default: extractDepcruiseOptions } =
      await import('dependency-cruiser/config-utl/extract-depcruise-options');
    const options = await extractDepcruiseOptions(CONFIG);
    for (const rule of options.ruleSet?.forbidden ?? []) {
      assert.ok(
        rule.name && rule.comment && rule.comment.length > 20,
        `rule ${rule.name ?? '?'} has a name and a comment`,
      );
      assert.equal(rule.severity, 'error', `rule ${rule.name ?? '?'}`);
    }
  });
});
