/**
 * lgc-xml element tree (already structure-checked) → canonical Prescription + SourceMap. Pure.
 * Conversions: dd/mm/yyyy → YYYY-MM-DD (calendar not checked here, the rules do it), Paris local
 * IssueDate + IssueTime → RFC 3339 with the Paris offset of that day, "2 boîtes" → 2, yes/no →
 * booleans, nationalId "8"+RPPS → RPPS, ISO periods → UCUM. Children that do not apply to an
 * item's kind are ignored (vendors README §3).
 */
import { lineAldOverride } from '../../domain/ald';
import type { FacilityTypeCode } from '../../domain/facility-types';
import type {
  ActLine,
  ActType,
  DeviceLine,
  DrugLine,
  Patient,
  Prescription,
  PrescriptionLine,
  SourceMap,
} from '../../domain/prescription';
import { parseIsoPeriod } from '../shared/durations';
import { parisLocalToOffsetDateTime } from '../../domain/paris-time';
import { tableSourceMap, type FieldTable } from '../shared/source-map';
import type { XmlElement } from '../shared/xml-reader';
import {
  DEVICE_ITEM_TABLE,
  DRUG_ITEM_TABLE,
  ENVELOPE_TABLE,
  LAB_ITEM_TABLE,
  PARAMEDICAL_ITEM_TABLE,
  ROOT_PATH,
  itemPath,
} from './source-paths';

const GENDERS: Readonly<Record<string, Patient['gender']>> = { M: 'male', F: 'female', U: 'unknown' };

/** Item kinds that are acts → the canonical act type. */
const ACT_TYPES_BY_KIND: Readonly<Record<string, ActType>> = {
  lab: 'acteBiologieMedicale',
  nursing: 'acteInfirmier',
  physio: 'acteKinesitherapie',
  speech: 'acteOrthophonie',
  orthoptics: 'acteOrthoptie',
  podiatry: 'actePedicurie',
};

/** A free-text non-substitution reason that starts with one of these codes carries that code. */
const REASON_CODE = /^(MTE|EFG|CIF)\b/i;
const LEADING_INTEGER = /^\s*([0-9]+)/;

// ---------------------------------------------------------------- tree access

const child = (element: XmlElement | undefined, name: string): XmlElement | undefined =>
  element?.children.find((c) => c.name === name);
const childText = (element: XmlElement | undefined, name: string): string | undefined => child(element, name)?.text;
const attribute = (element: XmlElement | undefined, name: string): string | undefined => element?.attributes.get(name);
const yes = (value: string | undefined): boolean => value === 'yes';

/** dd/mm/yyyy → YYYY-MM-DD, as written (31/02/2026 → 2026-02-31). */
const isoFromFrenchDate = (date: string): string => `${date.slice(6, 10)}-${date.slice(3, 5)}-${date.slice(0, 2)}`;

