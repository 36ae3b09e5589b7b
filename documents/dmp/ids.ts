/**
 * The identifiers of one DMP publication, derived — never drawn at random — from the source OID,
 * the prescription number and the published version. A job that is retried, or re-run after a
 * crash between publishing and acknowledging, therefore builds the same document with the same
 * uniqueId, and the conditional creates of the provide bundle find what the first run stored.
 *
 * UUIDs are name-based, version 5 (RFC 9562 §5.5: SHA-1 of a namespace UUID and a name); OIDs
 * are 2.25.<UUID as an integer> (ITU-T X.667), the form the DMP accepts for a uniqueId.
 */
import { createHash } from 'node:crypto';
import { oidFromUuid } from '../cda/document-ids';

/** Namespace of every name-based UUID this module makes (a constant, random UUID). */
export const DMP_UUID_NAMESPACE = '251a8ab9-c7b9-4b60-9019-0eee1884efa3';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 version 5 UUID of `name` in `namespace`. */
export function uuidV5(namespace: string, name: string): string {
  if (!UUID.test(namespace)) throw new RangeError(`not a UUID: ${namespace}`);
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface PublicationIds {
  /** XDS uniqueId of the document = CDA ClinicalDocument/id (an OID). */
  documentOid: string;
  /** CDA setId: shared by every version of the prescription's document. */
  setOid: string;
  /** XDS uniqueId of the submission set (List.identifier, usual). */
  submissionSetOid: string;
  /** XDS uniqueId of the IHE DSG signature document of the submission set. */
  signatureOid: string;
  /**
   * fullUrls (urn:uuid) of the entries in the provide bundle. Only references inside the bundle:
   * the entryUUIDs themselves are assigned by the DMP (PDSm), so none is sent as an identifier.
   */
  fullUrls: {
    documentReference: string;
    binary: string;
    signatureReference: string;
    signatureBinary: string;
    submissionSet: string;
  };
}

export interface PublicationKey {
  sourceOid: string;
  number: string;
  version: number;
}

export function publicationIds({ sourceOid, number, version }: PublicationKey): PublicationIds {
  if (!Number.isInteger(version) || version < 1)
    throw new RangeError(`version must be a positive integer, got ${version}`);
  const name = (part: string) => uuidV5(DMP_UUID_NAMESPACE, `${sourceOid}|${number}|${part}`);
  return {
    documentOid: oidFromUuid(name(`v${version}|document`)),
    setOid: oidFromUuid(name('document-set')),
    submissionSetOid: oidFromUuid(name(`v${version}|submission-set`)),
    signatureOid: oidFromUuid(name(`v${version}|submission-set-signature`)),
    fullUrls: {
      // The names of the former entryUUIDs are kept: the same publication keeps the same fullUrls.
      documentReference: uuidUrn(name(`v${version}|document-entry`)),
      binary: uuidUrn(name(`v${version}|binary`)),
      signatureReference: uuidUrn(name(`v${version}|signature-entry`)),
      signatureBinary: uuidUrn(name(`v${version}|signature-binary`)),
      submissionSet: uuidUrn(name(`v${version}|submission-set-entry`)),
    },
  };
}

/** An OID as an RFC 3986 URI (the form of MHD uniqueIds). */
export const oidUrn = (oid: string): string => `urn:oid:${oid}`;
/** A UUID as an RFC 3986 URI (the form of MHD entryUUIDs). */
export const uuidUrn = (uuid: string): string => `urn:uuid:${uuid}`;
