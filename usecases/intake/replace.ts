/**
 * Replacing a prescription by a corrected one (POST /prescriptions/{number}/replace, or a
 * prescription-create message whose MessageHeader names the replaced number): README "Replacing a
 * prescription".
 *
 * The payload is checked and authorised exactly as at intake; then, on a fresh read of the old
 * prescription: its author (or the locum who signed it) only, the same patient, nothing dispensed
 * (rules/dispensing/replace-rules.ts). The new prescription and the old one's deactivation are ONE
 * transaction guarded by If-Match on the old versions (fhir/replacement.ts): a dispense or another
 * replacement committing in between makes it fail whole, and it is decided again on the new state
 * (usecases/dispensing/fresh-reads.ts) — the dispense that won makes it a 409, the replacement that
 * won too. Idempotent like intake: the same message (message key + content) is answered with the
 * prescription it made, checked before anything else on every attempt.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, FhirResource, Patient as FhirPatient } from 'fhir/r4';
import { parisDateOf } from '../../domain/paris-time';
import { ProblemError, type Problem } from '../../domain/problem';
import { messageContentKey } from '../../fhir/build-transaction';
import { ownershipOf } from '../../fhir/ownership';
import { readPatient, resolverFor } from '../../fhir/read-prescription';
import { buildReplacementTransaction } from '../../fhir/replacement';
import { idsFromTransactionResponse } from '../../fhir/transaction-response';
import type { VendorMapper } from '../../mappers/mapper';
import { planReplacement } from '../../rules/dispensing/replace-rules';
import { toVendorPaths } from '../../rules/intake';
import type { Caller } from '../caller';
import { withFreshReads } from '../dispensing/fresh-reads';
import { changing, loadForDispensing, type LoadedForDispensing } from '../dispensing/lookup';
import type { DmpPublishJob } from '../dmp/publish-job';
import { outboxEntry, outboxJobs } from '../outbox/outbox-task';
import type { UseCaseDeps } from '../ports';
import { findHeaderByMessageKey, findHeaderByNumber } from '../prescriptions/repository';
import { buildTransaction, checkPayload, payloadHashOf, type CheckedPayload } from './prepare';
import { signedWithProfession } from './signer-profession';
import { createdResult, NumberTakenError, numberFor, replayOf, type IntakeResult } from './store';

export type ReplaceDeps = Pick<UseCaseDeps, 'fhir' | 'now' | 'numberIssuer' | 'dmpQueue' | 'xsd'>;

export interface ReplaceResult extends IntakeResult {
  /** The number of the prescription replaced. */
  replaces: string;
}

const invalid = (problems: Problem[]): ProblemError => new ProblemError('invalid', problems);

/**
 * The replaced number, once: the URL's, the payload's (a message's MessageHeader extension), and
 * both must agree. The checked payload carries it, so that it is part of the content hash: the same
 * message id sent as a plain prescription and as a replacement is other content (409).
 */
function withReplacedNumber(checked: CheckedPayload, fromPath: string | undefined): CheckedPayload {
  const sent = checked.prescription.replaces;
  if (fromPath !== undefined && sent !== undefined && sent !== fromPath) {
    throw invalid(
      toVendorPaths(
        [
          {
            code: 'value',
            rule: 'D17',
            path: '/replaces',
            message: `the message replaces prescription ${sent} but was sent to replace ${fromPath}`,
          },
        ],
        checked.sourceMap,
      ),
    );
  }
  const replaces = sent ?? fromPath;
  if (replaces === undefined) throw new Error('a replacement without the number it replaces');
  if (sent !== undefined) return checked;
  const prescription = { ...checked.prescription, replaces };
  return { ...checked, prescription, payloadSha256: payloadHashOf(prescription) };
}

/** The replacement is for the patient of the replaced prescription: the same INS (OID and value). */
function checkSamePatient(checked: CheckedPayload, loaded: LoadedForDispensing): void {
  const resolved = resolverFor(loaded.found.bundle.entry ?? [])(loaded.stored.patientReference);
  const stored = resolved?.resourceType === 'Patient' ? readPatient(resolved as FhirPatient, '').value.ins : undefined;
  const sent = checked.prescription.patient.ins;
  if (stored && stored.oid === sent.oid && stored.value === sent.value) return;
  throw invalid(
    toVendorPaths(
      [
        {
          code: 'business-rule',
          rule: 'D17',
          path: '/patient/ins/value',
          message: `the patient (INS) is not the patient of prescription ${loaded.stored.state.number}: a replacement is for the same patient`,
        },
      ],
      checked.sourceMap,
    ),
  );
}

/** What the replacement owes the queues: the new prescription's publication, or the old one's deprecation. */
function jobsOf(checked: CheckedPayload, number: string, loaded: LoadedForDispensing): DmpPublishJob[] {
  // The new document supersedes the old one in its own provide bundle (usecases/dmp/replacement.ts);
  // when the patient now objects to the DMP feed, the old document is deprecated like a cancellation's.
  if (!checked.prescription.consent.dmpOptOut) return [{ number, version: 1, action: 'publish' }];
  const old = loaded.stored.state.number;
  return [{ number: old, version: Number(loaded.stored.headerVersion) + 1, action: 'deprecate' }];
}