/** "  15 séances " → 15; undefined when the text does not start with a whole number. */
function leadingInteger(text: string | undefined): number | undefined {
  const match = text === undefined ? null : LEADING_INTEGER.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Present only when defined, so that absent vendor fields stay absent canonical fields. */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

// ---------------------------------------------------------------- mapping

export function toPrescription(root: XmlElement): { prescription: Prescription; sourceMap: SourceMap } {
  const header = child(root, 'Header');
  const prescriber = child(root, 'Prescriber');
  const practice = child(prescriber, 'Practice');
  const address = child(practice, 'Address');
  const locum = child(prescriber, 'LocumFor');
  const patient = child(root, 'Patient');
  const ins = child(patient, 'INS');
  const consent = child(root, 'Consent');
  const coverage = child(root, 'Coverage');
  const software = child(header, 'Software');
  const items = child(root, 'Items')?.children ?? [];

  const lineTables: Array<{ table: FieldTable; vendorBase: string }> = [];
  const extra: Record<string, string> = {};
  const addressLines = address?.children.filter((c) => c.name === 'Line').map((c) => c.text) ?? [];
  addressLines.forEach((_, i) => {
    extra[`/organization/address/lines/${i}`] = `${ROOT_PATH}/Prescriber/Practice/Address/Line[${i + 1}]`;
  });
  const workAccidentDate = attribute(child(coverage, 'WorkAccident'), 'date');

  const prescription: Prescription = {
    messageId: childText(header, 'MessageId') ?? '',
    sourceFormat: 'lgc-xml',
    ...optional('number', childText(header, 'EPrescriptionNumber')),
    authoredOn: parisLocalToOffsetDateTime(
      isoFromFrenchDate(childText(header, 'IssueDate') ?? ''),
      childText(header, 'IssueTime') ?? '00:00',
    ),
    priority: childText(header, 'Priority') === 'urgent' ? 'urgent' : 'routine',
    prescriber: {
      rpps: rppsFromNationalId(attribute(prescriber, 'nationalId')),
      family: childText(prescriber, 'LastName') ?? '',
      given: childText(prescriber, 'FirstName') ?? '',
      ...optional('specialty', childText(prescriber, 'Specialty')),
    },
    ...(locum
      ? {
          replacedPrescriber: {
            rpps: rppsFromNationalId(attribute(locum, 'nationalId')),
            family: childText(locum, 'LastName') ?? '',
            given: childText(locum, 'FirstName') ?? '',
          },
        }
      : {}),
    organization: {
      name: childText(practice, 'Name') ?? '',
      ...optional('amNumber', childText(practice, 'BillingNumber')),
      ...optional('finess', childText(practice, 'Finess')),
      // The XSD allows only the codes of FacilityType.
      ...optional('facilityType', attribute(practice, 'sector') as FacilityTypeCode | undefined),
      ...(address
        ? {
            address: {
              lines: addressLines,
              postalCode: childText(address, 'PostCode') ?? '',
              city: childText(address, 'City') ?? '',
            },
          }
        : {}),
      ...optional('phone', childText(practice, 'Phone')),
    },
    patient: {
      family: childText(patient, 'LastName') ?? '',
      given: childText(patient, 'FirstName') ?? '',
      birthDate: isoFromFrenchDate(childText(patient, 'BirthDate') ?? ''),
      gender: GENDERS[attribute(patient, 'sex') ?? ''] ?? 'unknown',
      ins: { value: attribute(ins, 'extension') ?? '', oid: attribute(ins, 'root') ?? '' },
    },
    consent: {
      informedOn: isoFromFrenchDate(attribute(consent, 'informedOn') ?? ''),
      dispensingViewOptOut: yes(attribute(consent, 'dispensingViewOptOut')),
      dmpOptOut: yes(attribute(consent, 'dmpOptOut')),
    },
    context: {
      ald: yes(attribute(coverage, 'ald')),
      ...optional('workAccidentDate', workAccidentDate === undefined ? undefined : isoFromFrenchDate(workAccidentDate)),
      nonReimbursable: yes(attribute(coverage, 'nonReimbursable')),
      prevention: yes(attribute(coverage, 'prevention')),
    },
    lines: items.map((item, index) => {
      const { line, table } = toLine(item);
      lineTables.push({ table, vendorBase: itemPath(index) });
      const ald = attribute(item, 'ald');
      return { ...line, ...lineAldOverride(ald === undefined ? undefined : yes(ald), yes(attribute(coverage, 'ald'))) };
    }),
    ...(software
      ? {
          software: {
            ...optional('name', attribute(software, 'name')),
            ...optional('version', attribute(software, 'version')),
          },
        }
      : {}),
  };
  const sourceMap = tableSourceMap({ envelope: ENVELOPE_TABLE, vendorRoot: ROOT_PATH, lines: lineTables, extra });
  return { prescription, sourceMap };
}

/** "899900023138" → "99900023138". The structure check guarantees the 12-character "8…" shape. */
const rppsFromNationalId = (nationalId: string | undefined): string => (nationalId ?? '').slice(1);

function toLine(item: XmlElement): { line: PrescriptionLine; table: FieldTable } {
  const kind = attribute(item, 'kind') ?? '';
  if (kind === 'drug') return { line: toDrugLine(item), table: DRUG_ITEM_TABLE };
  if (kind === 'device') return { line: toDeviceLine(item), table: DEVICE_ITEM_TABLE };
  return {
    line: toActLine(item, ACT_TYPES_BY_KIND[kind]!),
    table: kind === 'lab' ? LAB_ITEM_TABLE : PARAMEDICAL_ITEM_TABLE,
  };
}

function toDrugLine(item: XmlElement): DrugLine {
  const nonSubstitutable = child(item, 'NonSubstitutable');
  const reason = attribute(nonSubstitutable, 'reason');
  const dosage = childText(item, 'Dosage');
  return {
    kind: 'drug',
    ...optional('cis', childText(item, 'CIS')),
    ...optional('label', childText(item, 'Label')),
    posology: dosage === undefined ? {} : { text: dosage },
    ...optional('quantity', leadingInteger(childText(item, 'Quantity'))),
    renewals: Number(attribute(item, 'renewals') ?? '0'),
    nonSubstitutable: nonSubstitutable !== undefined,
    ...(reason !== undefined
      ? { nonSubstitutionReason: { ...optional('code', REASON_CODE.exec(reason)?.[1]?.toUpperCase()), text: reason } }
      : {}),
    offLabel: yes(attribute(item, 'offLabel')),
  };
}

function toDeviceLine(item: XmlElement): DeviceLine {
  const duration = childText(item, 'Duration');
  return {
    kind: 'device',
    ...optional('lpp', childText(item, 'LPP')),
    ...optional('label', childText(item, 'Label')),
    ...optional('quantity', leadingInteger(childText(item, 'Quantity'))),
    ...optional('duration', duration === undefined ? undefined : parseIsoPeriod(duration)),
  };
}

function toActLine(item: XmlElement, actType: ActType): ActLine {
  const biology = actType === 'acteBiologieMedicale';
  const startDate = childText(item, 'StartDate');
  const frequency = biology ? undefined : childText(item, 'Frequency');
  return {
    kind: 'act',
    actType,
    ...optional('code', childText(item, 'Code')),
    ...optional('label', childText(item, 'Label')),
    ...optional('sessions', biology ? undefined : leadingInteger(childText(item, 'Sessions'))),
    ...(frequency !== undefined ? { frequency: { text: frequency } } : {}),
    atHome: yes(attribute(item, 'atHome')),
    ...optional('startDate', startDate === undefined ? undefined : isoFromFrenchDate(startDate)),
  };
}
