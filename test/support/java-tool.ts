/**
 * The project's Java tools (tools/<name>/build.sh → tools/<name>/target/<name>.jar), built on first
 * use by tests and tooling: build.sh returns at once while the jar is up to date and builds under
 * a lock, so concurrent test files share one build.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TOOLS_DIR = resolve(__dirname, '..', '..', 'tools');

const builds = new Map<string, Promise<void>>();

/** Builds tools/<name> if its jar is missing or older than its sources; once per process. */
export function ensureJavaToolBuilt(name: string): Promise<void> {
  let build = builds.get(name);
  if (!build) {
    build = run('bash', [join(TOOLS_DIR, name, 'build.sh')], { maxBuffer: 16 * 1024 * 1024 }).then(
      () => undefined,
      (error: unknown) => {
        builds.delete(name);
        throw error;
      },
    );
    builds.set(name, build);
  }
  return build;
}

export const javaToolJar = (name: string): string => join(TOOLS_DIR, name, 'target', `${name}.jar`);