/** A vendor-supplied number is a lookup, paid like at intake (usecases/intake/accept.ts); a taken one costs a miss. */
async function checkNumberFree(deps: ReplaceDeps, caller: Caller, number: string, attempt: number): Promise<void> {
  if (attempt === 0) await caller.lookups.spend();
  if (!(await findHeaderByNumber(deps.fhir, number))) return;
  await caller.lookups.spendMiss();
  throw new NumberTakenError(number);
}

async function replay(
  deps: ReplaceDeps,
  checked: CheckedPayload,
  replaces: string,
): Promise<ReplaceResult | undefined> {
  const stored = await findHeaderByMessageKey(deps.fhir, checked.messageKey);
  return stored ? { ...replayOf(stored, checked), replaces } : undefined;
}

/**
 * Throws a ProblemError when refused (malformed, invalid, forbidden, not-found, conflict); nothing is
 * stored then. `replacedNumber` is the URL's (REST), absent for a message (its MessageHeader names it).
 */
export async function replacePrescription(
  deps: ReplaceDeps,
  caller: Caller,
  mapper: VendorMapper,
  body: Buffer,
  replacedNumber?: string,
): Promise<ReplaceResult> {
  const payload = await checkPayload(body, mapper, deps.now(), deps.xsd);
  if (!payload.ok) throw new ProblemError(payload.kind, payload.problems);
  return replaceChecked(deps, caller, payload.value, replacedNumber);
}

/** The replacement of a checked payload (intake hands over a message that names the number it replaces). */
export async function replaceChecked(
  deps: ReplaceDeps,
  caller: Caller,
  payload: CheckedPayload,
  replacedNumber?: string,
): Promise<ReplaceResult> {
  const checked = withReplacedNumber(payload, replacedNumber);
  const oldNumber = checked.prescription.replaces!;
  // As at intake (usecases/intake/accept.ts authorizeIntake): a prescription the caller signs, lines in their scope.
  caller.authorize.createPrescription(checked.prescription);
  caller.authorize.prescribeLines(checked.prescription, checked.sourceMap);

  const result = await withFreshReads(async ({ index, write }) => {
    const replayed = await replay(deps, checked, oldNumber);
    if (replayed) return replayed;
    const loaded = await loadForDispensing(deps, oldNumber, index === 0 ? caller.lookups : undefined);
    if (index === 0) caller.authorize.replacePrescription(ownershipOf(loaded.found), checked.prescription);
    checkSamePatient(checked, loaded);
    const plan = planReplacement(loaded.stored.state, parisDateOf(deps.now()));
    if (plan.refusal.length > 0) throw new ProblemError('conflict', plan.refusal);

    const number = numberFor(deps, checked);
    if (checked.prescription.number !== undefined) await checkNumberFree(deps, caller, number, index);
    // The signer's profession from the token, as at intake (after the payload's hash: replays match).
    const built = buildTransaction(signedWithProfession(checked, caller.principal), number, randomUUID);
    if (!built.ok) throw new ProblemError(built.kind, built.problems);
    const tx = buildReplacementTransaction(built.value, { number }, loaded.stored, plan.revoke);
    const jobs = jobsOf(checked, number, loaded);
    // The audit record names the new prescription (a create); its RequestGroup names the old one (`replaces`).
    caller.noteAccess({ number });
    const outbox = outboxEntry(outboxJobs(caller.auditRecord(), jobs), {
      key: `replace:${messageContentKey(checked)}`,
      focus: tx.headerFullUrl,
      now: deps.now(),
      fullUrl: `urn:uuid:${randomUUID()}`,
    });
    if (outbox) tx.bundle.entry!.push(outbox);

    const response = await write(() => changing(deps, oldNumber, () => deps.fhir.transaction(tx.bundle)));
    const ids = idsFromTransactionResponse(
      firstEntries(tx.bundle, tx.intakeEntries),
      firstEntries(response, tx.intakeEntries),
    );
    for (const job of jobs) await deps.dmpQueue.enqueue(job);
    return { ...createdResult(ids, number, checked), replaces: oldNumber } satisfies ReplaceResult;
  }, `prescription ${oldNumber} kept changing while it was being replaced; nothing was stored: retry`);
  caller.noteAccess({ number: result.number });
  // A replay enqueues again (one job per id, so harmless), as intake does: its first enqueue may have been lost.
  if (!result.created && result.dmpAllowed)
    await deps.dmpQueue.enqueue({ number: result.number, version: 1, action: 'publish' });
  return result;
}

const firstEntries = <T extends Bundle<FhirResource> | Bundle>(bundle: T, count: number): T => ({
  ...bundle,
  entry: (bundle.entry ?? []).slice(0, count),
});
