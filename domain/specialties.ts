/**
 * The prescriber's specialty, when the access token names one: a NOS TRE_R38 "SpecialiteOrdinale" code (Pro
 * Santé Connect `codeSavoirFaire` with `codeTypeSavoirFaire` "S", spécialité ordinale), e.g. SM54 médecine
 * générale, SCD01 orthopédie dento-faciale. The CDA author code is then profession/specialty, as the ANS
 * eP-MED-DM example's `G15_10/SM26`; the labels are those of the CI-SIS value set
 * JDV_J01-XdsAuthorSpecialty-CISIS (TRE_A02 1.2.250.1.213.1.1.4.5). The table holds the specialties most
 * prescribers have; a specialty not in it is kept and stored, and the CDA names the profession alone.
 */
export const SPECIALTY_CODE = /^(?:SM|SCD)[0-9]{2}$/;

export const AUTHOR_SPECIALTY_LABELS: Readonly<Record<string, string>> = {
  'G15_10/SM04': 'Médecin - Cardiologie et maladies vasculaires (SM)',
  'G15_10/SM15': 'Médecin - Dermatologie et Vénéréologie (SM)',
  'G15_10/SM16': 'Médecin - Endocrinologie et métabolisme (SM)',
  'G15_10/SM19': 'Médecin - Gynécologie médicale (SM)',
  'G15_10/SM20': 'Médecin - Gynécologie-obstétrique (SM)',
  'G15_10/SM24': 'Médecin - Gastro-entérologie et hépatologie (SM)',
  'G15_10/SM26': 'Médecin - Qualifié en Médecine Générale (SM)',
  'G15_10/SM27': 'Médecin - Médecine interne (SM)',
  'G15_10/SM30': 'Médecin - Néphrologie (SM)',
  'G15_10/SM32': 'Médecin - Neurologie (SM)',
  'G15_10/SM38': 'Médecin - Ophtalmologie (SM)',
  'G15_10/SM39': 'Médecin - Oto-rhino-laryngologie (SM)',
  'G15_10/SM40': 'Médecin - Pédiatrie (SM)',
  'G15_10/SM41': 'Médecin - Pneumologie (SM)',
  'G15_10/SM42': 'Médecin - Psychiatrie (SM)',
  'G15_10/SM48': 'Médecin - Rhumatologie (SM)',
  'G15_10/SM53': 'Médecin - Spécialiste en Médecine Générale (SM)',
  'G15_10/SM54': 'Médecin - Médecine Générale (SM)',
  'G15_10/SM62': 'Médecin - Endocrinologie, diabétologie, nutrition (SM)',
  'G15_40/SCD01': 'Chirurgien-Dentiste - Orthopédie dento-faciale (SCD)',
  'G15_40/SCD02': 'Chirurgien-Dentiste - Chirurgie orale (SCD)',
  'G15_40/SCD03': 'Chirurgien-Dentiste - Médecine bucco-dentaire (SCD)',
};

export const isSpecialtyCode = (value: unknown): value is string =>
  typeof value === 'string' && SPECIALTY_CODE.test(value);
