/**
 * How a prescriber is named, by profession: on the ordonnance (title before the name, profession under it)
 * and in the documents (the CI-SIS code of the author: JDV_J01-XdsAuthorSpecialty-CISIS, code system
 * TRE_A02-ProfessionSavFaire-CISIS 1.2.250.1.213.1.1.4.5, codes "G15_<TRE_G15 code>", labels the value set's).
 *
 * "Dr" only for the professions whose members are doctors by their degree and use the title: médecins
 * (docteur en médecine) and chirurgiens-dentistes (docteur en chirurgie dentaire). A midwife, nurse or
 * physiotherapist is named without a title, the profession under the name.
 */
import type { Profession } from './professions';

export interface ProfessionWords {
  /** Printed before the name ("Dr Jean Martin"); none for most professions. */
  title?: 'Dr';
  /** Printed under the name. */
  printed: string;
  /** The author code of the CDA and DMP metadata; absent when no TRE_G15 code names the profession alone. */
  authorCode?: { code: string; displayName: string };
}

export const PROFESSION_WORDS: Readonly<Record<Profession, ProfessionWords>> = {
  doctor: { title: 'Dr', printed: 'Médecin', authorCode: { code: 'G15_10', displayName: 'Médecin' } },
  dentist: {
    title: 'Dr',
    printed: 'Chirurgien-dentiste',
    authorCode: { code: 'G15_40', displayName: 'Chirurgien-Dentiste' },
  },
  midwife: { printed: 'Sage-femme', authorCode: { code: 'G15_50', displayName: 'Sage-Femme' } },
  pharmacist: { printed: 'Pharmacien', authorCode: { code: 'G15_21', displayName: 'Pharmacien' } },
  nurse: {
    printed: 'Infirmier(e) diplômé(e) d’État',
    authorCode: { code: 'G15_60', displayName: 'Infirmier' },
  },
  physiotherapist: {
    printed: 'Masseur-kinésithérapeute',
    authorCode: { code: 'G15_70', displayName: 'Masseur-Kinésithérapeute' },
  },
  'speech-therapist': { printed: 'Orthophoniste', authorCode: { code: 'G15_91', displayName: 'Orthophoniste' } },
  orthoptist: { printed: 'Orthoptiste', authorCode: { code: 'G15_92', displayName: 'Orthoptiste' } },
  podiatrist: { printed: 'Pédicure-podologue', authorCode: { code: 'G15_80', displayName: 'Pédicure-Podologue' } },
  // A doctor or a pharmacist with a biology savoir-faire: no TRE_G15 code of its own.
  biologist: { printed: 'Biologiste médical' },
  // Several TRE_G15 codes (audioprothésiste, opticien-lunetier, orthoprothésiste…): none names them all.
  'lpp-supplier': { printed: 'Fournisseur de dispositifs médicaux' },
};

/**
 * The words of a prescriber's profession. A prescription stored before the gateway kept the profession has
 * none: it is named as it was then (a doctor), so that a reprint matches the ordonnance the patient holds
 * and the document already published. Every prescription accepted since carries the token's profession.
 */
export const professionWords = (profession: Profession | undefined): ProfessionWords =>
  PROFESSION_WORDS[profession ?? 'doctor'];

/** "Dr Jean Martin", "Claire Petit": the name as printed, with the title the profession uses. */
export function prescriberName(person: { given: string; family: string }, profession: Profession | undefined): string {
  const title = professionWords(profession).title;
  return [title, person.given, person.family].filter((part) => part !== undefined).join(' ');
}

/** The TRE_G15 code ("10", "40"…) stored with the prescriber; none for a profession without a code of its own. */
export const treG15CodeOf = (profession: Profession): string | undefined =>
  PROFESSION_WORDS[profession].authorCode?.code.replace(/^G15_/, '');
