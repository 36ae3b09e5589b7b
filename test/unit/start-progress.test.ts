/**
 * npm start's progress and failure reporting (scripts/progress.sh, through scripts/wait-for-ready.sh
 * and bash): a gateway whose /ready never answers, or whose process exits, fails the start-up with a
 * message and the log's tail instead of "ordo-gateway is running"; a slow step prints a line every
 * PROGRESS_INTERVAL seconds; a failing step returns its status with its log's tail.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../support/free-port';

const REPO_ROOT = resolve(__dirname, '..', '..');
let dir: string;
let log: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ordo-start-'));
  log = join(dir, 'gateway.log');
  writeFileSync(log, 'line one\nFATAL the last thing the gateway said\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(file: string, args: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', PROGRESS_INTERVAL: '1' } },
      (err, stdout, stderr) =>
        done({
          code: err ? ((err as { code?: number }).code ?? -1) : 0,
          stdout,
          stderr,
          seconds: (Date.now() - started) / 1000,
        }),
    );
  });
}

const waitForReady = (...args: string[]) => run('bash', ['scripts/wait-for-ready.sh', ...args]);

test('a /ready that never answers: non-zero after the timeout, with progress lines, a message and the log tail', async () => {
  const url = `http://127.0.0.1:${await freePort()}/ready`;
  const result = await waitForReady(url, '3', log);
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`start-up failed: ${url} did not answer within 3 s`));
  assert.match(result.stderr, /FATAL the last thing the gateway said/);
  assert.match(result.stdout, new RegExp(`… waiting for ${url} \\([12] s\\)`));
  assert.ok(result.seconds >= 3 && result.seconds < 15, `${result.seconds} s`);
});

test('a process that exits during start-up: non-zero at once, naming it', async () => {
  const child = spawn('true');
  await once(child, 'exit');
  const url = `http://127.0.0.1:${await freePort()}/ready`;
  const result = await waitForReady(url, '60', log, String(child.pid));
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`process ${child.pid} exited before ${url} answered`));
  assert.match(result.stderr, /FATAL the last thing the gateway said/);
  assert.ok(result.seconds < 15, `${result.seconds} s`);
});

test('a /ready that answers after a while: zero', async () => {
  let asked = 0;
  const server = createServer((_req, res) => {
    asked += 1;
    res.statusCode = asked < 3 ? 503 : 200;
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  try {
    const result = await waitForReady(`http://127.0.0.1:${port}/ready`, '30', log, String(process.pid));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(asked, 3);
    assert.equal(result.stderr, '');
  } finally {
    server.close();
  }
});

test('run_with_progress: a line per interval naming the phase; a failing step returns its status with its log', async () => {
  const stepLog = join(dir, 'step.log');
  const script = [
    'source scripts/progress.sh',
    'phase() { echo "phase: $(tail -n 1 "$1")"; }',
    `run_with_progress ${stepLog} phase bash -c 'echo building; sleep 2.5; echo boom; exit 3'`,
  ].join('\n');
  const result = await run('bash', ['-c', script]);
  assert.equal(result.code, 3);
  assert.match(result.stdout, /^building$/m, 'the step’s own output is shown');
  assert.match(result.stdout, /… phase: building \([12] s\)/);
  assert.match(result.stderr, /start-up step failed \(exit 3\)/);
  assert.match(result.stderr, /boom/);
});
