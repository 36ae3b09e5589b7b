/**
 * The dry run of intake (POST /prescriptions/$validate): what POST /prescriptions would answer, without
 * storing anything. The same checks in the same order as acceptPrescription — the payload (mapping, the
 * format's structure, V1–V12, the number's form), the signer and the prescribing scope (authorizeIntake),
 * the R4 schema of the transaction (buildTransaction) — and, when all pass, the transaction Bundle
 * POST /prescriptions would post to the store.
 *
 * It makes no store request and spends no number lookup. So it does not check what only the store knows:
 * whether a vendor-supplied number is taken (N2, said in an information issue) or whether the message id
 * was used for other content (M1). Without a vendor-supplied number the Bundle carries a placeholder of 18
 * zeros where POST /prescriptions writes the number it assigns (N3). The outbox entry POST /prescriptions
 * adds to the transaction (the gateway's own jobs) is not shown.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, FhirResource, Parameters } from 'fhir/r4';
import { NUMBER_LENGTH, normalizePrescriptionNumber } from '../../domain/prescription-number';
import { ProblemError, toOperationOutcome, type Problem } from '../../domain/problem';
import type { VendorMapper } from '../../mappers/mapper';
import type { Caller } from '../caller';
import type { UseCaseDeps } from '../ports';
import { authorizeIntake } from './accept';
import { buildTransaction, checkPayload, type CheckedPayload } from './prepare';
import { signedWithProfession } from './signer-profession';

/** Stands for the number POST /prescriptions assigns: well-formed (so the Bundle is what would be stored), and plainly not a real one. */
export const PLACEHOLDER_NUMBER = '0'.repeat(NUMBER_LENGTH);

/** What POST /prescriptions would do with the payload: store it (201), or refuse it (422, 403). */
export type DryRunVerdict = 'valid' | 'invalid' | 'forbidden';

export interface DryRunResult {
  verdict: DryRunVerdict;
  /** The answer: `outcome` (the problems, or the information that the payload is valid) and, when valid, `return`. */
  parameters: Parameters;
}

function answer(verdict: DryRunVerdict, issues: readonly Problem[], transaction?: Bundle<FhirResource>): DryRunResult {
  return {
    verdict,
    parameters: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'outcome', resource: toOperationOutcome(issues) },
        ...(transaction ? [{ name: 'return', resource: transaction }] : []),
      ],
    },
  };
}

/** The signer and the prescribing scope: their refusal, or undefined when the caller may submit it. */
function intakeRefusal(caller: Caller, checked: CheckedPayload): Problem[] | undefined {
  try {
    authorizeIntake(caller, checked);
    return undefined;
  } catch (err) {
    if (err instanceof ProblemError && err.kind === 'forbidden') return err.problems;
    throw err;
  }
}

/** What is said of the number of a valid payload: kept as sent but not looked up (N2), or assigned on POST (N3). */
function numberNote(checked: CheckedPayload): Problem {
  const sent = checked.prescription.number;
  if (sent === undefined) {
    return {
      code: 'informational',
      severity: 'information',
      rule: 'N3',
      message: `the prescription number is assigned when POST /prescriptions stores the prescription: ${PLACEHOLDER_NUMBER} stands for it in this Bundle`,
    };
  }
  const path = checked.sourceMap['/number'];
  return {
    code: 'informational',
    severity: 'information',
    rule: 'N2',
    ...(path ? { path } : {}),
    message: `the prescription number ${normalizePrescriptionNumber(sent)} is kept as sent; whether another prescription has it is not checked here (that is a number lookup): POST /prescriptions checks it`,
  };
}

/**
 * The verdict on a payload. Throws what POST /prescriptions throws for a payload it cannot read (malformed:
 * 400); any other refusal is the verdict's, not thrown.
 */
export async function dryRunPrescription(
  deps: Pick<UseCaseDeps, 'now' | 'xsd'>,
  caller: Caller,
  mapper: VendorMapper,
  body: Buffer,
  newUuid: () => string = randomUUID,
): Promise<DryRunResult> {
  const checked = await checkPayload(body, mapper, deps.now(), deps.xsd);
  if (!checked.ok) {
    if (checked.kind === 'malformed') throw new ProblemError(checked.kind, checked.problems);
    return answer('invalid', checked.problems);
  }
  const refused = intakeRefusal(caller, checked.value);
  if (refused) return answer('forbidden', refused);
  const sent = checked.value.prescription.number;
  const number = sent === undefined ? PLACEHOLDER_NUMBER : normalizePrescriptionNumber(sent);
  const built = buildTransaction(signedWithProfession(checked.value, caller.principal), number, newUuid);
  if (!built.ok) return answer('invalid', built.problems);
  const valid: Problem = {
    code: 'informational',
    severity: 'information',
    rule: 'intake',
    message: 'valid: POST /prescriptions would accept this payload and store the Bundle returned (nothing was stored)',
  };
  return answer('valid', [valid, numberNote(checked.value)], built.value);
}
