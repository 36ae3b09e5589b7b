/**
 * The CDA header (everything before ClinicalDocument/component), shared by the eP-MED-DM document
 * and the act prescription document. Modelled on the ANS eP-MED-DM 2024.01 examples and IG.
 */
import type { Organization, Patient, PractitionerIdentity, Prescription } from '../../domain/prescription';
import { idNatPsFromRpps } from '../../domain/identifiers';
import { facilityTypeOf } from '../../domain/facility-types';
import { professionWords } from '../../domain/profession-titles';
import { AUTHOR_SPECIALTY_LABELS } from '../../domain/specialties';
import { addr, coded, ii, loinc, notAsked, personName, telecom } from './datatypes';
import { hl7Date, hl7DateTime, hl7InstantInParis, validityPeriod } from './hl7-time';
import { CODE_SYSTEMS, IDENTIFIER_ROOTS } from './oids';
import type { CdaDocumentInput, CodedValue, CustodianOrganization } from './types';
import { el, type XmlChild, type XmlElement } from './xml';

/** What differs between the two documents' headers. */
export interface DocumentKind {
  templateIds: XmlElement[];
  code: { code: string; displayName: string };
  title: string;
  /** Extra documentationOf/serviceEvent classCode="INFO" codes (TA_ASIP). */
  subtypes: { code: string; displayName: string }[];
}

/**
 * The author's code (JDV_J01-XdsAuthorSpecialty-CISIS, TRE_A02 1.2.250.1.213.1.1.4.5): the prescriber's
 * profession (domain/profession-titles.ts); undefined for a profession without a code of its own.
 */
export function authorProfession(p: Prescription): CodedValue | undefined {
  const code = professionWords(p.prescriber.profession).authorCode;
  if (!code) return undefined;
  // Profession/specialty ("G15_10/SM54") when the token named a specialty the value set has for it.
  const withSpecialty = p.prescriber.specialtyCode && `${code.code}/${p.prescriber.specialtyCode}`;
  const specialty = withSpecialty ? AUTHOR_SPECIALTY_LABELS[withSpecialty] : undefined;
  return specialty && withSpecialty
    ? { code: withSpecialty, displayName: specialty, codeSystem: CODE_SYSTEMS.professions }
    : { ...code, codeSystem: CODE_SYSTEMS.professions };
}

/** The type of the prescriber's structure (JDV_J02, TRE_R02 1.2.250.1.71.4.2.4): domain/facility-types.ts. */
export function facilityType(p: Prescription): CodedValue {
  const type = facilityTypeOf(p.organization);
  return { code: type.code, displayName: type.label, codeSystem: CODE_SYSTEMS.healthcareFacilityType };
}
export const AMBULATORY_SETTING: CodedValue = {
  code: 'AMBULATOIRE',
  displayName: 'Ambulatoire',
  codeSystem: CODE_SYSTEMS.practiceSetting,
};

export function documentHeader(input: CdaDocumentInput, kind: DocumentKind): XmlChild[] {
  const p = input.prescription;
  const profession = input.prescriberProfession ?? authorProfession(p);
  const authored = hl7DateTime(p.authoredOn);
  // The signing prescriber is both author and legal authenticator: the same id, profession and practice.
  const prescriber = [
    practitionerId(p.prescriber),
    profession ? coded('code', profession) : el('code', { nullFlavor: 'UNK' }),
    addr(p.organization.address),
    telecom(p.organization.phone),
    el('assignedPerson', {}, personName(p.prescriber.family, p.prescriber.given)),
    organization('representedOrganization', p.organization),
  ];
  return [
    el('realmCode', { code: 'FR' }),
    el('typeId', { root: '2.16.840.1.113883.1.3', extension: 'POCD_HD000040' }),
    ...kind.templateIds,
    ii('id', input.documentId),
    loinc('code', kind.code),
    el('title', {}, kind.title),
    // Creation time of this version; the prescription's own date is in author/time.
    el('effectiveTime', { value: hl7InstantInParis(input.now) }),
    el('confidentialityCode', { code: 'N', displayName: 'Normal', codeSystem: CODE_SYSTEMS.confidentiality }),
    el('languageCode', { code: 'fr-FR' }),
    ii('setId', input.setId),
    el('versionNumber', { value: input.version }),
    recordTarget(p.patient),
    el(
      'author',
      { typeCode: 'AUT', contextControlCode: 'OP' },
      el('time', { value: authored }),
      el('assignedAuthor', { classCode: 'ASSIGNED' }, prescriber),
    ),
    custodian(input.custodian, p.organization),
    el(
      'legalAuthenticator',
      {},
      el('time', { value: authored }),
      el('signatureCode', { code: 'S' }),
      el('assignedEntity', {}, prescriber),
    ),
    p.replacedPrescriber && replacedPrescriber(p.replacedPrescriber, p.organization),
    prescriptionEvent(p, input.number, kind.code),
    kind.subtypes.map((subtype) =>
      el(
        'documentationOf',
        {},
        el(
          'serviceEvent',
          { classCode: 'INFO' },
          coded('code', { ...subtype, codeSystem: CODE_SYSTEMS.terminologieCisis }, 'TA_ASIP'),
        ),
      ),
    ),
    encounter(p, input.healthcareFacilityType ?? facilityType(p)),
  ];
}

