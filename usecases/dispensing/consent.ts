/**
 * POST /prescriptions/{number}/consent: the patient's new choice about the prescriber seeing what
 * was dispensed. The stored consultation-delivrance Consent is updated with If-Match on the
 * version read (a new version, dateTime = now); a concurrent change makes it read again and retry.
 */
import type { Consent } from 'fhir/r4';
import { FhirServerError } from '../../store/fhir-client';
import { withPatientChoice } from '../../fhir/dispensing/consent';
import type { AppDeps } from '../../gateway/app';
import { HttpProblem } from '../../gateway/http-problem';
import type { PrescriptionOwnership } from '../../rules/access/policy';
import { ownershipOf } from '../../fhir/ownership';
import { clockOf } from '../../platform/clock';
import { loadForDispensing } from './lookup';
import { MAX_ATTEMPTS } from './record';

export async function recordPatientChoice(
  deps: Pick<AppDeps, 'fhir' | 'now'>,
  number: string,
  objects: boolean,
  authorize?: (owner: PrescriptionOwnership) => void,
): Promise<Consent> {
  const now = clockOf(deps);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { found, stored } = await loadForDispensing(deps, number);
    if (attempt === 0) authorize?.(ownershipOf(found));
    const consent = stored.dispensingConsent;
    const version = consent?.meta?.versionId;
    if (!consent || version === undefined) throw new Error(`prescription ${number} has no consultation-delivrance Consent`);
    try {
      const updated = await deps.fhir.update({ ...withPatientChoice(consent, objects, now()), id: consent.id }, version);
      return updated.resource;
    } catch (err) {
      if (err instanceof FhirServerError && err.isConflict) continue;
      throw err;
    }
  }
  throw HttpProblem.of(409, 'conflict', `the patient's choice on prescription ${number} kept changing; retry`);
}
