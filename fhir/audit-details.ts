/**
 * What an AuditEvent says about the prescription it names, beyond its identity, in the entity's
 * `detail` (written by usecases/audit/build-audit-event.ts, read by the console's timeline): which
 * software sent a created prescription, and for a dispense or execution which line and how much.
 * Codes and figures only, never patient data. Pure.
 */
import { EXECUTED_LINE_DETAIL, SOURCE_SOFTWARE_DETAIL } from './systems';

/** One `entity.detail` of an audit record (its valueString). */
export interface AuditEntityDetail {
  type: string;
  value: string;
}

/** A line a dispense or execution recorded: its 1-based position, the quantity and its unit (boîte, séance…). */
export interface ExecutedLine {
  line: number;
  quantity: number;
  unit: string;
  /** Nothing was delivered or done (a declined dispense, a procedure not done): recorded, counts nothing. */
  notDone?: boolean;
}

export const sourceSoftwareDetail = (software: { name?: string; version?: string }): AuditEntityDetail | undefined => {
  const value = [software.name, software.version].filter((part) => part !== undefined && part !== '').join(' ');
  return value ? { type: SOURCE_SOFTWARE_DETAIL, value } : undefined;
};

export const executedLineDetail = (line: ExecutedLine): AuditEntityDetail => ({
  type: EXECUTED_LINE_DETAIL,
  value: JSON.stringify(line),
});

/** An executed-line detail read back; undefined when it is not one (another writer, a damaged value). */
export function readExecutedLine(value: string | undefined): ExecutedLine | undefined {
  try {
    const read = JSON.parse(value ?? '') as Partial<ExecutedLine>;
    if (!Number.isInteger(read.line) || typeof read.quantity !== 'number' || typeof read.unit !== 'string')
      return undefined;
    return {
      line: read.line!,
      quantity: read.quantity,
      unit: read.unit,
      ...(read.notDone === true ? { notDone: true } : {}),
    };
  } catch {
    return undefined;
  }
}
