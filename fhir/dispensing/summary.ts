/**
 * The per-line dispensing summary of a prescription, as a FHIR `Parameters` resource placed in
 * the prescription Bundle (GET /prescriptions/{number}) — shape documented in the README
 * ("Dispensing summary"). Pure.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, FhirResource, Parameters, ParametersParameter } from 'fhir/r4';
import { publicFullUrl, withAbsoluteReferences } from '../public-urls';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../systems';
import type { LineState } from '../../rules/dispensing/model';
import { remainingOf, renewalsLeftOf, type PrescriptionVerdict } from '../../rules/dispensing/status';
import { isExecutionRecord, type StoredExecutionState } from './read-state';
import type { DmpPublicationStatus } from '../../domain/dmp-publication';
import { parisDateOf } from '../../domain/paris-time';
import { toOperationOutcome, type Problem } from '../../domain/problem';
import { nextDeliveryWindow } from '../../rules/dispensing/validity-rules';
import { outcomeParts } from './outcome-parts';

/** fullUrl of the summary inside a Bundle (a fresh urn:uuid: the summary is computed, not stored). */
const summaryFullUrl = (): string => `urn:uuid:${randomUUID()}`;

export interface SummaryOptions {
  /** Evaluation instant (expiry is judged on its Europe/Paris date). */
  now: Date;
  /** Set when the caller may not see what was dispensed (the patient objected): the reason, and no figures. */
  withheld?: string;
  /** Where the prescription stands in the DMP feed (GET /prescriptions/{number}; not in dispensing answers). */
  dmpPublication?: DmpPublicationStatus;
  /** What was accepted with a warning (an early renewal): an `outcome` parameter, in dispensing answers. */
  warnings?: readonly Problem[];
}

const p = (name: string, value: Omit<ParametersParameter, 'name'>): ParametersParameter => ({ name, ...value });

function lineParameter(
  line: LineState,
  verdict: PrescriptionVerdict['lines'][number] | undefined,
  withheld: boolean,
  today: string,
): ParametersParameter {
  const part: ParametersParameter[] = [
    p('sequence', { valueInteger: line.index + 1 }),
    p('request', { valueReference: { reference: line.reference } }),
    p('kind', { valueCode: line.kind }),
    p('unit', { valueString: line.unit }),
  ];
  if (line.kind === 'drug') {
    part.push(
      p('quantityPerDelivery', { valueInteger: line.perDelivery }),
      p('renewalsAllowed', { valueInteger: line.renewals }),
    );
  }
  part.push(p('prescribed', { valueInteger: line.prescribed }));
  if (line.validity) {
    part.push(p('firstDeliveryUntil', { valueDate: line.validity.firstDeliveryUntil }));
    part.push(p('treatmentEnd', { valueDate: line.validity.treatmentEnd }));
  }
  // The next delivery's window depends on what was dispensed: withheld with the figures.
  const window = withheld ? undefined : nextDeliveryWindow(line);
  if (window) {
    part.push(
      p('validUntil', { valueDate: window.until }),
      p('validUntilRule', { valueCode: window.rule }),
      p('validUntilReason', { valueString: window.reason }),
    );
    // From when: only while a renewal now would be early.
    if (window.from !== undefined && window.fromReason !== undefined && window.from > today) {
      part.push(
        p('nextDeliveryFrom', { valueDate: window.from }),
        p('nextDeliveryFromReason', { valueString: window.fromReason }),
      );
    }
  } else if (line.validUntil !== undefined) part.push(p('validUntil', { valueDate: line.validUntil }));
  if (!withheld && verdict) {
    part.push(p('status', { valueCode: verdict.status }));
    if (verdict.reason) part.push(p('statusReason', { valueString: verdict.reason }));
    part.push(p('dispensed', { valueInteger: line.executed }), p('remaining', { valueInteger: remainingOf(line) }));
    if (line.kind === 'drug') part.push(p('renewalsLeft', { valueInteger: renewalsLeftOf(line) }));
  }
  return { name: 'line', part };
}

function dmpPublicationParameter(status: DmpPublicationStatus): ParametersParameter {
  const part: ParametersParameter[] = [p('state', { valueCode: status.state })];
  if (status.documentReferenceId !== undefined)
    part.push(p('documentReferenceId', { valueId: status.documentReferenceId }));
  if (status.documentStatus !== undefined) part.push(p('documentStatus', { valueCode: status.documentStatus }));
  if (status.attempts !== undefined) part.push(p('attempts', { valueInteger: status.attempts }));
  if (status.reason !== undefined) part.push(p('reason', { valueString: status.reason }));
  return { name: 'dmpPublication', part };
}

