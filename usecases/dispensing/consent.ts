/**
 * POST /prescriptions/{number}/consent: the patient's new choice, one per request — the
 * prescriber seeing what was dispensed (consultation-delivrance), or an objection to the DMP
 * feed (alimentation-dmp). The stored Consent of that topic is updated with If-Match on the
 * version read (a new version, dateTime = now); a concurrent change makes it read again and retry.
 *
 * An objection to the DMP feed owes a `withdraw` job (in the same transaction's outbox): the
 * documents already published are deleted logically from the DMP (usecases/dmp/withdraw.ts), and
 * any later publication job of the prescription sees the objection and publishes nothing.
 */
import type { Bundle, Consent, FhirResource } from 'fhir/r4';
import { withPatientChoice, type PatientChoice } from '../../fhir/dispensing/consent';
import { CONSENT_TOPICS } from '../../fhir/systems';
import type { DmpPublishJob } from '../dmp/publish-job';
import { ownershipOf } from '../../fhir/ownership';
import type { Caller } from '../caller';
import type { UseCaseDeps } from '../ports';
import { appendOutbox, outboxJobs } from '../outbox/outbox-task';
import { withFreshReads } from './fresh-reads';
import { changing, loadForDispensing } from './lookup';

export function recordPatientChoice(
  deps: Pick<UseCaseDeps, 'fhir' | 'now' | 'dmpQueue'>,
  caller: Caller,
  number: string,
  { topic, objects }: PatientChoice,
): Promise<Consent> {
  return withFreshReads(async ({ index, write }) => {
    const { found, stored } = await loadForDispensing(deps, number, index === 0 ? caller.lookups : undefined);
    if (index === 0) caller.authorize.recordConsent(ownershipOf(found));
    const consent = topic === CONSENT_TOPICS.dmp ? stored.dmpConsent : stored.dispensingConsent;
    const version = consent?.meta?.versionId;
    if (!consent || version === undefined) throw new Error(`prescription ${number} has no ${topic} Consent`);
    // Keyed by the header version: one withdrawal per prescription state, queued twice = one job.
    const withdrawal: DmpPublishJob[] =
      topic === CONSENT_TOPICS.dmp && objects
        ? [{ number, version: Number(stored.headerVersion), action: 'withdraw' }]
        : [];
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
    appendOutbox(tx, outboxJobs(caller.auditRecord(), withdrawal), {
      kind: 'consent',
      focus: `RequestGroup/${found.header.id}`,
      now: deps.now(),
    });
    // The store answers the new version of the Consent (the caller is shown what is stored).
    const response = await write(() =>
      changing(deps, number, () => deps.fhir.transaction(tx, { headers: { prefer: 'return=representation' } })),
    );
    const updated = response.entry?.[0]?.resource;
    if (updated?.resourceType !== 'Consent') throw new Error('the transaction-response does not give the Consent');
    for (const job of withdrawal) await deps.dmpQueue.enqueue(job);
    return updated;
  }, `the patient's choice on prescription ${number} kept changing; retry`);
}
