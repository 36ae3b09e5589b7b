/**
 * A dosage adapted at the counter with the prescriber's agreement (rule D14). The pharmacist may hand
 * a drug over with another dosage than the prescribed one only once the prescriber agreed; the
 * record then says what was dispensed (MedicationDispense.dosageInstruction, the standard element)
 * and who agreed and when (extension ordo-ext-dosage-agreement). Pure: the prescribed dosages and
 * the prescription's prescribers come in.
 */
import type { Dosage } from 'fhir/r4';
import { canonicalJson } from '../../domain/canonical-json';
import { parisDateOf } from '../../domain/paris-time';
import { DATE_LIMITS } from '../../domain/limits';
import type { Problem } from '../../domain/problem';

export interface DosageAgreement {
  /** RPPS of the prescriber who agreed. */
  prescriberRpps: string;
  prescriberAt: string;
  /** When the agreement was given (date or RFC 3339 date-time). */
  agreedOn: string;
  agreedOnAt: string;
}

export interface DispensedDosage {
  instructions: Dosage[];
  at: string;
  agreement?: DosageAgreement;
  /** Where the agreement is expected (the record's extension list). */
  agreementAt: string;
}

export interface DosageContext {
  /** The prescribed dosageInstruction of each drug line, by `Type/id`. */
  prescribed: ReadonlyMap<string, readonly Dosage[]>;
  /** RPPS of the prescription's prescriber(s): the signer (and the locum's replaced practitioner, if any). */
  prescribers: readonly string[];
  /** Prescription date (RFC 3339 date or date-time). */
  authoredOn: string;
  now: Date;
}

/** A dosage's content without its ordering number: the same instructions in another order position still match. */
const comparable = (dosages: readonly Dosage[]): string =>
  canonicalJson(dosages.map(({ sequence: _sequence, ...rest }) => rest));

/** Whether the dispensed dosage differs from the prescribed one (a dispense restating the prescription needs no agreement). */
export const dosageDiffers = (prescribed: readonly Dosage[], dispensed: readonly Dosage[]): boolean =>
  comparable(prescribed) !== comparable(dispensed);

const dateOf = (value: string): string => (value.length === 10 ? value : parisDateOf(Date.parse(value)));

/** Problems of one drug dispense's dosage (none when it restates the prescription or the agreement is sound). */
export function checkDosage(lineReference: string, dosage: DispensedDosage, context: DosageContext): Problem[] {
  const prescribed = context.prescribed.get(lineReference) ?? [];
  const agreement = dosage.agreement;
  if (!agreement) {
    if (!dosageDiffers(prescribed, dosage.instructions)) return [];
    return [
      {
        code: 'business-rule',
        rule: 'D14',
        path: dosage.agreementAt,
        message:
          "the dosage dispensed differs from the prescribed one: record the prescriber's agreement (extension " +
          'ordo-ext-dosage-agreement: the prescriber RPPS and when they agreed), or dispense the prescribed dosage',
      },
    ];
  }
  const problems: Problem[] = [];
  if (!context.prescribers.includes(agreement.prescriberRpps)) {
    problems.push({
      code: 'business-rule',
      rule: 'D14',
      path: agreement.prescriberAt,
      message: `RPPS ${agreement.prescriberRpps} is not the prescriber of this prescription: only the prescriber may agree to another dosage`,
    });
  }
  const inFuture =
    agreement.agreedOn.length === 10
      ? agreement.agreedOn > parisDateOf(context.now)
      : Date.parse(agreement.agreedOn) > context.now.getTime() + DATE_LIMITS.clockToleranceMs;
  if (inFuture) {
    problems.push({
      code: 'value',
      rule: 'D14',
      path: agreement.agreedOnAt,
      message: `${agreement.agreedOn} is in the future (receiver clock ${context.now.toISOString()})`,
    });
  } else if (dateOf(agreement.agreedOn) < dateOf(context.authoredOn)) {
    problems.push({
      code: 'value',
      rule: 'D14',
      path: agreement.agreedOnAt,
      message: `${agreement.agreedOn} is before the prescription date (${dateOf(context.authoredOn)})`,
    });
  }
  return problems;
}
