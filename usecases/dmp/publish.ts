/**
 * One publication to the DMP: read the prescription back from the FHIR store, render its QR code
 * and PDF (the same bytes the gateway serves), build the CDA, sign the submission set (IHE DSG
 * detached XAdES signature whose manifest names the CDA), and post the PDSm provide bundle. The I/O is here; every builder it calls is pure.
 */
import type { Bundle, FhirResource, RequestGroup } from 'fhir/r4';
import { buildDmpDocument, type DmpDocumentKind } from '../../documents/cda/dmp-document';
import { signSubmissionSet, type SigningCredentials } from '../../documents/signature';
import type { FhirStore } from '../ports';
import { qrPng as renderQrPng } from '../../documents/qr-code';
import { ordonnancePdfWith, storedPrescriptionOf } from '../../documents/prescription-documents';
import { findPrescriptionByNumber } from '../prescriptions/repository';
import type { StoredPrescription } from '../../fhir/read-prescription';
import { provide } from './dmp-store';
import { deterministic, PoisonJobError } from './errors';
import { oidUrn, publicationIds } from '../../documents/dmp/ids';
import type { StageRunner } from './stage';
import { buildProvideBundle } from '../../documents/dmp/provide-bundle';
import { withReplacement } from '../../documents/dmp/replacement';
import { REPLACEMENT_EXTENSIONS } from '../../fhir/systems';
import { documentsReplacedBy } from './replacement';

export interface PublishDeps {
  /** The gateway's FHIR store, where the prescription is. */
  fhir: FhirStore;
  /** The document sharing server. */
  dmp: FhirStore;
  credentials: SigningCredentials;
  sourceOid: string;
  /** Runs one step and records its duration. */
  stage: StageRunner;
  /** Whether a publication of a prescription is still queued or running (a replacement waits for the replaced one's). */
  publicationPending?(number: string, beforeVersion: number): Promise<boolean>;
}

export interface PublishRequest {
  number: string;
  version: number;
  /** When the publication was requested (the job's creation): CDA effectiveTime and signing time. */
  submittedAt: Date;
}

export type PublishResult =
  | {
      outcome: 'published';
      documentReferenceId: string;
      binaryId: string;
      submissionSetId: string;
      /** The document uniqueId (urn:oid:2.25.…). */
      uniqueId: string;
      kind: DmpDocumentKind;
      size: number;
      /** false when an earlier run had already stored this publication (a re-run after a crash). */
      created: boolean;
    }
  | { outcome: 'skipped'; reason: 'patient-opted-out' | 'prescription-cancelled' | 'prescription-replaced' }
  /** A replacement whose replaced prescription's publication is still pending (usecases/dmp/replacement.ts). */
  | { outcome: 'wait-for-publication' };

/** Header statuses of a prescription that must not reach the DMP (a cancelled one is deprecated instead). */
const CANCELLED: ReadonlySet<RequestGroup['status']> = new Set(['revoked', 'entered-in-error']);
export const isCancelledHeader = (header: RequestGroup): boolean => CANCELLED.has(header.status);
const isReplacedHeader = (header: RequestGroup): boolean =>
  (header.extension ?? []).some((e) => e.url === REPLACEMENT_EXTENSIONS.replacedBy);

export async function readStoredPrescription(
  fhir: FhirStore,
  number: string,
): Promise<{ header: RequestGroup; stored: StoredPrescription }> {
  const found = await findPrescriptionByNumber(fhir, number, { records: false });
  if (!found) throw new PoisonJobError(`no prescription has the number ${number}`);
  const stored = await deterministic(`prescription ${number}`, () => storedPrescriptionOf(found));
  return { header: found.header, stored };
}

export interface PreparedPublication {
  bundle: Bundle<FhirResource>;
  kind: DmpDocumentKind;
  /** The document uniqueId (urn:oid:2.25.…). */
  uniqueId: string;
  /** Size of the CDA document in bytes. */
  size: number;
}

/**
 * Everything between reading the prescription and posting it: QR + PDF, CDA, submission set
 * signature, provide bundle. No I/O, and deterministic for a given request (the signing time is the request's
 * submission time): a retry builds the very same bytes.
 */
export async function preparePublication(
  deps: Pick<PublishDeps, 'credentials' | 'sourceOid' | 'stage'>,
  stored: StoredPrescription,
  request: PublishRequest,
): Promise<PreparedPublication> {
  const { number, version, submittedAt } = request;
  const { qrPng, pdf } = await deps.stage('render', () =>
    deterministic('rendering the QR code and the PDF', async () => {
      // The QR code is rendered once, for the Code 2D section and the PDF; the integration test
      // checks these bytes against what GET …/qr.png and …/ordonnance.pdf serve.
      const qr = await renderQrPng(stored.prescription, stored.number);
      return { qrPng: qr, pdf: await ordonnancePdfWith(stored, qr) };
    }),
  );
  const ids = publicationIds({ sourceOid: deps.sourceOid, number, version });
  const document = await deps.stage('build', () =>
    deterministic('building the CDA document', () =>
      buildDmpDocument({
        prescription: stored.prescription,
        number,
        documentId: { root: ids.documentOid },
        setId: { root: ids.setOid },
        version,
        now: submittedAt,
        pdf,
        qrPng,
      }),
    ),
  );
  // The repository holds the CDA as built: these bytes are the Binary, and what the manifest digests.
  const content = Buffer.from(document.xml, 'utf8');
  const signature = await deps.stage('sign', () =>
    deterministic('signing the submission set', async () =>
      Buffer.from(
        await signSubmissionSet([{ uniqueId: oidUrn(ids.documentOid), content }], deps.credentials, {
          signingTime: submittedAt,
        }),
        'utf8',
      ),
    ),
  );
  const bundle = await deterministic('building the provide bundle', () =>
    buildProvideBundle({
      prescription: stored.prescription,
      number,
      ids,
      sourceOid: deps.sourceOid,
      kind: document.kind,
      content,
      signature,
      submittedAt,
    }),
  );
  return { bundle, kind: document.kind, uniqueId: oidUrn(ids.documentOid), size: content.length };
}

export async function publishPrescription(deps: PublishDeps, request: PublishRequest): Promise<PublishResult> {
  const { header, stored } = await deps.stage('read', () => readStoredPrescription(deps.fhir, request.number));
  // Its replacement supersedes whatever was published of it (README "Replacing a prescription").
  if (isReplacedHeader(header)) return { outcome: 'skipped', reason: 'prescription-replaced' };
  if (isCancelledHeader(header)) return { outcome: 'skipped', reason: 'prescription-cancelled' };
  if (stored.prescription.consent.dmpOptOut) return { outcome: 'skipped', reason: 'patient-opted-out' };
  const replaced = await documentsReplacedBy(deps, header, stored.prescription.patient);
  if (replaced === 'wait') return { outcome: 'wait-for-publication' };
  const prepared = await preparePublication(deps, stored, request);
  const bundle = withReplacement(prepared.bundle, replaced);
  const published = await deps.stage('publish', () => provide(deps.dmp, bundle));
  return { outcome: 'published', ...published, uniqueId: prepared.uniqueId, kind: prepared.kind, size: prepared.size };
}
