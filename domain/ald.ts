/**
 * ALD per line. A bizone ordonnance (the Assurance Maladie form for ALD patients) prints the lines in
 * relation to the patient's affection de longue durée in its upper zone, the others in its lower zone. Vendors say it
 * once per prescription (the default of every line) and, since issue 13, per line; the canonical model
 * keeps a line's own flag only when it differs from that default, so payloads without line flags map
 * exactly as before.
 */
import type { Prescription, PrescriptionLine } from './prescription';

/** Whether a line is in relation to the ALD: its own flag, else the prescription's. */
export const lineIsAld = (p: Pick<Prescription, 'context'>, line: PrescriptionLine): boolean =>
  line.ald ?? p.context.ald;

/** A prescription with at least one ALD line is printed on the bizone form. */
export const isBizone = (p: Pick<Prescription, 'context' | 'lines'>): boolean =>
  p.lines.some((line) => lineIsAld(p, line));

/** What a mapper puts on a line for the vendor's line flag: nothing when absent or equal to the default. */
export const lineAldOverride = (lineFlag: boolean | undefined, prescriptionFlag: boolean): { ald?: boolean } =>
  lineFlag === undefined || lineFlag === prescriptionFlag ? {} : { ald: lineFlag };
