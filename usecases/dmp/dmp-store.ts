/**
 * The document sharing server (DMP_FHIR_BASE_URL, a PDSm/MHD document recipient): publish a
 * provide bundle, find the entries of a prescription, mark one as no longer valid (deprecated)
 * or delete it logically (withdrawn). Only FHIR REST, through the FhirStore port
 * (usecases/ports.ts); the two token search parameters it uses are installed with the profiles.
 */
import type { Bundle, DocumentReference, FhirResource, Parameters } from 'fhir/r4';
import type { FhirStore } from '../ports';
import { parseLocation } from '../../fhir/transaction-response';
import { oidSystem } from '../../fhir/systems';
import type { Patient } from '../../domain/prescription';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { ENTRY_INDEX } from '../../documents/dmp/provide-bundle';
import { DMP_SEARCH, isPrescriptionDocument, PDSM_IS_DELETED, SUPERSEDE_PATCH } from '../../documents/dmp/mhd';

export interface ProvideResult {
  documentReferenceId: string;
  binaryId: string;
  /** The entry of the submission set's IHE DSG signature. */
  signatureReferenceId: string;
  submissionSetId: string;
  /** false when every entry matched what an earlier run of the same publication stored. */
  created: boolean;
}

function idAt(response: Bundle, index: number, what: string): { id: string; created: boolean } {
  const entry = response.entry?.[index]?.response;
  const target = entry?.location ? parseLocation(entry.location) : undefined;
  if (!entry || !target) throw new Error(`the provide bundle response has no location for the ${what}`);
  return { id: target.id, created: entry.status.startsWith('201') };
}

/**
 * Posts the provide bundle. Every entry is a conditional create, so the POST is idempotent and may
 * be repeated (by the FHIR client on a transient failure, by the queue on a retry).
 */
export async function provide(dmp: FhirStore, bundle: Bundle<FhirResource>): Promise<ProvideResult> {
  const response = await dmp.transaction(bundle, { idempotent: true });
  const documentReference = idAt(response, ENTRY_INDEX.documentReference, 'DocumentReference');
  const binary = idAt(response, ENTRY_INDEX.binary, 'Binary');
  const signatureReference = idAt(response, ENTRY_INDEX.signatureReference, 'signature DocumentReference');
  const signatureBinary = idAt(response, ENTRY_INDEX.signatureBinary, 'signature Binary');
  const submissionSet = idAt(response, ENTRY_INDEX.submissionSet, 'List');
  return {
    documentReferenceId: documentReference.id,
    binaryId: binary.id,
    signatureReferenceId: signatureReference.id,
    submissionSetId: submissionSet.id,
    created: [documentReference, binary, signatureReference, signatureBinary, submissionSet].some((e) => e.created),
  };
}

/** The ordonnance's own entry (XDS classCode 42), not the entry of its submission set's signature. */
export { isPrescriptionDocument };

/** Logically deleted (PDSm "suppression logique", XDS availabilityStatus Deleted). */
export const isDeleted = (doc: DocumentReference): boolean =>
  (doc.extension ?? []).some((e) => e.url === PDSM_IS_DELETED && e.valueBoolean === true);

/**
 * Every entry of the patient's record that carries this prescription number, any status: the
 * ordonnance documents and the signatures of their submission sets. One search on the two
 * token parameters of profiles/search-parameters (subject by INS, related prescription number).
 */
export async function findPrescriptionEntries(
  dmp: FhirStore,
  ins: Patient['ins'],
  number: string,
): Promise<DocumentReference[]> {
  const bundle = await dmp.search<DocumentReference>('DocumentReference', {
    [DMP_SEARCH.subjectIdentifier]: `${oidSystem(ins.oid)}|${ins.value}`,
    [DMP_SEARCH.relatedIdentifier]: `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`,
    _count: '100',
  });
  return (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is DocumentReference => r?.resourceType === 'DocumentReference');
}

/** The ordonnance documents of a prescription (not the signatures), any status. */
export async function findPrescriptionDocuments(
  dmp: FhirStore,
  ins: Patient['ins'],
  number: string,
): Promise<DocumentReference[]> {
  return (await findPrescriptionEntries(dmp, ins, number)).filter(isPrescriptionDocument);
}

/**
 * Sets a current entry to superseded, on the version read (If-Match): a concurrent change makes
 * the server answer 412 and the job retries from a fresh read.
 */
export async function supersede(dmp: FhirStore, doc: DocumentReference & { id: string }): Promise<void> {
  const version = doc.meta?.versionId;
  await dmp.patch('DocumentReference', doc.id, SUPERSEDE_PATCH, version);
}

/**
 * FHIRPath Patch (PDSm flux 03, "Suppression logique d'une fiche"): status superseded and
 * PDSm_IsDeleted = true — XDS availabilityStatus Deleted, the unpublication the patient asks for.
 */
export const LOGICAL_DELETION_PATCH: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    SUPERSEDE_PATCH.parameter![0]!,
    {
      name: 'operation',
      part: [
        { name: 'type', valueCode: 'add' },
        { name: 'path', valueString: 'DocumentReference' },
        { name: 'name', valueString: 'extension' },
        {
          name: 'value',
          part: [
            { name: 'url', valueUri: PDSM_IS_DELETED },
            { name: 'value', valueBoolean: true },
          ],
        },
      ],
    },
  ],
};

/** Deletes an entry logically, on the version read (If-Match), as supersede does. */
export async function deleteLogically(dmp: FhirStore, doc: DocumentReference & { id: string }): Promise<void> {
  await dmp.patch('DocumentReference', doc.id, LOGICAL_DELETION_PATCH, doc.meta?.versionId);
}
