/** What an ordo-admin subcommand is: its name, usage, what its audit record says, and its work. */
import { ProblemError } from '../domain/problem';
import type { AuditAction } from '../usecases/audit/audit-job';
import type { AdminAuditRecord, AdminSession } from './session';

export interface CommandInput {
  /** The arguments after the command's own words (e.g. the job id of `dead-letters retry <jobId>`). */
  args: string[];
  all: boolean;
  queue?: string;
}

/** The part of an audit record a command fills in: its status and entity. */
export type RecordedOutcome = Omit<AdminAuditRecord, 'command' | 'interaction' | 'action'>;

export interface CommandResult {
  /** What `--json` prints. */
  json: unknown;
  /** What a person reads. */
  text: string;
  /** One record per prescription acted on (retry --all), or one for the whole command. */
  records: RecordedOutcome[];
  /** Non-zero when the command ran but could not do what was asked (e.g. republish refused). */
  exitCode?: number;
}

export interface AdminCommand {
  /** Words that name it, joined by a dot: `dead-letters.retry`. */
  name: string;
  usage: string;
  /** FHIR restful-interaction and audit action of its record. */
  interaction: string;
  action: AuditAction;
  /** What its record names when the command fails before it knows more (the number asked, the query). */
  failedEntity(input: CommandInput): Pick<RecordedOutcome, 'number' | 'query'>;
  run(session: AdminSession, input: CommandInput): Promise<CommandResult>;
}

/** The commands about one prescription (`status <number>`…): what their failed record names. */
export const numberAsked = (input: CommandInput): Pick<RecordedOutcome, 'number'> =>
  input.args[0] ? { number: input.args[0] } : {};

/** The prescription number a command about one prescription was given, as typed. */
export function requiredNumber(input: CommandInput): string {
  const asked = input.args[0];
  if (!asked) throw ProblemError.of('malformed', 'required', 'name the prescription number');
  return asked;
}
