/**
 * What kind of structure the prescription was written in: the NOS TRE_R02 "SecteurActivite" codes
 * (OID 1.2.250.1.71.4.2.4), the codes of the CI-SIS value set JDV_J02-XdsHealthcareFacilityTypeCode-CISIS
 * (1.2.250.1.213.1.1.5.466) that the CDA header (encompassingEncounter/location/healthCareFacility/code) and
 * the DMP metadata (healthcareFacilityTypeCode) take. The vendor formats accept the codes below, those of a
 * place where a prescriber works; labels are the value set's.
 */
import type { Organization } from './prescription';

export const FACILITY_TYPES = {
  SA01: 'Etablissement public de santé',
  SA02: 'Hôpital militaire du Service de santé des armées',
  SA03: 'Etablissement privé PSPH',
  SA04: 'Etablissement privé non PSPH',
  SA05: 'Centre de santé',
  SA06: 'Autre structure du Service de santé des armées',
  SA07: 'Cabinet individuel',
  SA08: 'Cabinet de groupe',
  SA09: 'Exercice en société',
  SA52: 'Maison de santé ou Pôle de santé',
} as const;
export type FacilityTypeCode = keyof typeof FACILITY_TYPES;
export const FACILITY_TYPE_CODES = Object.keys(FACILITY_TYPES) as readonly FacilityTypeCode[];

/** Only derived, never accepted from a vendor: an establishment whose kind the payload does not say. */
export const OTHER_ESTABLISHMENT = { code: 'SA30', label: 'Autre établissement sanitaire' } as const;

export const isFacilityTypeCode = (value: unknown): value is FacilityTypeCode =>
  typeof value === 'string' && Object.hasOwn(FACILITY_TYPES, value);

/**
 * The structure's type: what the vendor said; else, for a structure known only by its FINESS (no Assurance
 * Maladie practice number: not a liberal practice), an establishment of unknown kind; else a cabinet
 * individuel, what every document said before vendors could tell.
 */
export function facilityTypeOf(o: Pick<Organization, 'facilityType' | 'finess' | 'amNumber'>): {
  code: string;
  label: string;
} {
  if (o.facilityType !== undefined) return { code: o.facilityType, label: FACILITY_TYPES[o.facilityType] };
  if (o.finess !== undefined && o.amNumber === undefined) return OTHER_ESTABLISHMENT;
  return { code: 'SA07', label: FACILITY_TYPES.SA07 };
}
