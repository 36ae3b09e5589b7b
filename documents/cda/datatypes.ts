/** HL7 v3 data types as XML fragments (II, CD/CE, AD, TEL, PN, BL…), shared by header and sections. */
import type { Address } from '../../domain/prescription';
import type { CodedValue, InstanceIdentifier } from './types';
import { CODE_SYSTEMS } from './oids';
import { el, type XmlElement } from './xml';

export const ii = (name: string, id: InstanceIdentifier): XmlElement =>
  el(name, { root: id.root, extension: id.extension });

export const templateIds = (...roots: string[]): XmlElement[] => roots.map((root) => el('templateId', { root }));

export const coded = (
  name: string,
  value: CodedValue,
  codeSystemName?: string,
  ...children: XmlElement[]
): XmlElement =>
  el(
    name,
    { code: value.code, displayName: value.displayName, codeSystem: value.codeSystem, codeSystemName },
    ...children,
  );

export const loinc = (name: string, value: { code: string; displayName: string }): XmlElement =>
  coded(name, { ...value, codeSystem: CODE_SYSTEMS.loinc }, 'LOINC');

/** A data element the gateway never receives (e.g. the patient's address): present, flagged as not asked. */
export const notAsked = (name: string): XmlElement => el(name, { nullFlavor: 'NASK' });

export function addr(address: Address | undefined): XmlElement {
  if (!address) return el('addr', { nullFlavor: 'UNK' });
  return el(
    'addr',
    {},
    address.lines.map((line) => el('streetAddressLine', {}, line)),
    el('postalCode', {}, address.postalCode),
    el('city', {}, address.city),
  );
}

/** "+33 5 36 49 00 66" → tel:+33536490066 (RFC 3966 has no spaces); no phone → nullFlavor. */
export function telecom(phone: string | undefined, use = 'WP'): XmlElement {
  if (!phone?.trim()) return el('telecom', { nullFlavor: 'UNK' });
  return el('telecom', { value: `tel:${phone.replace(/[\s.()-]/g, '')}`, use });
}

export const personName = (family: string, given: string): XmlElement =>
  el('name', {}, el('given', {}, given), el('family', {}, family));

/** FR-Simple-observation style boolean: value xsi:type="BL". */
export const booleanValue = (value: boolean): XmlElement => el('value', { 'xsi:type': 'BL', value: String(value) });

/** A pointer from an entry to the narrative element with that ID. */
export const textReference = (id: string): XmlElement => el('text', {}, el('reference', { value: `#${id}` }));
