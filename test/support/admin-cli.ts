/** ordo-admin as operators run it: a child process (`node --import tsx admin/cli.ts`) on a test gateway's stack. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { GatewayConfig } from '../../platform/config';

const REPO_ROOT = resolve(__dirname, '..', '..');

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ordo-admin <args>` against `config`'s FHIR store, Redis and queue prefix; never throws on a failed exit. */
export async function runAdmin(
  config: Pick<GatewayConfig, 'fhirBaseUrl' | 'redisUrl' | 'queuePrefix'>,
  args: string[],
  env: Record<string, string> = {},
): Promise<AdminRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'admin/cli.ts', ...args],
      {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          FHIR_BASE_URL: config.fhirBaseUrl,
          REDIS_URL: config.redisUrl,
          QUEUE_PREFIX: config.queuePrefix,
          NODE_ENV: 'test',
          ...env,
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
