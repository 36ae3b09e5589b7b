/** Words for messages: how a vendor developer would call a line. Lines are counted from 1. */
import type { ActType, PrescriptionLine } from '../../domain/prescription';

const ACT_NAMES: Readonly<Record<ActType, string>> = {
  acteBiologieMedicale: 'biology act',
  acteInfirmier: 'nursing act',
  acteKinesitherapie: 'physiotherapy act',
  actePedicurie: 'podiatry act',
  acteOrthophonie: 'speech therapy act',
  acteOrthoptie: 'orthoptics act',
};

export function lineName(line: PrescriptionLine, index: number): string {
  const kind = line.kind === 'act' ? (ACT_NAMES[line.actType] ?? 'act') : line.kind;
  return `${kind} line ${index + 1}`;
}

export const linePath = (index: number): string => `/lines/${index}`;

export const isBlank = (value: string | undefined): boolean => value === undefined || value.trim() === '';
