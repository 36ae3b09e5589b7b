/**
 * French wording printed on the ordonnance: dates, quantities, posology, sessions, headings and
 * the fixed mentions. Pure string functions so the phrasing can be tested without a PDF.
 */
import type {
  ActLine,
  ActType,
  ConsentChoices,
  Duration,
  DurationUnit,
  IsoDate,
  IsoDateTime,
  PractitionerIdentity,
  Prescription,
  StructuredPosology,
} from '../../domain/prescription';
import { prescriberName, professionWords } from '../../domain/profession-titles';

/** "1977-07-14" → "14/07/1977". A value that is not an ISO date is printed as received. */
export function frenchDate(date: IsoDate): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return match ? `${match[3]}/${match[2]}/${match[1]}` : date;
}

/** The prescription date is the calendar date in the prescriber's own offset, as written in authoredOn. */
export const prescriptionDate = (authoredOn: IsoDateTime): string => frenchDate(authoredOn.slice(0, 10));

/** French decimal comma: 1.5 → "1,5". */
export const frenchNumber = (n: number): string => String(n).replace('.', ',');

/** French puts the plural from 2 on: "1,5 comprimé", "2 comprimés". */
export const plural = (n: number, singular: string, pluralForm = `${singular}s`): string =>
  `${frenchNumber(n)} ${Math.abs(n) >= 2 ? pluralForm : singular}`;

const DURATION_WORDS: Record<DurationUnit, [string, string]> = {
  d: ['jour', 'jours'],
  wk: ['semaine', 'semaines'],
  mo: ['mois', 'mois'],
  a: ['an', 'ans'],
};

export function durationText({ value, unit }: Duration): string {
  const [one, many] = DURATION_WORDS[unit];
  return plural(value, one, many);
}

/**
 * Plural of a dose unit: words take an "s" on their first word ("cuillère à café" → "cuillères à café"),
 * abbreviations (UI, mg, ml, µg: three letters or fewer, or any capital, digit or slash) never do.
 */
export function doseUnit(n: number, unit: string): string {
  const [first = '', ...rest] = unit.split(' ');
  const isWord = /^[a-zàâäçéèêëîïôöûùüÿœæ-]{4,}$/.test(first) && !/[sxz]$/.test(first);
  const firstWord = isWord && Math.abs(n) >= 2 ? `${first}s` : first;
  return [firstWord, ...rest].join(' ');
}

/** "20 UI, 1 fois par jour, pendant 1 mois" from whatever parts the posology has. */
export function structuredPosologyText(posology: StructuredPosology): string {
  const parts: string[] = [];
  if (posology.dosePerIntake !== undefined) {
    const unit = posology.unit ? ` ${doseUnit(posology.dosePerIntake, posology.unit)}` : '';
    parts.push(`${frenchNumber(posology.dosePerIntake)}${unit}`);
  }
  if (posology.intakesPerDay !== undefined) parts.push(`${frenchNumber(posology.intakesPerDay)} fois par jour`);
  if (posology.duration) parts.push(`pendant ${durationText(posology.duration)}`);
  return parts.join(', ');
}

const PERIOD_WORDS = { d: 'jour', wk: 'semaine', mo: 'mois' } as const;

export function frequencyText(frequency: NonNullable<ActLine['frequency']>): string | undefined {
  if (frequency.count !== undefined && frequency.periodUnit) {
    return `${frenchNumber(frequency.count)} fois par ${PERIOD_WORDS[frequency.periodUnit]}`;
  }
  return frequency.text?.trim() || undefined;
}

export const boxes = (n: number): string => plural(n, 'boîte');
export const sessions = (n: number): string => plural(n, 'séance');
export const renewalsText = (n: number): string => `À renouveler ${n} fois`;

