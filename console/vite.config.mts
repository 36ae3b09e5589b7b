// The audit console's build (npm run build:console, and scripts/build.mjs for production): Preact
// through esbuild's automatic JSX runtime, every asset a file under /console/ (no inline script or
// style: the gateway serves the console with a strict Content-Security-Policy).
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No data: URLs nor inlined modules: every asset is a file of its own.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
  logLevel: 'warn',
});
