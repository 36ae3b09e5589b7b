/**
 * Prescriptions over HTTP: intake, retrieval, dispensing and execution (declared in table.ts).
 *   POST /prescriptions                      vendor payload → stored FHIR prescription (201, or 200 on replay)
 *   POST /prescriptions/$validate            the same payload → what POST would answer and store, storing nothing
 *   GET  /prescriptions/:number              the prescription as a FHIR Bundle, with its dispensing summary and records
 *   POST /prescriptions/scan                 the raw text a scanner read (QR content or a typed number) → same answer
 *   POST /prescriptions/:number/dispenses    record dispenses / deliveries / sessions (FHIR collection or one record)
 *   GET  /prescriptions/:number/dispenses    what was dispensed, for the prescriber, unless the patient objected
 *   POST /prescriptions/:number/cancel       the prescriber cancels what was not dispensed
 *   POST /prescriptions/:number/replace      vendor payload → a new prescription replacing the (undispensed) old one
 *   POST /prescriptions/:number/consent      the patient's (new) choice: the dispensing view, or an objection to the DMP feed
 *   GET  /prescriptions/:number/qr.png       QR code (also qr.svg) and the printable ordonnance.pdf
 * The handlers read the request and write the answer; the work is in usecases/ (with the rules
 * of rules/ and the builders of fhir/ and documents/).
 */
import type { Request, RequestHandler, Response } from 'express';
import { readNumberSegment } from '../../domain/prescription-number';
import { ProblemError, unwrap, type Problem } from '../../domain/problem';
import { parseQrPayload, type ScannedCode } from '../../documents/qr-code';
import { storedPrescriptionOf } from '../../documents/prescription-documents';
import { readPatientChoice } from '../../fhir/dispensing/consent';
import { readRestSubmission } from '../../fhir/dispensing/read-submission';
import { recordedBundle } from '../../fhir/dispensing/summary';
import type { StoredPrescriptionBundle } from '../../fhir/prescription-search';
import { mapperForFormat, mapperForMediaType, MAPPERS } from '../../mappers';
import type { VendorMapper } from '../../mappers/mapper';
import { cancelPrescription } from '../../usecases/dispensing/cancel';
import { recordPatientChoice } from '../../usecases/dispensing/consent';
import { normalizedNumber } from '../../usecases/dispensing/lookup';
import { recordExecution } from '../../usecases/dispensing/record';
import { documentKindOf, renderDocument, viewDispenses, viewPrescription } from '../../usecases/dispensing/view';
import { acceptPrescription } from '../../usecases/intake/accept';
import { dryRunPrescription } from '../../usecases/intake/dry-run';
import { replacePrescription } from '../../usecases/intake/replace';
import type { IntakeResult } from '../../usecases/intake/store';
import { bodyBytes, jsonBody, requireFhirJson } from '../http/body';
import { sendFhir } from '../http/fhir-response';
import { HTTP_STATUS } from '../http/problem-status';
import { callerOf, noteOutcome } from '../security/request-context';
import { auditApiBaseOf } from './audit';
import type { RouteContext } from './route';

function selectMapper(req: Request): VendorMapper {
  const explicit = req.get('x-vendor-format');
  if (explicit) {
    const mapper = mapperForFormat(explicit);
    if (!mapper) {
      throw new ProblemError('unsupported', [
        {
          code: 'not-supported',
          rule: 'F1',
          message: `unknown vendor format "${explicit}"; supported: ${MAPPERS.map((m) => m.format).join(', ')}`,
        },
      ]);
    }
    return mapper;
  }
  const contentType = req.get('content-type') ?? '';
  const mapper = mapperForMediaType(contentType);
  if (!mapper) {
    const known = MAPPERS.flatMap((m) => m.mediaTypes).join(', ');
    throw new ProblemError('unsupported', [
      {
        code: 'not-supported',
        rule: 'F1',
        message: `unsupported Content-Type "${contentType || '(none)'}"; send one of ${known} or an X-Vendor-Format header`,
      },
    ]);
  }
  return mapper;
}

function intakeResponseBody(result: IntakeResult & { replaces?: string }) {
  const base = `/prescriptions/${result.number}`;
  return {
    number: result.number,
    ...(result.replaces !== undefined ? { replaces: result.replaces } : {}),
    status: result.status,
    resources: result.resources,
    links: { qr: `${base}/qr.png`, pdf: `${base}/ordonnance.pdf`, fhir: base },
  };
}

/** The number of a `/prescriptions/:number…` URL; malformed when it is not one. */
export const numberFromPath = (req: Request): string => unwrap(readNumberSegment(String(req.params.number)));

/** The text a scanner produced: raw bytes as UTF-8, or a JSON string holding it. */
function scannedText(req: Request): string {
  const text = bodyBytes(req).toString('utf8').trim();
  if (text.startsWith('"')) {
    try {
      const inner: unknown = JSON.parse(text);
      if (typeof inner === 'string') return inner;
    } catch {
      /* not a JSON string: read as it is */
    }
  }
  return text;
}

const sameName = (a: string, b: string): boolean =>
  a.trim().localeCompare(b.trim(), 'fr', { sensitivity: 'base' }) === 0;