function recordTarget(patient: Patient): XmlElement {
  return el(
    'recordTarget',
    {},
    el(
      'patientRole',
      {},
      ii('id', { root: patient.ins.oid, extension: patient.ins.value }),
      // Mandatory in eP-MED-DM with nullFlavor allowed (IG "R2"); no vendor format carries them.
      notAsked('addr'),
      notAsked('telecom'),
      el(
        'patient',
        { classCode: 'PSN' },
        // The vendor formats send the INS birth name and first name (docs/vendor-formats.md).
        el(
          'name',
          {},
          el('given', { qualifier: 'BR' }, patient.given),
          el('family', { qualifier: 'BR' }, patient.family),
        ),
        gender(patient.gender),
        el('birthTime', { value: hl7Date(patient.birthDate) }),
      ),
    ),
  );
}

function gender(value: Patient['gender']): XmlElement {
  const system = CODE_SYSTEMS.administrativeGender;
  switch (value) {
    case 'male':
      return coded('administrativeGenderCode', { code: 'M', displayName: 'Masculin', codeSystem: system });
    case 'female':
      return coded('administrativeGenderCode', { code: 'F', displayName: 'Féminin', codeSystem: system });
    case 'other':
      return coded('administrativeGenderCode', { code: 'UN', displayName: 'Indéterminé', codeSystem: system });
    case 'unknown':
      return el('administrativeGenderCode', { nullFlavor: 'UNK' });
  }
}

const practitionerId = (person: PractitionerIdentity): XmlElement =>
  ii('id', { root: IDENTIFIER_ROOTS.idNatPs, extension: idNatPsFromRpps(person.rpps) });

/**
 * idNatStruct of the practice: "1" + FINESS. A practice known only by its Assurance Maladie number
 * has no national structure identifier in the canonical model (that number identifies billing,
 * not the structure), so the id is present with nullFlavor.
 */
export function organizationId(organization: Organization): XmlElement {
  return organization.finess
    ? ii('id', { root: IDENTIFIER_ROOTS.idNatStruct, extension: `1${organization.finess}` })
    : el('id', { nullFlavor: 'UNK' });
}

function organization(name: string, o: Organization): XmlElement {
  return el(
    name,
    {},
    organizationId(o),
    el('name', {}, o.name),
    telecom(o.phone),
    addr(o.address),
    coded('standardIndustryClassCode', AMBULATORY_SETTING, 'practiceSettingCode'),
  );
}

/** The custodian given in the input, or else the prescriber's practice (as in the ANS examples). */
function custodian(explicit: CustodianOrganization | undefined, practice: Organization): XmlElement {
  const kept = explicit ?? { name: practice.name, address: practice.address, phone: practice.phone };
  return el(
    'custodian',
    {},
    el(
      'assignedCustodian',
      {},
      el(
        'representedCustodianOrganization',
        {},
        explicit ? ii('id', explicit.id) : organizationId(practice),
        el('name', {}, kept.name),
        telecom(kept.phone),
        addr(kept.address),
      ),
    ),
  );
}

/** IG eP-MED-DM: participant typeCode REF, functionCode 353, mandatory when a locum prescribes. */
function replacedPrescriber(replaced: PractitionerIdentity, practice: Organization): XmlElement {
  return el(
    'participant',
    { typeCode: 'REF' },
    el('functionCode', {
      code: '353',
      displayName: "Membre de l'équipe de soins",
      codeSystem: CODE_SYSTEMS.participantFunction,
    }),
    el(
      'associatedEntity',
      { classCode: 'PROV' },
      practitionerId(replaced),
      addr(practice.address),
      telecom(practice.phone),
      el('associatedPerson', {}, personName(replaced.family, replaced.given)),
      el(
        'scopingOrganization',
        {},
        organizationId(practice),
        el('name', {}, practice.name),
        telecom(practice.phone),
        addr(practice.address),
      ),
    ),
  );
}

/** The main documented event: the prescription, its number and its validity period. */
function prescriptionEvent(p: Prescription, number: string, code: DocumentKind['code']): XmlElement {
  const validity = validityPeriod(p.authoredOn);
  return el(
    'documentationOf',
    {},
    el(
      'serviceEvent',
      { classCode: 'ACT' },
      ii('id', { root: IDENTIFIER_ROOTS.prescriptionNumber, extension: number }),
      loinc('code', code),
      el('effectiveTime', {}, el('low', { value: validity.low }), el('high', { value: validity.high })),
    ),
  );
}

function encounter(p: Prescription, facilityType: CodedValue): XmlElement {
  return el(
    'componentOf',
    {},
    el(
      'encompassingEncounter',
      {},
      coded('code', { code: 'AMB', displayName: 'Ambulatoire (hors établissement)', codeSystem: CODE_SYSTEMS.actCode }),
      // As in the ANS examples: the consultation ended when the prescription was written.
      el('effectiveTime', {}, el('high', { value: hl7DateTime(p.authoredOn) })),
      el('location', {}, el('healthCareFacility', {}, organizationId(p.organization), coded('code', facilityType))),
    ),
  );
}
