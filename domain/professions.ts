/**
 * The health professions the gateway knows, and for each one everything that depends on it: the
 * one table to edit when a profession is added (who may prescribe, which prescription lines it
 * dispenses or executes, its codes in the NOS TRE_G15 "ProfessionSante" nomenclature).
 */
import type { ActType } from './prescription';

/** What a prescription line is, for execution rights: drug, device, or an act of a type. */
export type LineKind = 'drug' | 'device' | ActType;

export interface ProfessionProfile {
  /** Signs prescriptions (doctors; the other prescribing professions for what they may prescribe). */
  prescribes: boolean;
  /** The line kinds whose dispensing or execution it records. */
  executes: readonly LineKind[];
  /**
   * TRE_G15 codeProfession values that mean this profession in a Pro Santé Connect token; the
   * first one is what the development issuer emits. Empty when no code names it alone (a
   * biologist is a doctor or pharmacist with a biology savoir-faire or pharmacist section G).
   */
  g15Codes: readonly string[];
}

export const PROFESSION_TABLE = {
  doctor: { prescribes: true, executes: [], g15Codes: ['10'] },
  pharmacist: { prescribes: false, executes: ['drug', 'device'], g15Codes: ['21'] },
  nurse: { prescribes: true, executes: ['acteInfirmier'], g15Codes: ['60', '69'] },
  physiotherapist: { prescribes: true, executes: ['acteKinesitherapie'], g15Codes: ['70'] },
  'speech-therapist': { prescribes: true, executes: ['acteOrthophonie'], g15Codes: ['91'] },
  orthoptist: { prescribes: true, executes: ['acteOrthoptie'], g15Codes: ['92'] },
  podiatrist: { prescribes: true, executes: ['actePedicurie'], g15Codes: ['80'] },
  biologist: { prescribes: false, executes: ['acteBiologieMedicale'], g15Codes: [] },
  // Appareilleurs who deliver LPP devices: audioprothésiste, opticien-lunetier, orthoprothésiste,
  // podo-orthésiste, orthopédiste-orthésiste, oculariste, épithésiste.
  'lpp-supplier': { prescribes: false, executes: ['device'], g15Codes: ['26', '28', '81', '82', '83', '84', '85'] },
} as const satisfies Record<string, ProfessionProfile>;

export type Profession = keyof typeof PROFESSION_TABLE;

export const PROFESSIONS = Object.keys(PROFESSION_TABLE) as readonly Profession[];

export const isProfession = (value: unknown): value is Profession =>
  typeof value === 'string' && Object.hasOwn(PROFESSION_TABLE, value);

const profileOf = (profession: Profession): ProfessionProfile => PROFESSION_TABLE[profession];

/** Professions that may sign a prescription. */
export const PRESCRIBING_PROFESSIONS: readonly Profession[] = PROFESSIONS.filter((p) => profileOf(p).prescribes);

/** Professions that dispense or execute a prescription (each only its line kinds). */
export const DISPENSING_PROFESSIONS: readonly Profession[] = PROFESSIONS.filter(
  (p) => profileOf(p).executes.length > 0,
);

/** Which professions record the dispensing / execution of which line kinds. */
export const EXECUTABLE_LINES: Readonly<Record<Profession, readonly LineKind[]>> = Object.fromEntries(
  PROFESSIONS.map((p) => [p, profileOf(p).executes]),
) as Record<Profession, readonly LineKind[]>;

/** TRE_G15 codeProfession → profession. */
export const PROFESSION_OF_G15_CODE: Readonly<Record<string, Profession>> = Object.fromEntries(
  PROFESSIONS.flatMap((p) => profileOf(p).g15Codes.map((code) => [code, p] as const)),
);
