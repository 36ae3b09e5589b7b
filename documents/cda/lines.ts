/** The lines of an ordonnance sorted by what carries them in the DMP documents. */
import type { ActLine, DeviceLine, DrugLine, PrescriptionLine } from '../../domain/prescription';

export interface LinesByKind {
  drugs: DrugLine[];
  devices: DeviceLine[];
  acts: ActLine[];
}

export function linesByKind(lines: readonly PrescriptionLine[]): LinesByKind {
  return {
    drugs: lines.filter((line): line is DrugLine => line.kind === 'drug'),
    devices: lines.filter((line): line is DeviceLine => line.kind === 'device'),
    acts: lines.filter((line): line is ActLine => line.kind === 'act'),
  };
}

/** True when the ordonnance has something eP-MED-DM can carry (a drug or a device line). */
export const hasHealthProductLines = (lines: readonly PrescriptionLine[]): boolean =>
  lines.some((line) => line.kind === 'drug' || line.kind === 'device');
