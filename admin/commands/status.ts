/**
 * `status <number>`: the dispensing summary and the DMP publication status, as
 * GET /prescriptions/{number} computes them (usecases/operations/prescription-status.ts).
 */
import type { ParametersParameter } from 'fhir/r4';
import { prescriptionStatus } from '../../usecases/operations/prescription-status';
import { numberAsked, requiredNumber, type AdminCommand } from '../command';
import { table } from '../table';

type Plain = string | number | boolean | undefined | PlainObject | PlainObject[];
interface PlainObject {
  [name: string]: Plain;
}

/** A parameter's value as JSON would show it: codes and numbers as such, an identifier by its value. */
function valueOf(p: ParametersParameter): Plain {
  if (p.part) return plainOf(p.part);
  return (
    p.valueCode ??
    p.valueString ??
    p.valueInteger ??
    p.valueBoolean ??
    p.valueDate ??
    p.valueInstant ??
    p.valueId ??
    p.valueIdentifier?.value ??
    p.valueReference?.reference
  );
}

/** Parameters → an object; a repeated name (`line`) → an array. */
function plainOf(parameters: readonly ParametersParameter[]): PlainObject {
  const out: PlainObject = {};
  for (const p of parameters) {
    if (p.resource) continue;
    const value = valueOf(p);
    if (p.name === 'line') ((out.line ??= []) as PlainObject[]).push(value as PlainObject);
    else out[p.name] = value;
  }
  return out;
}

const text = (value: Plain): string => (value === undefined ? '-' : String(value));

export const status: AdminCommand = {
  name: 'status',
  usage: 'status <number>',
  interaction: 'read',
  action: 'R',
  failedEntity: numberAsked,
  async run(session, input) {
    const asked = requiredNumber(input);
    const found = await prescriptionStatus(session.useCases, asked);
    const summary = plainOf(found.summary.parameter ?? []);
    const dmp = found.dmpPublication;
    const lines = (summary.line ?? []) as PlainObject[];
    const head = [
      `prescription ${found.number}: ${text(summary.status)}${summary.qrCodeDeactivated ? ' (QR code deactivated)' : ''}`,
      ...(summary.deactivationReason ? [`  reason: ${text(summary.deactivationReason)}`] : []),
      ...(summary.replacedBy ? [`  replaced by: ${text(summary.replacedBy)}`] : []),
      `DMP publication: ${dmp.state}${dmp.attempts !== undefined ? `, ${dmp.attempts} attempt(s)` : ''}` +
        `${dmp.documentStatus ? `, document ${dmp.documentStatus}` : ''}${dmp.reason ? ` — ${dmp.reason}` : ''}`,
    ];
    const body = table(
      ['LINE', 'KIND', 'STATUS', 'PRESCRIBED', 'DISPENSED', 'REMAINING', 'UNIT', 'VALID UNTIL'],
      lines.map((l) => [
        text(l.sequence),
        text(l.kind),
        text(l.status),
        text(l.prescribed),
        text(l.dispensed),
        text(l.remaining),
        text(l.unit),
        text(l.validUntil),
      ]),
    );
    return {
      json: { ...summary, dmpPublication: dmp },
      text: `${head.join('\n')}\n${body}`,
      records: [{ status: 200, number: found.number, ...(found.reference ? { reference: found.reference } : {}) }],
    };
  },
};
