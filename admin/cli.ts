/**
 * ordo-admin: the operators' command (`npm run --silent admin -- <command>`).
 *
 *   dead-letters list [--queue q]            the failed jobs of the DMP queue (or the audit queue)
 *   dead-letters retry <jobId>|--all         queue them again (their attempt count goes on)
 *   republish <number>                       queue the DMP publication of a prescription again
 *   status <number>                          dispensing summary and DMP publication status
 *   audit <number>                           the prescription's audit trail, oldest first
 *   install-profiles                         the conformance resources on the FHIR store(s)
 *
 * Options: --json (machine output), --operator <name> (or ORDO_OPERATOR: who acts, required).
 * Every command, read-only ones included, is audited (an AuditEvent with the operator as agent,
 * queued on the `audit` queue before anything is printed, as the gateway holds its answers).
 * Exit status: 0 done, 1 refused or failed, 2 wrong usage.
 */
import { parseArgs } from 'node:util';
import { ProblemError, type ProblemKind } from '../domain/problem';
import { ConfigError, loadConfig } from '../platform/config';
import type { AdminCommand, CommandInput, CommandResult } from './command';
import { audit } from './commands/audit';
import { cacheForget } from './commands/cache';
import { deadLettersList, deadLettersRetry } from './commands/dead-letters';
import { installProfiles } from './commands/install-profiles';
import { republish } from './commands/republish';
import { status } from './commands/status';
import { openSession, type AdminSession } from './session';

const COMMANDS: readonly AdminCommand[] = [
  deadLettersList,
  deadLettersRetry,
  republish,
  status,
  audit,
  cacheForget,
  installProfiles,
];

const USAGE = `usage: ordo-admin <command> [--json] [--operator <name>]
${COMMANDS.map((c) => `  ${c.usage}`).join('\n')}
The operator (--operator or ORDO_OPERATOR) is recorded in the audit trail of every command.
Reads FHIR_BASE_URL, DMP_FHIR_BASE_URL, REDIS_URL and QUEUE_PREFIX, as the gateway does.`;

/** HTTP-like statuses for the audit outcome (0 / 4 / 12 in the AuditEvent). */
const STATUS_OF: Partial<Record<ProblemKind, number>> = {
  malformed: 400,
  'not-found': 404,
  conflict: 409,
  invalid: 422,
  unavailable: 503,
  upstream: 502,
};

class UsageError extends Error {}

interface Invocation {
  command: AdminCommand;
  input: CommandInput;
  json: boolean;
  operator: string;
}

function parse(argv: string[], env: NodeJS.ProcessEnv): Invocation | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      operator: { type: 'string' },
      all: { type: 'boolean', default: false },
      queue: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length === 0) return 'help';
  // The longest name made of the first words: `dead-letters retry` before a bare word.
  const command =
    COMMANDS.find((c) => c.name === positionals.slice(0, 2).join('.')) ??
    COMMANDS.find((c) => c.name === positionals[0]);
  if (!command) throw new UsageError(`unknown command "${positionals.slice(0, 2).join(' ')}"`);
  const operator = (values.operator ?? env.ORDO_OPERATOR ?? '').trim();
  if (!operator) throw new UsageError('who is acting? give --operator <name> or set ORDO_OPERATOR (it is audited)');
  if (!/^[\w.@-]{1,64}$/.test(operator))
    throw new UsageError('--operator: 1 to 64 letters, digits, ".", "_", "-" or "@"');
  const words = command.name.split('.').length;
  return {
    command,
    json: values.json,
    operator,
    input: {
      args: positionals.slice(words),
      all: values.all,
      ...(values.queue !== undefined ? { queue: values.queue } : {}),
    },
  };
}

async function execute(session: AdminSession, { command, input }: Invocation): Promise<CommandResult> {
  const record = (outcome: CommandResult['records'][number]) =>
    session.audit({ command: command.name, interaction: command.interaction, action: command.action, ...outcome });
  let result: CommandResult;
  try {
    result = await command.run(session, input);
  } catch (err) {
    const kind = err instanceof ProblemError ? err.kind : 'internal';
    const detail = (err as Error).message.slice(0, 500);
    await record({ status: STATUS_OF[kind] ?? 500, detail, ...command.failedEntity(input) });
    throw err;
  }
  // The records first: nothing is shown of a command whose audit record could not be queued.
  for (const outcome of result.records) await record(outcome);
  return result;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let invocation: Invocation | 'help';
  try {
    invocation = parse(argv, env);
  } catch (err) {
    process.stderr.write(`ordo-admin: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (invocation === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let session: AdminSession | undefined;
  try {
    session = await openSession(loadConfig(env), invocation.operator);
    const result = await execute(session, invocation);
    process.stdout.write(invocation.json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
    return result.exitCode ?? 0;
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `${(err as Error).message}`;
    if (invocation.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.stderr.write(`ordo-admin ${invocation.command.name.replace('.', ' ')}: ${message}\n`);
    return 1;
  } finally {
    await session?.close().catch(() => undefined);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`ordo-admin: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
