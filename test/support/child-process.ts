/**
 * A child process of a test (a gateway, a worker, a built entry point) that never outlives the test
 * process, even when a test fails half-way, and whose output (stdout and stderr together) is kept
 * for assertion messages.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface TrackedChild {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
}

export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): TrackedChild {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}
