/**
 * The health professions the gateway knows, and for each one everything that depends on it: the
 * one table to edit when a profession is added (what it may prescribe and under which text, which
 * prescription lines it dispenses or executes, its codes in the NOS TRE_G15 "ProfessionSante"
 * nomenclature). The legal sources of the prescribing scopes: README "Prescribing scope".
 */
import type { ActType } from './act-types';
import {
  CORRECTIVE_LENSES,
  FOOT_ORTHOSES,
  MIDWIFE_ANALGESICS,
  MIDWIFE_DEVICES,
  NICOTINE_SUBSTITUTES,
  NURSE_DEVICES,
  ORTHOPTIST_DEVICES,
  PHYSIOTHERAPIST_DEVICES,
  PODIATRIST_DRESSINGS,
  PODIATRIST_TOPICALS,
  SPEECH_THERAPIST_DEVICES,
  VACCINES,
  type ProductList,
} from './prescribable-products';

/** What a prescription line is, for prescribing and execution rights: drug, device, or an act of a type. */
export type LineKind = 'drug' | 'device' | ActType;

/** One product list a profession may prescribe from, and the text that grants it. */
export interface ListedProducts {
  list: ProductList;
  source: string;
}

/**
 * What a profession may prescribe of one line kind: every line of it (`open`: the law sets no list
 * of products a payload could be checked against), or only the products of some lists.
 */
export type PrescribingRight = { open: true; source: string } | { open: false; from: readonly ListedProducts[] };

export interface PrescribingScope {
  /** The texts that define the profession's right to prescribe: named when a whole line kind is refused. */
  basis: string;
  /** The line kinds it may prescribe; a kind left out is refused. */
  rights: Partial<Record<LineKind, PrescribingRight>>;
}

export interface ProfessionProfile {
  /** What it may prescribe; null when it signs no prescription. */
  prescribes: PrescribingScope | null;
  /** The line kinds whose dispensing or execution it records. */
  executes: readonly LineKind[];
  /**
   * TRE_G15 codeProfession values that mean this profession in a Pro Santé Connect token; the
   * first one is what the development issuer emits. Empty when no code names it alone (a
   * biologist is a doctor or pharmacist with a biology savoir-faire or pharmacist section G).
   */
  g15Codes: readonly string[];
}

const open = (source: string): PrescribingRight => ({ open: true, source });
const listed = (...from: ListedProducts[]): PrescribingRight => ({ open: false, from });

const CSP_R4127_8 = 'CSP R.4127-8 (the doctor is free to prescribe within the limits set by law)';
const CSP_L4141_2 = 'CSP L.4141-2 (all acts, products and services necessary to the art dentaire)';
const NICOTINE = { list: NICOTINE_SUBSTITUTES, source: 'CSP L.3511-3' };

