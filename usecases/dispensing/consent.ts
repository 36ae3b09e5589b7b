/**
 * POST /prescriptions/{number}/consent: the patient's new choice about the prescriber seeing what
 * was dispensed. The stored consultation-delivrance Consent is updated with If-Match on the
 * version read (a new version, dateTime = now); a concurrent change makes it read again and retry.
 */
import type { Consent } from 'fhir/r4';
import { withPatientChoice } from '../../fhir/dispensing/consent';
import { ownershipOf } from '../../fhir/ownership';
import type { Caller } from '../caller';
import type { UseCaseDeps } from '../ports';
import { withFreshReads } from './fresh-reads';
import { loadForDispensing } from './lookup';

export function recordPatientChoice(
  deps: Pick<UseCaseDeps, 'fhir' | 'now'>,
  caller: Caller,
  number: string,
  objects: boolean,
): Promise<Consent> {
  return withFreshReads(async ({ index, write }) => {
    const { found, stored } = await loadForDispensing(deps, number);
    if (index === 0) caller.authorize.recordConsent(ownershipOf(found));
    const consent = stored.dispensingConsent;
    const version = consent?.meta?.versionId;
    if (!consent || version === undefined)
      throw new Error(`prescription ${number} has no consultation-delivrance Consent`);
    const updated = await write(() =>
      deps.fhir.update({ ...withPatientChoice(consent, objects, deps.now()), id: consent.id }, version),
    );
    return updated.resource;
  }, `the patient's choice on prescription ${number} kept changing; retry`);
}
