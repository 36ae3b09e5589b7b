/**
 * Looking at the lines of a mapped prescription in tests: how many of each kind, and one line
 * typed as the kind the test expects it to be (the cast is what the assertions then check).
 */
import type { ActLine, DeviceLine, DrugLine, Prescription } from '../../domain/prescription';

/** [drug lines, device lines, act lines]. */
export const counts = (p: Prescription): [number, number, number] => [
  p.lines.filter((l) => l.kind === 'drug').length,
  p.lines.filter((l) => l.kind === 'device').length,
  p.lines.filter((l) => l.kind === 'act').length,
];

export const drug = (p: Prescription, i: number): DrugLine => p.lines[i] as DrugLine;
export const device = (p: Prescription, i: number): DeviceLine => p.lines[i] as DeviceLine;
export const act = (p: Prescription, i: number): ActLine => p.lines[i] as ActLine;
