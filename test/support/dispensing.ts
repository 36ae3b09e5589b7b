/**
 * Helpers for the dispensing tests: store a vendor example as its prescriber, read the
 * dispensing summary of a prescription Bundle, and build what pharmacies and professionals send.
 * Synthetic data only (test RPPS range, FINESS 99…).
 */
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import type {
  Bundle,
  BundleEntry,
  FhirResource,
  MedicationDispense,
  Parameters,
  ParametersParameter,
  Practitioner,
  Procedure,
  SupplyDelivery,
} from 'fhir/r4';
import type { LineKind } from '../../domain/professions';
import type { Profession } from '../../domain/professions';
import {
  ACT_CODE_SYSTEM,
  EXECUTION_EXTENSIONS,
  GATEWAY_PROFESSION_SYSTEM,
  MESSAGE_EVENT_SYSTEM,
  MESSAGE_EVENTS,
  PRESCRIPTION_NUMBER_SYSTEM,
  RPPS_SYSTEM,
} from '../../fhir/systems';
import { bearerFor, testSecurityConfig } from './auth';
import { startTestGateway, type TestGateway } from './gateway';
import { syntheticFiness, syntheticRpps } from './synthetic';
import { uniquify, type VendorExample } from './vendor-fixtures';
import { postPrescription } from './post-prescription';

/** A fixed clock for the gateway under test: after every example's prescription date, within its drugs' validity. */
export const TEST_NOW = new Date('2026-11-26T11:00:00Z');
/** When the tests say things were handed over or done: an hour before TEST_NOW. */
export const HANDED_OVER = '2026-11-26T10:00:00+00:00';

/**
 * The gateway under test for dispensing: its clock at TEST_NOW (or `now`, for the expiry tests),
 * and a lookup budget no file spends (each looks prescriptions up far more than 30 times).
 */
export async function startDispensingGateway(now: () => Date = () => TEST_NOW): Promise<TestGateway> {
  return startTestGateway({ now, security: await testSecurityConfig({ points: 100_000 }) });
}

export { example } from './vendor-fixtures';

export interface StoredExample {
  number: string;
  prescriberRpps: string;
  /** Bearer of the prescriber who signed it. */
  prescriber: string;
}

/** Stores a vendor example (made unique) as its prescriber; `edit` may change the payload text first. */
export async function storeExample(
  app: Express,
  ex: VendorExample,
  edit?: (body: string) => string,
): Promise<StoredExample> {
  const unique = uniquify(ex);
  assert.ok(unique.prescriberRpps, `${ex.name} names its prescriber`);
  const prescriber = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps });
  const text = unique.body.toString(ex.encoding);
  const body = edit ? Buffer.from(edit(text), ex.encoding) : unique.body;
  const res = await postPrescription(app, prescriber, ex.format, body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { number: res.body.number, prescriberRpps: unique.prescriberRpps, prescriber };
}

/** The profession that executes each line kind (rules/access/policy.ts EXECUTABLE_LINES, read backwards). */
export const PROFESSION_FOR: Readonly<Record<LineKind, Profession>> = {
  drug: 'pharmacist',
  device: 'pharmacist',
  acteInfirmier: 'nurse',
  acteKinesitherapie: 'physiotherapist',
  acteOrthophonie: 'speech-therapist',
  acteOrthoptie: 'orthoptist',
  actePedicurie: 'podiatrist',
  acteBiologieMedicale: 'biologist',
};

export interface Professional {
  rpps: string;
  profession: Profession;
  finess: string;
  bearer: string;
}

