/**
 * The counter outcomes in what a pharmacy or professional sends (README "Counter outcomes"), read
 * beside the delivered records of read-submission.ts. Pure.
 *  - a line not delivered: MedicationDispense `declined` + statusReasonCodeableConcept, Procedure
 *    `not-done` + statusReason, a coded reason (not-done-reasons.ts); SupplyDelivery cannot say it;
 *  - a dosage adapted: MedicationDispense.dosageInstruction, and the prescriber's agreement
 *    (extension ordo-ext-dosage-agreement: `prescriber` valueIdentifier RPPS, `agreedOn` valueDateTime);
 *  - a correction: the stored record sent again with status `entered-in-error`, named by its `id` or
 *    by an `identifier` it was stored with.
 */
import type { CodeableConcept, Extension, MedicationDispense, Procedure } from 'fhir/r4';
import { isValidRpps } from '../../domain/identifiers';
import type { Problem } from '../../domain/problem';
import type { RuleCode } from '../../domain/rule-codes';
import type { DispensedDosage, DosageAgreement } from '../../rules/dispensing/dosage-rules';
import type { RecordType } from '../../rules/dispensing/model';
import { EXECUTION_EXTENSIONS, RPPS_SYSTEM } from '../systems';
import {
  DISPENSE_STATUS_REASON_SYSTEMS,
  LOCAL_NOT_DONE_REASON_SYSTEM,
  NOT_DONE_STATUS,
  SNOMED_SYSTEM,
  reasonDisplay,
} from './not-done-reasons';
import type { ExecutionRecord } from './read-state';

const problem = (code: Problem['code'], path: string, message: string, rule: RuleCode): Problem => ({
  code,
  rule,
  path,
  message,
});

export const CORRECTION_STATUS = 'entered-in-error';

/** A stored record named for correction. */
export interface CorrectionRequest {
  at: string;
  recordType: RecordType;
  /** The stored id, when sent. */
  id?: string;
  /** `system|value` of its identifiers. */
  identifiers: string[];
}

/** Whether the record says nothing was delivered or done (its type's not-done status). */
export const isNotDone = (record: ExecutionRecord): boolean =>
  NOT_DONE_STATUS[record.resourceType] !== undefined && record.status === NOT_DONE_STATUS[record.resourceType];

/** The statuses a new record may have, for the message of a wrong one. */
export function acceptedStatuses(recordType: RecordType): string {
  const notDone = NOT_DONE_STATUS[recordType];
  return notDone
    ? `'completed' (delivered or done), '${notDone}' (not, with its reason) or '${CORRECTION_STATUS}' (a correction of a stored record)`
    : `'completed' (delivered) or '${CORRECTION_STATUS}' (a correction of a stored record); a device not delivered cannot be recorded: R4 SupplyDelivery has no reason element`;
}

/** D13: the coded reason of a record of a line not delivered. */
export function checkNotDoneReason(record: ExecutionRecord, at: string, problems: Problem[]): void {
  const [reason, path]: [CodeableConcept | undefined, string] =
    record.resourceType === 'MedicationDispense'
      ? [(record as MedicationDispense).statusReasonCodeableConcept, `${at}.statusReasonCodeableConcept`]
      : [(record as Procedure).statusReason, `${at}.statusReason`];
  const codings = reason?.coding ?? [];
  if (codings.some((c) => reasonDisplay(record.resourceType, c.system, c.code) !== undefined)) return;
  const standard =
    record.resourceType === 'MedicationDispense'
      ? `${DISPENSE_STATUS_REASON_SYSTEMS[0]} (e.g. outofstock, offmarket, sddi, saig)`
      : `${SNOMED_SYSTEM}`;
  problems.push(
    problem(
      reason ? 'value' : 'required',
      path,
      `a ${record.resourceType} with status '${record.status}' records why: a coding of ${standard} or ${LOCAL_NOT_DONE_REASON_SYSTEM} (contraindication, patient-refused, suspected-forgery)`,
      'D13',
    ),
  );
}

function readAgreement(extension: Extension, at: string, problems: Problem[]): DosageAgreement | undefined {
  const parts = extension.extension ?? [];
  const prescriberIndex = parts.findIndex((e) => e.url === 'prescriber');
  const agreedOnIndex = parts.findIndex((e) => e.url === 'agreedOn');
  const identifier = parts[prescriberIndex]?.valueIdentifier;
  const agreedOn = parts[agreedOnIndex]?.valueDateTime;
  const prescriberAt =
    prescriberIndex >= 0 ? `${at}.extension[${prescriberIndex}].valueIdentifier.value` : `${at}.extension`;
  const agreedOnAt = agreedOnIndex >= 0 ? `${at}.extension[${agreedOnIndex}].valueDateTime` : `${at}.extension`;
  const before = problems.length;
  if (identifier?.system !== RPPS_SYSTEM || identifier.value === undefined || !isValidRpps(identifier.value)) {
    problems.push(
      problem(
        identifier ? 'value' : 'required',
        prescriberAt,
        `the agreement names the prescriber who gave it: sub-extension 'prescriber', valueIdentifier {system ${RPPS_SYSTEM}, value <RPPS, 11 digits with a Luhn key>}`,
        'D14',
      ),
    );
  }
  if (agreedOn === undefined) {
    problems.push(
      problem(
        'required',
        agreedOnAt,
        "the agreement says when it was given: sub-extension 'agreedOn', valueDateTime",
        'D14',
      ),
    );
  }
  if (problems.length > before) return undefined;
  return { prescriberRpps: identifier!.value!, prescriberAt, agreedOn: agreedOn!, agreedOnAt };
}

/** D14: the dosage dispensed with a drug, and the prescriber's agreement if declared. */
export function readDosage(resource: MedicationDispense, at: string, problems: Problem[]): DispensedDosage | undefined {
  const index = (resource.extension ?? []).findIndex((e) => e.url === EXECUTION_EXTENSIONS.dosageAgreement);
  const extension = index >= 0 ? resource.extension![index]! : undefined;
  const instructions = resource.dosageInstruction ?? [];
  if (extension && instructions.length === 0) {
    problems.push(
      problem(
        'required',
        `${at}.dosageInstruction`,
        'a dosage agreement comes with the dosage agreed: dosageInstruction is required',
        'D14',
      ),
    );
    return undefined;
  }
  if (instructions.length === 0) return undefined;
  const agreement = extension ? readAgreement(extension, `${at}.extension[${index}]`, problems) : undefined;
  if (extension && !agreement) return undefined;
  return {
    instructions,
    at: `${at}.dosageInstruction`,
    agreementAt: `${at}.extension`,
    ...(agreement ? { agreement } : {}),
  };
}

/** D15: a correction names the stored record by its id or an identifier. */
export function readCorrection(
  record: ExecutionRecord,
  at: string,
  problems: Problem[],
): CorrectionRequest | undefined {
  const identifiers = (record.identifier ?? [])
    .filter((i) => i.system !== undefined && i.value !== undefined)
    .map((i) => `${i.system}|${i.value}`);
  if (record.id === undefined && identifiers.length === 0) {
    problems.push(
      problem(
        'required',
        `${at}.id`,
        `a correction (status '${CORRECTION_STATUS}') names the stored record: its id (as answered when it was recorded) or an identifier it was recorded with`,
        'D15',
      ),
    );
    return undefined;
  }
  return { at, recordType: record.resourceType, ...(record.id !== undefined ? { id: record.id } : {}), identifiers };
}
