/** The act types a prescription line may order (vendor formats §2.4). Own module: professions.ts needs them too. */
export const ACT_TYPES = [
  'acteBiologieMedicale',
  'acteInfirmier',
  'acteKinesitherapie',
  'actePedicurie',
  'acteOrthophonie',
  'acteOrthoptie',
] as const;
export type ActType = (typeof ACT_TYPES)[number];