export const ACT_HEADINGS: Record<ActType, string> = {
  acteBiologieMedicale: 'Analyses de biologie médicale',
  acteInfirmier: 'Soins infirmiers',
  acteKinesitherapie: 'Kinésithérapie',
  actePedicurie: 'Pédicurie-podologie',
  acteOrthophonie: 'Orthophonie',
  acteOrthoptie: 'Orthoptie',
};
export const DRUG_HEADING = 'Médicaments';
export const DEVICE_HEADING = 'Dispositifs médicaux';
export const CONTINUED = ' (suite)';

/** Titles of the two zones of the ALD ("bizone") ordonnance, as on the Cerfa form. */
export const ALD_UPPER_ZONE_TITLE =
  'Prescriptions relatives au traitement de l’affection de longue durée reconnue (liste ou hors liste) (AFFECTION EXONÉRANTE)';
export const ALD_LOWER_ZONE_TITLE =
  'Prescriptions SANS RAPPORT avec l’affection de longue durée (MALADIES INTERCURRENTES)';

export const workAccidentMention = (date: IsoDate): string =>
  `Accident du travail ou maladie professionnelle du ${frenchDate(date)}`;
export const NON_REIMBURSABLE_MENTION = 'Prescription non remboursable';
export const PREVENTION_MENTION = 'Prescription dans le cadre de la prévention';
export const URGENT_MENTION = 'URGENT';

/**
 * First legal mention (SEL-SFG-023 mock-up, verbatim). When the patient objects to the prescriber
 * viewing the dispensing, the ordonnance given to the patient must say so (CSP, digest §1.5).
 */
export function dispensingViewMention(consent: ConsentChoices): string {
  const choice = consent.dispensingViewOptOut ? 's’oppose(nt)' : 'ne s’oppose(nt) pas';
  return (
    'Le patient, le ou les titulaire (s) de l’autorité parentale, a (ont) été informé(s) le ' +
    `${frenchDate(consent.informedOn)} et ${choice} à ce que je puisse consulter ce qui a été délivré ou exécuté ` +
    'sur cette ordonnance.'
  );
}

/**
 * Second legal mention, verbatim from the mock-up (which prints the Paris CPAM address). The URL starts
 * its own line, as on the mock-up, so that it is never cut at one of its hyphens.
 */
export const DATA_PROTECTION_MENTION =
  'Les données de la prescription sont transmises électroniquement à l’assurance maladie qui traite vos données ' +
  'dans le cadre de ses missions. Pour en savoir plus sur la gestion de vos données personnelles et pour exercer ' +
  'vos droits, reportez-vous à\nhttps://www.ameli.fr/paris/assure/protection-donnees-personnelles.';

export const numberCaption = (number: string): string => `e-prescription N°${number}`;
export const pageCaption = (page: number, pages: number): string => `Page ${page}/${pages}`;

/** The signer as printed: the title their profession uses (Dr for doctors and dentists only) and the name. */
export const signerName = (p: Pick<Prescription, 'prescriber'>): string =>
  prescriberName(p.prescriber, p.prescriber.profession);

/** The profession under the name, with the specialty the vendor sent: "Médecin — Médecine générale". */
export const signerProfession = (prescriber: Prescription['prescriber']): string => {
  const printed = professionWords(prescriber.profession).printed;
  return prescriber.specialty ? `${printed} — ${prescriber.specialty}` : printed;
};

/**
 * The practitioner a locum replaces, named with the locum's profession (a locum replaces a member of their
 * own profession): "Remplaçant(e) du Dr Alain FICTIF (RPPS …)", "Remplaçant(e) de Claire PETIT (RPPS …)".
 */
export function replacedMention(p: Pick<Prescription, 'prescriber'>, replaced: PractitionerIdentity): string {
  const name = prescriberName(replaced, p.prescriber.profession);
  const of = name.startsWith('Dr ') ? `du ${name}` : `de ${name}`;
  return `Remplaçant(e) ${of} (RPPS ${replaced.rpps})`;
}

export function bornOn(gender: 'male' | 'female' | 'other' | 'unknown', birthDate: IsoDate): string {
  const word = gender === 'female' ? 'Née' : gender === 'male' ? 'Né' : 'Né(e)';
  return `${word} le ${frenchDate(birthDate)}`;
}