export const PROFESSION_TABLE = {
  doctor: {
    prescribes: {
      basis: CSP_R4127_8,
      rights: {
        drug: open(CSP_R4127_8),
        device: open(CSP_R4127_8),
        acteBiologieMedicale: open(CSP_R4127_8),
        acteInfirmier: open(CSP_R4127_8),
        acteKinesitherapie: open(CSP_R4127_8),
        actePedicurie: open(CSP_R4127_8),
        acteOrthophonie: open(CSP_R4127_8),
        acteOrthoptie: open(CSP_R4127_8),
      },
    },
    executes: [],
    g15Codes: ['10'],
  },
  // The art dentaire is the mouth, teeth, jaws and adjoining tissues (L.4141-1): feet and eyes are outside it.
  dentist: {
    prescribes: {
      basis: 'CSP L.4141-1 and L.4141-2',
      rights: {
        drug: open(CSP_L4141_2),
        device: open(CSP_L4141_2),
        acteBiologieMedicale: open(CSP_L4141_2),
        acteInfirmier: open(CSP_L4141_2),
        acteKinesitherapie: open(CSP_L4141_2),
        acteOrthophonie: open(CSP_L4141_2),
      },
    },
    executes: [],
    g15Codes: ['40'],
  },
  midwife: {
    prescribes: {
      basis: 'CSP L.4151-1 to L.4151-4',
      rights: {
        drug: listed(
          { list: MIDWIFE_ANALGESICS, source: 'CSP L.4151-4, D.4151-31 to D.4151-34 and annexe 41-4' },
          { list: NICOTINE_SUBSTITUTES, source: 'CSP L.4151-4 and L.3511-3' },
          { list: VACCINES, source: 'CSP L.4151-2, arrêté du 8 août 2023' },
        ),
        device: listed({ list: MIDWIFE_DEVICES, source: 'CSP L.4151-4, D.4151-31 to D.4151-34 and annexe 41-4' }),
        acteBiologieMedicale: open('CSP L.4151-4 (examinations strictly necessary to the profession)'),
      },
    },
    executes: [],
    g15Codes: ['50'],
  },
  pharmacist: { prescribes: null, executes: ['drug', 'device'], g15Codes: ['21'] },
  nurse: {
    prescribes: {
      basis: 'CSP L.4311-1',
      rights: {
        drug: listed({ list: VACCINES, source: 'CSP L.4311-1 and R.4311-5-1, arrêté du 8 août 2023' }, NICOTINE),
        device: listed({ list: NURSE_DEVICES, source: 'CSP L.4311-1, arrêté du 20 mars 2012, art. 2' }),
      },
    },
    executes: ['acteInfirmier'],
    g15Codes: ['60', '69'],
  },
  physiotherapist: {
    prescribes: {
      basis: 'CSP L.4321-1',
      rights: {
        drug: listed(NICOTINE),
        device: listed({ list: PHYSIOTHERAPIST_DEVICES, source: 'CSP L.4321-1, arrêté du 9 janvier 2006' }),
        acteKinesitherapie: open('CSP L.4321-1 (renewing and adapting a physiotherapy prescription under a year old)'),
      },
    },
    executes: ['acteKinesitherapie'],
    g15Codes: ['70'],
  },
  'speech-therapist': {
    prescribes: {
      basis: 'CSP L.4341-1',
      rights: {
        device: listed({ list: SPEECH_THERAPIST_DEVICES, source: 'CSP L.4341-1, arrêté du 30 mars 2017' }),
        acteOrthophonie: open('CSP L.4341-1 (renewing and adapting a speech therapy prescription under a year old)'),
      },
    },
    executes: ['acteOrthophonie'],
    g15Codes: ['91'],
  },
  orthoptist: {
    prescribes: {
      basis: 'CSP L.4342-1',
      rights: {
        device: listed(
          { list: ORTHOPTIST_DEVICES, source: 'CSP L.4342-1, arrêté du 31 mars 2017' },
          { list: CORRECTIVE_LENSES, source: 'CSP L.4342-1 and R.4342-8-1' },
        ),
      },
    },
    executes: ['acteOrthoptie'],
    g15Codes: ['92'],
  },
  podiatrist: {
    prescribes: {
      basis: 'CSP L.4322-1 and R.4322-1',
      rights: {
        drug: listed({ list: PODIATRIST_TOPICALS, source: 'CSP R.4322-1, arrêté du 30 juillet 2008' }),
        device: listed(
          { list: PODIATRIST_DRESSINGS, source: 'CSP R.4322-1, arrêté du 30 juillet 2008' },
          { list: FOOT_ORTHOSES, source: 'CSP L.4322-1' },
        ),
      },
    },
    executes: ['actePedicurie'],
    g15Codes: ['80'],
  },
  biologist: { prescribes: null, executes: ['acteBiologieMedicale'], g15Codes: [] },
  // Appareilleurs who deliver LPP devices: audioprothésiste, opticien-lunetier, orthoprothésiste,
  // podo-orthésiste, orthopédiste-orthésiste, oculariste, épithésiste.
  'lpp-supplier': { prescribes: null, executes: ['device'], g15Codes: ['26', '28', '81', '82', '83', '84', '85'] },
} as const satisfies Record<string, ProfessionProfile>;

export type Profession = keyof typeof PROFESSION_TABLE;

export const PROFESSIONS = Object.keys(PROFESSION_TABLE) as readonly Profession[];

export const isProfession = (value: unknown): value is Profession =>
  typeof value === 'string' && Object.hasOwn(PROFESSION_TABLE, value);

const profileOf = (profession: Profession): ProfessionProfile => PROFESSION_TABLE[profession];

/** What a profession may prescribe; null when it signs no prescription. */
export const prescribingScopeOf = (profession: Profession): PrescribingScope | null => profileOf(profession).prescribes;

/** Professions that may sign a prescription (each only within its scope). */
export const PRESCRIBING_PROFESSIONS: readonly Profession[] = PROFESSIONS.filter(
  (p) => profileOf(p).prescribes !== null,
);

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
