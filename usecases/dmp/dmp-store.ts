/**
 * The document sharing server (DMP_FHIR_BASE_URL, a PDSm/MHD document recipient): publish a
 * provide bundle, find the documents of a prescription, mark one as no longer valid.
 * Only FHIR REST, through the FhirStore port (usecases/ports.ts); nothing HAPI-specific.
 */
import type { Bundle, DocumentReference, FhirResource, Parameters } from 'fhir/r4';
import type { FhirStore } from '../ports';
import { parseLocation } from '../../fhir/transaction-response';
import { oidSystem } from '../../fhir/systems';
import type { Patient } from '../../domain/prescription';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { ENTRY_INDEX } from '../../documents/dmp/provide-bundle';
import { XDS_CODES } from '../../documents/dmp/mhd';

export interface ProvideResult {
  documentReferenceId: string;
  binaryId: string;
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
  const submissionSet = idAt(response, ENTRY_INDEX.submissionSet, 'List');
  return {
    documentReferenceId: documentReference.id,
    binaryId: binary.id,
    submissionSetId: submissionSet.id,
    created: documentReference.created || binary.created || submissionSet.created,
  };
}

const relatesToPrescription = (doc: DocumentReference, number: string): boolean =>
  (doc.context?.related ?? []).some(
    (r) => r.identifier?.system === PRESCRIPTION_NUMBER_SYSTEM && r.identifier.value === number,
  );

/**
 * Every document entry of the patient's record that carries this prescription number, any status
 * (R4 `related` is a reference search parameter and HAPI has no `:identifier` modifier, so the
 * patient's prescriptions are fetched and filtered here).
 */
export async function findPrescriptionDocuments(
  dmp: FhirStore,
  ins: Patient['ins'],
  number: string,
): Promise<DocumentReference[]> {
  const bundle = await dmp.search<DocumentReference>('DocumentReference', {
    'patient.identifier': `${oidSystem(ins.oid)}|${ins.value}`,
    category: `${XDS_CODES.classCode.system}|${XDS_CODES.classCode.code}`,
    _count: '500',
  });
  return (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is DocumentReference => r?.resourceType === 'DocumentReference' && relatesToPrescription(r, number));
}

/** FHIRPath Patch (PDSm flux 03): the entry is no longer valid — XDS availabilityStatus Deprecated. */
export const SUPERSEDE_PATCH: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    {
      name: 'operation',
      part: [
        { name: 'type', valueCode: 'replace' },
        { name: 'path', valueString: 'DocumentReference.status' },
        { name: 'value', valueCode: 'superseded' },
      ],
    },
  ],
};

/**
 * Sets a current entry to superseded, on the version read (If-Match): a concurrent change makes
 * the server answer 412 and the job retries from a fresh read.
 */
export async function supersede(dmp: FhirStore, doc: DocumentReference & { id: string }): Promise<void> {
  const version = doc.meta?.versionId;
  await dmp.patch('DocumentReference', doc.id, SUPERSEDE_PATCH, version);
}
