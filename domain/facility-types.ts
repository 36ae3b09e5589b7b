/**
 * What kind of structure the prescription was written in: the NOS TRE_R02 "SecteurActivite" codes
 * (OID 1.2.250.1.71.4.2.4), the codes of the CI-SIS value set JDV_J02-XdsHealthcareFacilityTypeCode-CISIS
 * (1.2.250.1.213.1.1.5.466) that the CDA header (encompassingEncounter/location/healthCareFacility/code) and
 * the DMP metadata (healthcareFacilityTypeCode) take. The vendor formats accept the codes below, those of a
 * place where a prescriber works; labels are the value set's.
 */
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

export const isFacilityTypeCode = (value: unknown): value is FacilityTypeCode =>
  typeof value === 'string' && Object.hasOwn(FACILITY_TYPES, value);

/**
 * The structure's type: what the vendor said, else a cabinet individuel, what every document said before vendors
 * could tell. Nothing else is derived: a FINESS alone does not tell an establishment from a centre de santé
 * (the vendor examples' FINESS-only structures are centres de santé).
 */
export function facilityTypeOf(o: { facilityType?: FacilityTypeCode }): { code: FacilityTypeCode; label: string } {
  const code = o.facilityType ?? 'SA07';
  return { code, label: FACILITY_TYPES[code] };
}
