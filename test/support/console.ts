/**
 * The audit console for tests: its files built by Vite (once per test process), a test gateway
 * listening on a real loopback port (a browser needs one; the console's sign-in redirects to the
 * gateway's public URL), with the audit worker writing the AuditEvents the console reads.
 */
import type { Server } from 'node:http';
import path from 'node:path';
import { startAuditWorker, type TestAuditWorker } from './audit-worker';
import { freePort } from './free-port';
import { startTestGateway, type TestGateway } from './gateway';

const ROOT = path.join(__dirname, '..', '..');
let built: Promise<void> | undefined;

/** `npm run build:console`, in process (Vite's API), once. */
export function buildConsole(): Promise<void> {
  built ??= (async () => {
    const vite = await import('vite');
    await vite.build({ configFile: path.join(ROOT, 'console', 'vite.config.mts'), logLevel: 'error' });
  })();
  return built;
}

export interface ConsoleGateway {
  gw: TestGateway;
  audit: TestAuditWorker;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  close(): Promise<void>;
}

export async function startConsoleGateway(): Promise<ConsoleGateway> {
  await buildConsole();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const gw = await startTestGateway();
  // The gateway's public URL is where it listens here (the sign-in's redirect URI is built from it).
  gw.deps.config.publicBaseUrl = baseUrl;
  gw.app.locals.publicBaseUrl = baseUrl;
  const audit = startAuditWorker(gw);
  const server: Server = await new Promise((resolve) => {
    const s = gw.app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    gw,
    audit,
    baseUrl,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await audit.close();
      await gw.close();
    },
  };
}