export async function professional(profession: Profession): Promise<Professional> {
  const rpps = syntheticRpps();
  const finess = syntheticFiness();
  return {
    rpps,
    profession,
    finess,
    bearer: await bearerFor({ role: 'dispenser', profession, rpps, organization: { finess } }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the answer

export interface LineSummary {
  sequence: number;
  /** The line's request as the summary gives it: its absolute address (the summary's fullUrl is a urn:uuid). */
  request: string;
  /** The same, `Type/id`: how stored records refer to it. */
  requestKey: string;
  kind: string;
  unit: string;
  prescribed: number;
  quantityPerDelivery?: number;
  renewalsAllowed?: number;
  validUntil?: string;
  /** Drugs: the validity dates and why (README, Validity). */
  firstDeliveryUntil?: string;
  treatmentEnd?: string;
  validUntilRule?: string;
  validUntilReason?: string;
  nextDeliveryFrom?: string;
  nextDeliveryFromReason?: string;
  status?: string;
  statusReason?: string;
  dispensed?: number;
  remaining?: number;
  renewalsLeft?: number;
}

export interface Summary {
  number: string;
  status?: string;
  qrCodeDeactivated?: boolean;
  deactivationReason?: string;
  replacedBy?: string;
  dispensingWithheld?: string;
  lines: LineSummary[];
}

const valueOf = (p: ParametersParameter): unknown =>
  p.valueInteger ??
  p.valueString ??
  p.valueCode ??
  p.valueBoolean ??
  p.valueDate ??
  p.valueInstant ??
  p.valueReference?.reference ??
  p.valueIdentifier?.value;

export function summaryOf(bundle: Bundle<FhirResource>): Summary {
  const parameters = (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is Parameters => r?.resourceType === 'Parameters');
  assert.equal(parameters.length, 1, 'one dispensing summary in the Bundle');
  const summary: Record<string, unknown> = { lines: [] };
  for (const p of parameters[0]!.parameter ?? []) {
    if (p.name === 'line') {
      const line: Record<string, unknown> = {};
      for (const part of p.part ?? []) line[part.name] = valueOf(part);
      line.requestKey = /[A-Z][A-Za-z]+\/[^/]+$/.exec(String(line.request))?.[0];
      (summary.lines as LineSummary[]).push(line as unknown as LineSummary);
    } else summary[p.name] = valueOf(p);
  }
  return summary as unknown as Summary;
}

export const resourcesOf = <T extends FhirResource['resourceType']>(
  bundle: Bundle<FhirResource>,
  type: T,
): Array<Extract<FhirResource, { resourceType: T }>> =>
  (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is Extract<FhirResource, { resourceType: T }> => r?.resourceType === type);

export async function lookUp(
  app: Express,
  number: string,
  bearer: string,
): Promise<{ bundle: Bundle<FhirResource>; summary: Summary }> {
  const res = await request(app).get(`/prescriptions/${number}`).set('authorization', bearer);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const bundle = JSON.parse(res.text) as Bundle<FhirResource>;
  return { bundle, summary: summaryOf(bundle) };
}

// ---------------------------------------------------------------------------------------------
// What professionals send

export interface ExecutionOf {
  line: LineSummary;
  /** Boxes / devices, or the number of sessions (one Procedure each). */
  quantity: number;
  when?: string;
}

const numberExtension = (number: string) => ({
  url: EXECUTION_EXTENSIONS.prescription,
  valueReference: { identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: number } },
});

/** The records of one execution of a line, as a pharmacy or professional software would write them. */
export function recordsFor(
  { line, quantity, when = HANDED_OVER }: ExecutionOf,
  number?: string,
): Array<MedicationDispense | SupplyDelivery | Procedure> {
  const extension = number ? [numberExtension(number)] : [];
  // An absolute reference (the summary's) or a relative one: the type is the segment before the id.
  const requestType = /([A-Z][A-Za-z]+)\/[^/]+$/.exec(line.request)?.[1];
  if (requestType === 'MedicationRequest') {
    return [
      {
        resourceType: 'MedicationDispense',
        ...(extension.length ? { extension } : {}),
        identifier: [{ system: 'urn:example:pharmacy-software:dispense', value: randomUUID() }],
        status: 'completed',
        medicationCodeableConcept: { text: 'as prescribed' },
        quantity: { value: quantity, unit: 'boîte' },
        whenHandedOver: when,
        authorizingPrescription: [{ reference: line.request }],
        type: { coding: [{ system: ACT_CODE_SYSTEM, code: 'FFP' }] },
      },
    ];
  }
  if (requestType === 'DeviceRequest') {
    return [
      {
        resourceType: 'SupplyDelivery',
        extension: [...extension, { url: EXECUTION_EXTENSIONS.fulfils, valueReference: { reference: line.request } }],
        status: 'completed',
        suppliedItem: { quantity: { value: quantity }, itemCodeableConcept: { text: 'as prescribed' } },
        occurrenceDateTime: when,
      },
    ];
  }
  return Array.from({ length: quantity }, () => ({
    resourceType: 'Procedure' as const,
    ...(extension.length ? { extension } : {}),
    status: 'completed' as const,
    subject: { display: 'the patient of the prescription' },
    basedOn: [{ reference: line.request }],
    performedDateTime: when,
  }));
}

export function performerEntry(rpps: string, profession?: Profession): BundleEntry<Practitioner> {
  return {
    fullUrl: `urn:uuid:${randomUUID()}`,
    resource: {
      resourceType: 'Practitioner',
      identifier: [{ system: RPPS_SYSTEM, value: rpps }],
      name: [{ family: 'ESSAI', given: ['Camille'] }],
      ...(profession
        ? { qualification: [{ code: { coding: [{ system: GATEWAY_PROFESSION_SYSTEM, code: profession }] } }] }
        : {}),
    },
  };
}

/** A collection Bundle with the records of several executions (and optional extra entries). */
export function collection(
  executions: readonly ExecutionOf[],
  extra: BundleEntry<FhirResource>[] = [],
): Bundle<FhirResource> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      ...extra,
      ...executions.flatMap((e) =>
        recordsFor(e).map((resource) => ({ fullUrl: `urn:uuid:${randomUUID()}`, resource })),
      ),
    ],
  };
}

export async function postDispenses(app: Express, number: string, bearer: string, body: unknown) {
  return request(app)
    .post(`/prescriptions/${number}/dispenses`)
    .set('authorization', bearer)
    .set('content-type', 'application/fhir+json')
    .send(JSON.stringify(body));
}

/** A dispense-record message (FHIR messaging), as a pharmacy software sends it, performed by `rpps`. */
export function dispenseRecordMessage(
  number: string | undefined,
  executions: Array<{ line: LineSummary; quantity: number }>,
  rpps: string,
  sentAt = new Date(),
): Bundle<FhirResource> {
  const performer = performerEntry(rpps, 'pharmacist');
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    type: 'message',
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
    timestamp: sentAt.toISOString(),
    entry: [
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'MessageHeader',
          id: randomUUID(),
          eventCoding: { system: MESSAGE_EVENT_SYSTEM, code: MESSAGE_EVENTS.dispenseRecord },
          source: { endpoint: 'urn:example:pharmacy-software' },
        },
      },
      performer,
      ...executions.flatMap((e) =>
        recordsFor(e, number).map((resource) => {
          if (resource.resourceType === 'MedicationDispense')
            resource.performer = [{ actor: { reference: performer.fullUrl! } }];
          return { fullUrl: `urn:uuid:${randomUUID()}`, resource };
        }),
      ),
    ],
  };
}
