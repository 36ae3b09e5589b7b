/** What the CDA builders take and give: plain data, no clock, no randomness. */
import type { Address, Prescription } from '../../domain/prescription';

/** An HL7 II: an OID root, optionally with an extension that is unique within that root. */
export interface InstanceIdentifier {
  root: string;
  extension?: string;
}

export interface CodedValue {
  code: string;
  displayName: string;
  codeSystem: string;
}

/** The organisation responsible for keeping the document (CDA custodian). */
export interface CustodianOrganization {
  id: InstanceIdentifier;
  name: string;
  address?: Address;
  phone?: string;
}

export interface CdaDocumentInput {
  prescription: Prescription;
  /** The 18-character e-prescription number printed on the ordonnance and encoded in its QR code. */
  number: string;
  /** This version's unique id: `{root: "2.25.<uuid as integer>"}` (see oidFromUuid) or a root + extension. */
  documentId: InstanceIdentifier;
  /** Shared by every version of the same document. */
  setId: InstanceIdentifier;
  /** 1 for the first version, +1 for each replacement. */
  version: number;
  /** When this version is produced (ClinicalDocument/effectiveTime). */
  now: Date;
  /** The ordonnance as given to the patient (mandatory "Copie PDF" section). */
  pdf: Buffer;
  /** The "Code 2D" printed on the ordonnance, a PNG image. */
  qrPng: Buffer;
  /** Defaults to the prescriber's practice, as in the ANS examples. */
  custodian?: CustodianOrganization;
  /**
   * Overrides the author's profession/specialty code (JDV_J01, 1.2.250.1.213.1.1.4.5); by default the
   * prescriber's profession (header.ts authorProfession).
   */
  prescriberProfession?: CodedValue;
  /** Overrides the type of the place of care (1.2.250.1.71.4.2.4); by default the structure's (header.ts facilityType). */
  healthcareFacilityType?: CodedValue;
}

/** What every line section needs besides its lines (internal to the builders). */
export interface SectionInput {
  prescription: Prescription;
  documentId: InstanceIdentifier;
  /** HL7 TS of the prescription's date-time. */
  authored: string;
  /** HL7 date of the prescription (treatment start). */
  startDate: string;
}
