/**
 * Every npm package the built code loads is a production dependency: the image installs
 * `npm ci --omit=dev`, so a devDependency imported by production code (pngjs once was) fails there
 * only. The files are those `npm run build` compiles (tsconfig.build.json), each transpiled the way
 * tsc emits it, so type-only imports, erased at build, do not count.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const buildConfig = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };

function tsFilesUnder(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => path.join(full, name));
}

/** `pkg`, `pkg/sub/path`, `@scope/pkg/sub` → the package's name. */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

function packagesLoadedBy(source: string, fileName: string): string[] {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName,
  });
  const specifiers = [...outputText.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map(packageOf);
}

test('every package the built code requires is in "dependencies" (not only in devDependencies)', () => {
  const files = buildConfig.include.flatMap(tsFilesUnder);
  assert.ok(files.length > 100, `the build's files (${files.length})`);
  const missing = new Map<string, string[]>();
  for (const file of files)
    for (const name of packagesLoadedBy(readFileSync(file, 'utf8'), file))
      if (!(name in manifest.dependencies))
        missing.set(name, [...(missing.get(name) ?? []), path.relative(ROOT, file)]);
  assert.deepEqual(Object.fromEntries(missing), {});
});

test('the check sees a package loaded for its value, and not one imported for its types only', () => {
  assert.deepEqual(packagesLoadedBy("import { PNG } from 'pngjs';\nexport const p = new PNG();", 'a.ts'), ['pngjs']);
  assert.deepEqual(packagesLoadedBy("import type { PNG } from 'pngjs';\nexport let p: PNG | undefined;", 'b.ts'), []);
  assert.deepEqual(packagesLoadedBy("export const j = require('@scope/pkg/sub.json');", 'c.ts'), ['@scope/pkg']);
  assert.deepEqual(packagesLoadedBy("export const m = () => import('fhir-kit-client');", 'd.ts'), ['fhir-kit-client']);
  assert.deepEqual(
    packagesLoadedBy(
      "import { readFileSync } from 'node:fs';\nimport os from 'os';\nreadFileSync(os.tmpdir());",
      'e.ts',
    ),
    [],
  );
});
