/**
 * The API documentation (public: it describes the API and holds no patient data):
 *   GET /openapi.json     the OpenAPI 3.1 document (built by gateway/openapi from the route table)
 *   GET /docs             a page rendering it with Swagger UI
 *   GET /docs/:asset      the page's scripts, style sheet and icon: files of swagger-ui-dist and
 *                         our initializer, served from here so that the page loads nothing from
 *                         elsewhere and runs under helmet's CSP (script-src 'self', no inline script)
 */
import path from 'node:path';
import type { RequestHandler } from 'express';
import { ProblemError } from '../../domain/problem';
import type { RouteContext } from './route';

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** The files the page may load, by the name it asks for. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': path.join(SWAGGER_UI_DIR, 'swagger-ui.css'),
  'swagger-ui-bundle.js': path.join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js'),
  'favicon-32x32.png': path.join(SWAGGER_UI_DIR, 'favicon-32x32.png'),
  'swagger-initializer.js': path.join(__dirname, 'docs-page', 'swagger-initializer.js'),
};

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page: root-relative URLs under the public address's path, so it works behind a path prefix too. */
function pageHtml(publicBaseUrl: string): string {
  const base = escapeHtml(new URL(publicBaseUrl).pathname.replace(/\/+$/, ''));
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>ordo-gateway API</title>
    <link rel="stylesheet" href="${base}/docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="${base}/docs/favicon-32x32.png">
  </head>
  <body>
    <noscript>The API description: <a href="${base}/openapi.json">${base}/openapi.json</a>.</noscript>
    <div id="swagger-ui" data-url="${base}/openapi.json"></div>
    <script src="${base}/docs/swagger-ui-bundle.js"></script>
    <script src="${base}/docs/swagger-initializer.js"></script>
  </body>
</html>
`;
}

export const openApiJson =
  ({ apiDocument }: RouteContext): RequestHandler =>
  (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.json(apiDocument);
  };

export function docsPage({ deps }: RouteContext): RequestHandler {
  const page = pageHtml(deps.config.publicBaseUrl);
  return (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(page);
  };
}

export const docsAsset = (): RequestHandler => (req, res, next) => {
  const name = String(req.params.asset);
  const file = Object.prototype.hasOwnProperty.call(DOCS_ASSETS, name) ? DOCS_ASSETS[name] : undefined;
  if (!file) throw ProblemError.of('not-found', 'not-found', `no documentation file "${name}"`);
  res.sendFile(file, { maxAge: '1h' }, (err) => {
    if (err) next(err);
  });
};
