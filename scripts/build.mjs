// npm run build: the production layers compiled by tsc (tsconfig.build.json) to dist/, plus the files
// they read at run time next to their modules (the code finds them relative to __dirname, so dist/
// mirrors the source tree): the conformance resources, the vendor schemas and examples, the API docs
// page's initializer, and the audit console, built first by Vite from console/ into console/dist/
// (Vite, Preact and uPlot are devDependencies: only the built files ship, served by
// gateway/routes/console.ts). package.json, read for the software's name and version, is emitted by
// tsc itself (gateway/openapi/document.ts imports it). Then `node dist/gateway/server.js` etc. run
// with production dependencies only.
//   node scripts/build.mjs [--out-dir <dir>]     (default: dist/; a relative <dir> is from the repository root)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDirAt = process.argv.indexOf('--out-dir');
const outDir = outDirAt >= 0 ? process.argv[outDirAt + 1] : 'dist';
// The output folder is deleted first: never the repository, a parent of it, or a missing argument.
if (!outDir || outDir.startsWith('-')) throw new Error('build: --out-dir needs a folder');
const dist = path.resolve(root, outDir);
if (root.startsWith(dist)) throw new Error(`build: refusing to replace ${dist}`);

/** Read at run time (store/conformance.ts, platform/xsd/vendor-schemas.ts, gateway/openapi, gateway/routes/docs.ts). */
const RUNTIME_ASSETS = [
  'profiles/structure-definitions',
  'profiles/search-parameters',
  'profiles/indexed-search-parameters.json',
  'profiles/code-systems',
  'profiles/operation-definitions',
  'profiles/vendor-schemas',
  'profiles/vendor-examples',
  'gateway/routes/docs-page',
  'console/dist',
];

rmSync(dist, { recursive: true, force: true });
// The console first: its files are copied below with the other runtime assets.
const vite = await import('vite');
await vite.build({ configFile: path.join(root, 'console', 'vite.config.mts'), logLevel: 'warn' });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', dist], {
  stdio: 'inherit',
});
for (const asset of RUNTIME_ASSETS) {
  const from = path.join(root, asset);
  if (!existsSync(from)) throw new Error(`build: runtime asset ${asset} is missing`);
  cpSync(from, path.join(dist, asset), { recursive: true });
}
console.log(
  `build: ${path.relative(process.cwd(), dist) || '.'} ready (${RUNTIME_ASSETS.length} runtime assets copied)`,
);
