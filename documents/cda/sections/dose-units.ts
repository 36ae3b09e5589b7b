/**
 * Dose units of the canonical posology (free French words from the vendor) as UCUM units.
 * Measured units map to their UCUM code; countable presentations become UCUM annotations
 * ({tablet}… as in the ANS example), any other word an ASCII annotation of itself, so the value
 * stays a valid UCUM expression (1 annotated) and the word is not lost.
 */
const UCUM_BY_WORD: Readonly<Record<string, string>> = {
  mg: 'mg',
  g: 'g',
  µg: 'ug',
  ug: 'ug',
  mcg: 'ug',
  microgramme: 'ug',
  ml: 'mL',
  l: 'L',
  ui: '[iU]',
  'unité internationale': '[iU]',
  'unités internationales': '[iU]',
  unité: '[iU]',
  goutte: '[drp]',
  comprimé: '{tablet}',
  cp: '{tablet}',
  gélule: '{capsule}',
  capsule: '{capsule}',
  sachet: '{sachet}',
  ampoule: '{ampoule}',
  suppositoire: '{suppository}',
  bouffée: '{puff}',
  pulvérisation: '{spray}',
  application: '{application}',
  patch: '{patch}',
  dose: '{dose}',
};

/** The UCUM unit of a known word; own members only, the word is the vendor's ('constructor' finds nothing). */
const ucumOf = (word: string): string | undefined =>
  Object.hasOwn(UCUM_BY_WORD, word) ? UCUM_BY_WORD[word] : undefined;

/** Singular, lower-case form of a unit word: "Comprimés" → "comprimé", "UI" → "ui". */
function normalizeWord(unit: string): string {
  const lower = unit.trim().toLowerCase().replace(/\s+/g, ' ');
  if (ucumOf(lower)) return lower;
  const singular = lower.replace(/s$/, '');
  return ucumOf(singular) ? singular : lower;
}

export function ucumDoseUnit(unit: string | undefined): string {
  if (!unit?.trim()) return '1';
  const word = normalizeWord(unit);
  const known = ucumOf(word);
  if (known) return known;
  // UCUM annotations take printable ASCII except braces: fold accents, drop the rest.
  const ascii = word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x21-\x7a|~]/g, '_');
  return `{${ascii}}`;
}
