/**
 * What the lgc-xml XSD (profiles/vendor-schemas/lgc-xml.xsd) says about where elements go, as data: no
 * value types, no checking — the XSD itself judges every document (platform/xsd). This is what is needed
 * to phrase its findings at the vendor's path: which children an element has, in which order, how many
 * times, and which vendors README rule a fault of a field breaks. test/unit/lgc-xml-content-model.test.ts
 * holds it against the XSD.
 */

import type { RuleCode } from '../../domain/rule-codes';

export const LGC_NAMESPACE = 'urn:example:lgc:prescription:1';
export const ROOT_NAME = 'Prescription';

export interface ChildModel {
  name: string;
  min: number;
  max: number;
}

export interface ElementModel {
  /** `sequence`: in this order; `all`: in any order. */
  group: 'sequence' | 'all';
  children: readonly ChildModel[];
}

/** "Name", "Name?" (optional), "Name{1,3}" (repeatable) → a child. */
function child(spec: string): ChildModel {
  const match = /^(\w+)(\?|\{(\d+),(\d+)\})?$/.exec(spec)!;
  if (match[2] === '?') return { name: match[1]!, min: 0, max: 1 };
  if (match[3] !== undefined) return { name: match[1]!, min: Number(match[3]), max: Number(match[4]) };
  return { name: match[1]!, min: 1, max: 1 };
}

const model = (group: ElementModel['group'], children: string): ElementModel => ({
  group,
  children: children.split(' ').map(child),
});

/** Elements with children, by path from the root (local names, no indexes). Other elements have none. */
export const CONTENT_MODELS: Readonly<Record<string, ElementModel>> = {
  Prescription: model('sequence', 'Header Prescriber Patient Consent Coverage? Items'),
  'Prescription/Header': model('sequence', 'MessageId EPrescriptionNumber? IssueDate IssueTime? Priority? Software?'),
  'Prescription/Prescriber': model('sequence', 'LastName FirstName Specialty? Practice LocumFor?'),
  'Prescription/Prescriber/Practice': model('sequence', 'Name BillingNumber? Finess? Address? Phone?'),
  'Prescription/Prescriber/Practice/Address': model('sequence', 'Line{1,3} PostCode City'),
  'Prescription/Prescriber/LocumFor': model('sequence', 'LastName FirstName'),
  'Prescription/Patient': model('sequence', 'LastName FirstName BirthDate INS'),
  'Prescription/Coverage': model('sequence', 'WorkAccident?'),
  'Prescription/Items': model('sequence', 'Item{1,100}'),
  'Prescription/Items/Item': model(
    'all',
    'CIS? LPP? Code? Label Dosage? Quantity? Duration? Sessions? Frequency? StartDate? NonSubstitutable?',
  ),
};

/**
 * The vendors README rule a fault of a field breaks, when more specific than V2 (structure), by path
 * from the root (an attribute as `@name`).
 */
export const FIELD_RULES: Readonly<Record<string, RuleCode>> = {
  'Prescription/Header/IssueDate': 'V6',
  'Prescription/Header/IssueTime': 'V6',
  'Prescription/Prescriber/@nationalId': 'V4',
  'Prescription/Prescriber/LocumFor/@nationalId': 'V4',
  'Prescription/Prescriber/Practice/BillingNumber': 'V11',
  'Prescription/Prescriber/Practice/Finess': 'V11',
  'Prescription/Patient/BirthDate': 'V6',
  'Prescription/Patient/INS/@root': 'V3',
  'Prescription/Patient/INS/@extension': 'V3',
  'Prescription/Consent/@informedOn': 'V6',
  'Prescription/Coverage/WorkAccident/@date': 'V6',
  'Prescription/Items/Item': 'V9',
  'Prescription/Items/Item/@renewals': 'V7',
  'Prescription/Items/Item/CIS': 'V5',
  'Prescription/Items/Item/LPP': 'V5',
  'Prescription/Items/Item/Code': 'V5',
  'Prescription/Items/Item/Label': 'V10',
  'Prescription/Items/Item/Dosage': 'V10',
  'Prescription/Items/Item/Quantity': 'V7',
  'Prescription/Items/Item/Duration': 'V7',
  'Prescription/Items/Item/Sessions': 'V7',
  'Prescription/Items/Item/StartDate': 'V6',
  'Prescription/Items/Item/NonSubstitutable': 'V8',
  'Prescription/Items/Item/NonSubstitutable/@reason': 'V8',
};
