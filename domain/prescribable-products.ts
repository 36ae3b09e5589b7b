/**
 * The lists of products the law lets a profession prescribe when its right is a closed list (a
 * drug class, a device category), as the gateway can check them: by the product codes a
 * prescription line carries (CIP13 or CIS for a drug, LPP for a device). No vendor format carries a
 * drug class (ATC) or an LPP category, so a class is known here by the codes of its products.
 *
 * The codes are deliberately few: only products whose code and class were checked against a public
 * source (BDPM / ameli / Vidal pages for drugs, the CNAM LPP database for devices). A list with no
 * code yet refuses every line (fail closed); a deployment completes the lists from the BDPM and
 * the LPP. Sources per class: README "Prescribing scope". PROFESSION_TABLE (professions.ts) says
 * which profession may prescribe from which list, and under which text.
 */

/** A class of products named by the law, with the product codes known to belong to it. */
export interface ProductList {
  /** What the law calls it: named in a refusal. */
  name: string;
  /** Product code (CIP13, CIS or LPP) → label, for readers of this table. */
  codes: Readonly<Record<string, string>>;
}

export const NICOTINE_SUBSTITUTES: ProductList = {
  name: 'nicotine substitutes',
  codes: {
    '3400937680554': 'NICOPASS 1,5 mg eucalyptus, pastille, B/96',
    '3400936498990': 'NICOPASS 1,5 mg menthe fraîcheur, pastille, B/96',
    '3400936499881': 'NICOPASS 1,5 mg réglisse menthe, pastille, B/96',
    '3400938730715': 'NICOPASS 2,5 mg menthe fraîcheur, pastille, B/96',
    '3400938729535': 'NICOPASS 2,5 mg réglisse menthe, pastille, B/96',
    '3400938380118': 'NICOPATCH 7 mg/24 h, dispositif transdermique, B/28',
    '3400937992398': 'NICORETTE MICROTAB 2 mg, comprimé sublingual, B/100',
    '3400936409125': 'NICOTINELL menthe 1 mg, comprimé à sucer, B/204',
    '3400936868601': 'NICOTINELL menthe 2 mg, comprimé à sucer, B/204',
    '3400933468392': 'NICOTINELL TTS 14 mg/24 h, dispositif transdermique, B/28',
    '3400933468743': 'NICOTINELL TTS 21 mg/24 h, dispositif transdermique, B/28',
    '3400933467852': 'NICOTINELL TTS 7 mg/24 h, dispositif transdermique, B/28',
  },
};

export const VACCINES: ProductList = {
  name: 'vaccines of the vaccination calendar',
  codes: {
    '61402736': 'VAXIGRIPTETRA, suspension injectable en seringue préremplie (CIS)',
    '60716805': 'INFLUVAC TETRA, suspension injectable en seringue préremplie (CIS)',
  },
};

export const MIDWIFE_ANALGESICS: ProductList = {
  name: 'analgesics (paracetamol)',
  codes: {
    '60234100': 'DOLIPRANE 1000 mg, comprimé (CIS)',
    '3400935955838': 'DOLIPRANE 1000 mg, comprimé, B/8',
  },
};

export const NURSE_DEVICES: ProductList = {
  name: 'the devices listed for nurses (dressings, incontinence, home infusion…)',
  codes: { '6376090': 'COMPRESSES NON TISSÉES NON STÉRILES, ≥ 100 cm², par 100 (LPP)' },
};

export const MIDWIFE_DEVICES: ProductList = {
  name: 'the devices listed for midwives (compresses, bandages, breast pumps…)',
  codes: { '6376090': 'COMPRESSES NON TISSÉES NON STÉRILES, ≥ 100 cm², par 100 (LPP)' },
};

export const PHYSIOTHERAPIST_DEVICES: ProductList = {
  name: 'the devices listed for physiotherapists (walking aids, anti-bedsore cushions, supports…)',
  codes: {},
};

export const SPEECH_THERAPIST_DEVICES: ProductList = {
  name: 'the devices listed for speech therapists (respiratory prosthesis and cochlear implant accessories)',
  codes: {},
};

export const ORTHOPTIST_DEVICES: ProductList = {
  name: 'the devices listed for orthoptists (eye patches, occlusion filters, prisms, low-vision aids)',
  codes: {},
};

export const CORRECTIVE_LENSES: ProductList = { name: 'corrective glasses and contact lenses', codes: {} };

export const PODIATRIST_TOPICALS: ProductList = {
  name: 'topical products for external use (antiseptics, antifungals, keratolytics…)',
  codes: {},
};

export const PODIATRIST_DRESSINGS: ProductList = {
  name: 'the dressings listed for podiatrists (sterile compresses, sparadrap…)',
  codes: {},
};

export const FOOT_ORTHOSES: ProductList = { name: 'foot orthoses (orthèses plantaires)', codes: {} };