export function dispensingSummary(
  stored: StoredExecutionState,
  verdict: PrescriptionVerdict,
  options: SummaryOptions,
): Parameters {
  const { state } = stored;
  const withheld = options.withheld !== undefined;
  const parameter: ParametersParameter[] = [
    p('number', { valueIdentifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: state.number } }),
    p('evaluatedAt', { valueInstant: options.now.toISOString() }),
  ];
  if (withheld) {
    parameter.push(p('dispensingWithheld', { valueString: options.withheld! }));
  } else {
    parameter.push(
      p('status', { valueCode: verdict.status }),
      p('qrCodeDeactivated', { valueBoolean: verdict.qrDeactivated }),
    );
    if (verdict.reason) parameter.push(p('deactivationReason', { valueString: verdict.reason }));
  }
  // Not dispensing data: the prescriber whose patient objects is told too which number to follow.
  if (state.replacedBy !== undefined)
    parameter.push(
      p('replacedBy', { valueIdentifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: state.replacedBy } }),
    );
  if (options.dmpPublication) parameter.push(dmpPublicationParameter(options.dmpPublication));
  if (options.warnings && options.warnings.length > 0) {
    parameter.push(p('outcome', { resource: toOperationOutcome(options.warnings) }));
  }
  const today = parisDateOf(options.now);
  state.lines.forEach((line, i) => {
    const lineEntry = lineParameter(line, verdict.lines[i], withheld, today);
    if (!withheld) lineEntry.part!.push(...outcomeParts(stored.records, line.reference));
    parameter.push(lineEntry);
  });
  return { resourceType: 'Parameters', parameter };
}

/** What the Bundles of the dispensing answers need besides the summary's options. */
export interface BundleOptions extends SummaryOptions {
  /**
   * Base of the stored resources' fullUrls (`<base>/<Type>/<id>`): the gateway's, never the FHIR
   * store's, whose address must not leak (fhir/public-urls.ts says which and why).
   */
  fullUrlBase: string;
}

/**
 * The prescription as a collection Bundle: the dispensing summary first, then the stored resources
 * (header, requests, patient, practitioners, organization, consents) and — unless withheld — the
 * dispensing/execution records.
 */
export function prescriptionBundle(
  stored: StoredExecutionState,
  entries: ReadonlyArray<BundleEntry<FhirResource>>,
  verdict: PrescriptionVerdict,
  options: BundleOptions,
): Bundle<FhirResource> {
  const kept = entries.flatMap((e) => (e.resource && !isExecutionRecord(e.resource) ? [e.resource] : []));
  const resources = [...kept, ...(options.withheld !== undefined ? [] : stored.records)];
  return collectionOf(stored.state.number, dispensingSummary(stored, verdict, options), resources, options);
}

/**
 * The records Bundle of GET /prescriptions/{number}/dispenses: summary + records, oldest first, then
 * the prescription they are about (`context`: fhir/dispensing/answer-context.ts).
 */
export function dispensesBundle(
  stored: StoredExecutionState,
  verdict: PrescriptionVerdict,
  context: readonly FhirResource[],
  options: BundleOptions,
): Bundle<FhirResource> {
  const summary = dispensingSummary(stored, verdict, options);
  return collectionOf(stored.state.number, summary, [...stored.records, ...context], options);
}

/** The answer of POST /prescriptions/{number}/dispenses: the new summary and the records as stored. */
export function recordedBundle(
  number: string,
  summary: Parameters,
  records: readonly FhirResource[],
  options: Pick<BundleOptions, 'now' | 'fullUrlBase'>,
): Bundle<FhirResource> {
  return collectionOf(number, summary, records, options);
}

/** Summary first (a fresh urn:uuid), then the stored resources under their public fullUrls, in the order given. */
function collectionOf(
  number: string,
  summary: Parameters,
  resources: readonly FhirResource[],
  options: Pick<BundleOptions, 'now' | 'fullUrlBase'>,
): Bundle<FhirResource> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: number },
    timestamp: options.now.toISOString(),
    entry: [
      { fullUrl: summaryFullUrl(), resource: withAbsoluteReferences(summary, options.fullUrlBase) },
      ...resources.map((resource) => {
        const fullUrl = publicFullUrl(options.fullUrlBase, resource);
        return { ...(fullUrl !== undefined ? { fullUrl } : {}), resource };
      }),
    ],
  };
}
