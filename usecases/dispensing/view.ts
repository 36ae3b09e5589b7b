/**
 * What a professional sees of a stored prescription: the prescription Bundle with its dispensing
 * summary (everything for a dispenser; for a prescriber whose patient objected, the prescription
 * without what was dispensed), the dispensing records alone for the prescriber, or a document.
 */
import { answerContext } from '../../fhir/dispensing/answer-context';
import type { Bundle, FhirResource } from 'fhir/r4';
import { parisDateOf } from '../../domain/paris-time';
import { DOCUMENT_KINDS, storedPrescriptionOf, type DocumentKind } from '../../documents/prescription-documents';
import { objectionMessage, patientObjectsToDispensingView } from '../../fhir/dispensing/consent';
import { dispensesBundle, prescriptionBundle } from '../../fhir/dispensing/summary';
import { ownershipOf } from '../../fhir/ownership';
import type { StoredPrescriptionBundle } from '../../fhir/prescription-search';
import { ProblemError } from '../../domain/problem';
import { prescriptionStatusOf } from '../../rules/dispensing/status';
import type { Caller } from '../caller';
import { dmpPublicationStatus } from '../dmp/status';
import type { UseCaseDeps } from '../ports';
import { loadForDispensing, loadPrescription, noteLoaded } from './lookup';

export interface ViewOptions {
  /** Where the auditor API serves stored resources: their fullUrls (fhir/public-urls.ts). */
  fullUrlBase: string;
}

export interface PrescriptionView {
  bundle: Bundle<FhirResource>;
  found: StoredPrescriptionBundle;
}

export async function viewPrescription(
  deps: Pick<UseCaseDeps, 'fhir' | 'now' | 'publicationJobs' | 'dmpStore' | 'prescriptionCache'>,
  caller: Caller,
  number: string,
  { fullUrlBase }: ViewOptions,
): Promise<PrescriptionView> {
  const { found, stored } = await loadForDispensing(deps, number, caller.lookups, { cached: true });
  noteLoaded(caller, found);
  caller.authorize.readPrescription(ownershipOf(found));
  const dmpPublication = await dmpPublicationStatus(
    { jobs: deps.publicationJobs, dmpStore: deps.dmpStore },
    stored.state.number,
    found,
  );
  const now = deps.now();
  const withheld =
    caller.principal.role === 'prescriber' && patientObjectsToDispensingView(stored.dispensingConsent)
      ? objectionMessage(stored.state.number)
      : undefined;
  const verdict = prescriptionStatusOf(stored.state, parisDateOf(now));
  const bundle = prescriptionBundle(stored, found.bundle.entry ?? [], verdict, {
    now,
    fullUrlBase,
    dmpPublication,
    ...(withheld ? { withheld } : {}),
  });
  return { bundle, found };
}

/** What was dispensed, for the prescriber of the prescription, unless the patient objected. */
export async function viewDispenses(
  deps: Pick<UseCaseDeps, 'fhir' | 'now'>,
  caller: Caller,
  number: string,
  { fullUrlBase }: ViewOptions,
): Promise<Bundle<FhirResource>> {
  const { found, stored } = await loadForDispensing(deps, number, caller.lookups);
  noteLoaded(caller, found);
  caller.authorize.readDispenses(ownershipOf(found), patientObjectsToDispensingView(stored.dispensingConsent));
  const now = deps.now();
  const context = answerContext(
    [],
    (found.bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])),
  );
  return dispensesBundle(stored, prescriptionStatusOf(stored.state, parisDateOf(now)), context, { now, fullUrlBase });
}

export interface RenderedDocument {
  contentType: string;
  body: Buffer | string;
}

/** A document the gateway renders, by its file name; not found otherwise. */
export function documentKindOf(name: string): DocumentKind {
  const kind = DOCUMENT_KINDS.get(name);
  if (!kind)
    throw ProblemError.of('not-found', 'not-found', `no document "${name}"; try qr.png, qr.svg or ordonnance.pdf`);
  return kind;
}

/** The QR code or the printable ordonnance, rendered from what is stored. */
export async function renderDocument(
  deps: Pick<UseCaseDeps, 'fhir'>,
  caller: Caller,
  number: string,
  kind: DocumentKind,
): Promise<RenderedDocument> {
  const found = await loadPrescription(deps, number, caller.lookups);
  noteLoaded(caller, found);
  caller.authorize.readPrescription(ownershipOf(found));
  return { contentType: kind.contentType, body: await kind.render(storedPrescriptionOf(found)) };
}
