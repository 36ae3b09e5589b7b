/**
 * POST /prescriptions/{number}/consent: the patient's new choice about the prescriber seeing what
 * was dispensed. The stored consultation-delivrance Consent is updated with If-Match on the
 * version read (a new version, dateTime = now); a concurrent change makes it read again and retry.
 */
import type { Bundle, Consent, FhirResource } from 'fhir/r4';
import { withPatientChoice } from '../../fhir/dispensing/consent';
import { ownershipOf } from '../../fhir/ownership';
import type { Caller } from '../caller';
import type { UseCaseDeps } from '../ports';
import { appendOutbox, outboxJobs } from '../outbox/outbox-task';
import { withFreshReads } from './fresh-reads';
import { loadForDispensing } from './lookup';

export function recordPatientChoice(
  deps: Pick<UseCaseDeps, 'fhir' | 'now'>,
  caller: Caller,
  number: string,
  objects: boolean,
): Promise<Consent> {
  return withFreshReads(async ({ index, write }) => {
    const { found, stored } = await loadForDispensing(deps, number, index === 0 ? caller.lookups : undefined);
    if (index === 0) caller.authorize.recordConsent(ownershipOf(found));
    const consent = stored.dispensingConsent;
    const version = consent?.meta?.versionId;
    if (!consent || version === undefined)
      throw new Error(`prescription ${number} has no consultation-delivrance Consent`);
    const tx: Bundle<FhirResource> = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { ...withPatientChoice(consent, objects, deps.now()), id: consent.id },
          request: { method: 'PUT', url: `Consent/${consent.id}`, ifMatch: `W/"${version}"` },
        },
      ],
    };
    caller.noteAccess({ number });
    appendOutbox(tx, outboxJobs(caller.auditRecord()), {
      kind: 'consent',
      focus: `RequestGroup/${found.header.id}`,
      now: deps.now(),
    });
    // The store answers the new version of the Consent (the caller is shown what is stored).
    const response = await write(() => deps.fhir.transaction(tx, { headers: { prefer: 'return=representation' } }));
    const updated = response.entry?.[0]?.resource;
    if (updated?.resourceType !== 'Consent') throw new Error('the transaction-response does not give the Consent');
    return updated;
  }, `the patient's choice on prescription ${number} kept changing; retry`);
}