/** A full QR content must describe the stored prescription: else the printed code was altered or belongs elsewhere. */
function checkScanMatches(scanned: ScannedCode, found: StoredPrescriptionBundle): void {
  if (scanned.source !== 'qr') return;
  const { prescription } = storedPrescriptionOf(found);
  const titular = prescription.replacedPrescriber ?? prescription.prescriber;
  const problems: Problem[] = [];
  if (
    !sameName(scanned.patient.family, prescription.patient.family) ||
    scanned.patient.birthDate !== prescription.patient.birthDate
  ) {
    problems.push({
      code: 'business-rule',
      rule: 'D12',
      path: '/D/P',
      message: 'the patient in the QR code is not the patient of this prescription',
    });
  }
  if (scanned.rpps !== titular.rpps)
    problems.push({
      code: 'business-rule',
      rule: 'D12',
      path: '/D/M/RPPS',
      message: 'the prescriber in the QR code is not the prescriber of this prescription',
    });
  if (problems.length > 0) {
    throw new ProblemError('invalid', [
      ...problems,
      {
        code: 'business-rule',
        rule: 'D12',
        message: `the QR code does not match prescription ${scanned.number}: it may have been altered; check the paper ordonnance`,
      },
    ]);
  }
}

export function createPrescription({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const mapper = selectMapper(req);
    const result = await acceptPrescription(useCases, callerOf(req), mapper, bodyBytes(req));
    req.log.info({ number: result.number, format: mapper.format, created: result.created }, 'prescription intake');
    res
      .status(result.created ? 201 : 200)
      .location(`/prescriptions/${result.number}`)
      .json(intakeResponseBody(result));
  };
}

/**
 * The dry run. Like FHIR's $validate, a payload that can be read is answered 200 whatever the verdict (a
 * Parameters with the outcome, and the transaction when valid); one that cannot be read, or a caller who may
 * not call it, is answered as POST /prescriptions answers them. The audit trail records what POST would
 * have answered (422, 403), without detail: the issues quote the payload.
 */
export function validatePrescription({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const mapper = selectMapper(req);
    const result = await dryRunPrescription(useCases, callerOf(req), mapper, bodyBytes(req));
    if (result.verdict !== 'valid') noteOutcome(req, HTTP_STATUS[result.verdict]);
    req.log.info({ format: mapper.format, verdict: result.verdict }, 'prescription dry run');
    sendFhir(res, 200, result.parameters);
  };
}

export function scanPrescription({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const scanned = unwrap(parseQrPayload(scannedText(req)));
    const caller = callerOf(req);
    const number = normalizedNumber(scanned.number, scanned.source === 'qr' ? '/D/ID' : undefined);
    caller.noteAccess({ number });
    const { bundle, found } = await viewPrescription(useCases, caller, number, { fullUrlBase: auditApiBaseOf(req) });
    checkScanMatches(scanned, found);
    sendFhir(res, 200, bundle);
  };
}

export function readPrescription({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const number = numberFromPath(req);
    const { bundle } = await viewPrescription(useCases, callerOf(req), number, { fullUrlBase: auditApiBaseOf(req) });
    sendFhir(res, 200, bundle);
  };
}

export function recordDispenses({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const number = numberFromPath(req);
    requireFhirJson(req);
    const submission = readRestSubmission(jsonBody(req));
    if (!submission.ok) throw new ProblemError(submission.kind, submission.problems);
    const elsewhere = submission.value.numbers.find((n) => n.value !== number);
    if (elsewhere) {
      throw new ProblemError('invalid', [
        {
          code: 'value',
          rule: 'D1',
          message: `the record names prescription ${elsewhere.value || '(another system)'}, not ${number}`,
          path: elsewhere.at,
        },
      ]);
    }
    const result = await recordExecution(useCases, callerOf(req), number, submission.value);
    req.log.info({ number, records: result.records.length, created: result.created }, 'dispense recorded');
    res.location(`/prescriptions/${number}/dispenses`);
    sendFhir(
      res,
      result.created ? 201 : 200,
      recordedBundle(number, result.summary, [...result.records, ...result.context], {
        now: useCases.now(),
        fullUrlBase: auditApiBaseOf(req),
      }),
    );
  };
}

export function readDispenses({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const number = numberFromPath(req);
    sendFhir(res, 200, await viewDispenses(useCases, callerOf(req), number, { fullUrlBase: auditApiBaseOf(req) }));
  };
}

export function cancel({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const number = numberFromPath(req);
    const result = await cancelPrescription(useCases, callerOf(req), number);
    req.log.info({ number, revoked: result.revoked }, 'prescription cancellation');
    sendFhir(res, 200, result.outcome);
  };
}

/** A corrected prescription replacing the one in the URL; same formats and answers as POST /prescriptions. */
export function replace({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const replaced = numberFromPath(req);
    const mapper = selectMapper(req);
    const result = await replacePrescription(useCases, callerOf(req), mapper, bodyBytes(req), replaced);
    req.log.info(
      { number: result.number, replaces: replaced, format: mapper.format, created: result.created },
      'prescription replacement',
    );
    res
      .status(result.created ? 201 : 200)
      .location(`/prescriptions/${result.number}`)
      .json(intakeResponseBody(result));
  };
}

export function recordConsent({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const number = numberFromPath(req);
    requireFhirJson(req);
    const choice = unwrap(readPatientChoice(jsonBody(req)));
    const consent = await recordPatientChoice(useCases, callerOf(req), number, choice);
    req.log.info({ number, topic: choice.topic, objects: choice.objects }, 'patient choice recorded');
    sendFhir(res, 200, consent);
  };
}

export function readDocument({ useCases }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const kind = documentKindOf(String(req.params.document));
    const number = numberFromPath(req);
    const document = await renderDocument(useCases, callerOf(req), number, kind);
    res.type(document.contentType).setHeader('cache-control', 'private, no-store');
    res.send(document.body);
  };
}
