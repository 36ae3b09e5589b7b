/**
 * Prescriptions over HTTP: intake, retrieval, dispensing and execution.
 *   POST /prescriptions                      vendor payload → stored FHIR prescription (201, or 200 on replay)
 *   GET  /prescriptions/:number              the prescription as a FHIR Bundle, with its dispensing summary and records
 *   POST /prescriptions/scan                 the raw text a scanner read (QR content or a typed number) → same answer
 *   POST /prescriptions/:number/dispenses    record dispenses / deliveries / sessions (FHIR collection or one record)
 *   GET  /prescriptions/:number/dispenses    what was dispensed, for the prescriber, unless the patient objected
 *   POST /prescriptions/:number/cancel       the prescriber cancels what was not dispensed
 *   POST /prescriptions/:number/consent      the patient's (new) choice about the prescriber seeing the dispensing
 *   GET  /prescriptions/:number/qr.png       QR code (also qr.svg) and the printable ordonnance.pdf
 * The routes parse and answer; the work is in gateway/dispensing (I/O) and profiles/dispensing (rules).
 */
import express, { Router, type Request, type Response } from 'express';
import type { Bundle, FhirResource } from 'fhir/r4';
import type { Problem } from '../../domain/problem';
import { parseQrPayload, type ScannedCode } from '../../documents/qr-code';
import { readRestSubmission } from '../../fhir/dispensing/read-submission';
import { dispensesBundle, prescriptionBundle, recordedBundle } from '../../fhir/dispensing/summary';
import { readJson } from '../../mappers/shared/json-reader';
import { parisDateOf } from '../../domain/paris-time';
import { objectionMessage, patientObjectsToDispensingView, readPatientChoice } from '../../fhir/dispensing/consent';
import { prescriptionStatusOf } from '../../rules/dispensing/status';
import { mapperForFormat, mapperForMediaType, MAPPERS } from '../../mappers/index';
import type { VendorMapper } from '../../mappers/mapper';
import { PAYLOAD_LIMITS } from '../../mappers/mapper';
import type { AppDeps } from '../app';
import { FHIR_JSON } from '../error-handler';
import { HttpProblem } from '../http-problem';
import { acceptPrescription } from '../../usecases/intake/accept';
import type { IntakeResult } from '../../usecases/intake/store';
import { cancelPrescription } from '../../usecases/dispensing/cancel';
import { recordPatientChoice } from '../../usecases/dispensing/consent';
import { clockOf } from '../../platform/clock';
import { auditLoaded, loadForDispensing, loadPrescription, normalizedNumber, numberFromPath, securityOf, type LoadedForDispensing } from '../../usecases/dispensing/lookup';
import { recordExecution } from '../../usecases/dispensing/record';
import type { StoredPrescriptionBundle } from '../../usecases/prescriptions/repository';
import { storedPrescriptionOf, DOCUMENT_KINDS } from '../../documents/prescription-documents';
import { ownershipOf } from '../../fhir/ownership';
import { dmpPublicationStatus } from '../../usecases/dmp/status';
import { authorizationFor, setAuditEntity } from '../security/request-context';
import { auditApiBaseOf } from './audit';

/** The whole body as bytes, whatever its type: each mapper decodes its own format. */
export const rawBody = express.raw({ type: () => true, limit: PAYLOAD_LIMITS.maxBytes });

function selectMapper(req: Request): VendorMapper {
  const explicit = req.get('x-vendor-format');
  if (explicit) {
    const mapper = mapperForFormat(explicit);
    if (!mapper) {
      throw HttpProblem.of(415, 'not-supported', `unknown vendor format "${explicit}"; supported: ${MAPPERS.map((m) => m.format).join(', ')}`);
    }
    return mapper;
  }
  const contentType = req.get('content-type') ?? '';
  const mapper = mapperForMediaType(contentType);
  if (!mapper) {
    const known = MAPPERS.flatMap((m) => m.mediaTypes).join(', ');
    throw HttpProblem.of(415, 'not-supported', `unsupported Content-Type "${contentType || '(none)'}"; send one of ${known} or an X-Vendor-Format header`);
  }
  return mapper;
}

export function bodyBytes(req: Request): Buffer {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0) throw HttpProblem.of(400, 'structure', 'the request body is empty');
  return body;
}

function intakeResponseBody(result: IntakeResult) {
  const base = `/prescriptions/${result.number}`;
  return {
    number: result.number,
    status: result.status,
    resources: result.resources,
    links: { qr: `${base}/qr.png`, pdf: `${base}/ordonnance.pdf`, fhir: base },
  };
}

const FHIR_MEDIA_TYPES = ['application/fhir+json', 'application/json'];

/** 415 unless the body is FHIR JSON; `demand` starts the message ("send", "$process-message takes"). */
export function requireFhirJson(req: Request, demand = 'send'): void {
  const media = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!FHIR_MEDIA_TYPES.includes(media)) throw HttpProblem.of(415, 'not-supported', `${demand} application/fhir+json, got "${media || '(none)'}"`);
}

function jsonBody(req: Request): unknown {
  const json = readJson(bodyBytes(req));
  if (!json.ok) throw new HttpProblem(400, json.problems);
  return json.value;
}

/** A FHIR JSON answer; never cached (patient data), so no ETag is computed over the body either. */
const sendFhir = (res: Response, status: number, resource: unknown): void => {
  const body = Buffer.from(JSON.stringify(resource), 'utf8');
  res.status(status).setHeader('content-type', FHIR_JSON);
  res.setHeader('cache-control', 'private, no-store');
  res.setHeader('content-length', body.length);
  res.end(body);
};

/**
 * The prescription Bundle for the caller: everything for a dispenser; for a prescriber whose
 * patient objected, the prescription without what was dispensed.
 */
async function lookupAnswer(req: Request, deps: AppDeps, { found, stored }: LoadedForDispensing): Promise<Bundle<FhirResource>> {
  auditLoaded(req, found);
  const security = securityOf(req);
  security?.readPrescription(ownershipOf(found));
  const dmpPublication = await dmpPublicationStatus({ queues: deps.queues, fhir: deps.fhir, ...(deps.dmpFhir ? { dmpFhir: deps.dmpFhir } : {}) }, stored.state.number, found);
  const now = clockOf(deps)();
  const withheld =
    security?.principal.role === 'prescriber' && patientObjectsToDispensingView(stored.dispensingConsent) ? objectionMessage(stored.state.number) : undefined;
  const verdict = prescriptionStatusOf(stored.state, parisDateOf(now));
  return prescriptionBundle(stored, found.bundle.entry ?? [], verdict, { now, fullUrlBase: auditApiBaseOf(req), dmpPublication, ...(withheld ? { withheld } : {}) });
}

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

const sameName = (a: string, b: string): boolean => a.trim().localeCompare(b.trim(), 'fr', { sensitivity: 'base' }) === 0;

/** A full QR content must describe the stored prescription: else the printed code was altered or belongs elsewhere. */
function checkScanMatches(scanned: ScannedCode, found: StoredPrescriptionBundle): void {
  if (scanned.source !== 'qr') return;
  const { prescription } = storedPrescriptionOf(found);
  const titular = prescription.replacedPrescriber ?? prescription.prescriber;
  const problems: Problem[] = [];
  if (!sameName(scanned.patient.family, prescription.patient.family) || scanned.patient.birthDate !== prescription.patient.birthDate) {
    problems.push({ code: 'business-rule', path: '/D/P', message: 'the patient in the QR code is not the patient of this prescription' });
  }
  if (scanned.rpps !== titular.rpps) problems.push({ code: 'business-rule', path: '/D/M/RPPS', message: 'the prescriber in the QR code is not the prescriber of this prescription' });
  if (problems.length > 0) {
    throw new HttpProblem(422, [...problems, { code: 'business-rule', message: `the QR code does not match prescription ${scanned.number}: it may have been altered; check the paper ordonnance` }]);
  }
}

export function prescriptionsRouter(deps: AppDeps): Router {
  const router = Router();
  const now = clockOf(deps);

  router.post('/prescriptions', rawBody, async (req: Request, res: Response) => {
    const mapper = selectMapper(req);
    const result = await acceptPrescription(deps, mapper, bodyBytes(req), { beforeStore: (p) => authorizationFor(req).createPrescription(p) });
    req.log.info({ number: result.number, format: mapper.format, created: result.created }, 'prescription intake');
    res
      .status(result.created ? 201 : 200)
      .location(`/prescriptions/${result.number}`)
      .json(intakeResponseBody(result));
  });

  router.post('/prescriptions/scan', rawBody, async (req: Request, res: Response) => {
    const scanned = parseQrPayload(scannedText(req));
    if (!scanned.ok) throw new HttpProblem(400, scanned.problems);
    const number = normalizedNumber(scanned.value.number, scanned.value.source === 'qr' ? '/D/ID' : undefined);
    setAuditEntity(req, { number });
    const loaded = await loadForDispensing(deps, number);
    const answer = await lookupAnswer(req, deps, loaded);
    checkScanMatches(scanned.value, loaded.found);
    sendFhir(res, 200, answer);
  });

  router.get('/prescriptions/:number', async (req: Request, res: Response) => {
    const number = numberFromPath(String(req.params.number));
    sendFhir(res, 200, await lookupAnswer(req, deps, await loadForDispensing(deps, number)));
  });

  router.post('/prescriptions/:number/dispenses', rawBody, async (req: Request, res: Response) => {
    const number = numberFromPath(String(req.params.number));
    requireFhirJson(req);
    const submission = readRestSubmission(jsonBody(req));
    if (!submission.ok) throw new HttpProblem(submission.malformed ? 400 : 422, submission.problems);
    const elsewhere = submission.value.numbers.find((n) => n.value !== number);
    if (elsewhere) {
      throw HttpProblem.of(422, 'value', `the record names prescription ${elsewhere.value || '(another system)'}, not ${number}`, elsewhere.at);
    }
    const security = securityOf(req);
    const result = await recordExecution(deps, { number, submission: submission.value, ...(security ? { security } : {}) });
    req.log.info({ number, records: result.records.length, created: result.created }, 'dispense recorded');
    res.location(`/prescriptions/${number}/dispenses`);
    sendFhir(res, result.created ? 201 : 200, recordedBundle(number, result.summary, result.records, { now: now(), fullUrlBase: auditApiBaseOf(req) }));
  });

  router.get('/prescriptions/:number/dispenses', async (req: Request, res: Response) => {
    const number = numberFromPath(String(req.params.number));
    const { found, stored } = await loadForDispensing(deps, number);
    auditLoaded(req, found);
    const objects = patientObjectsToDispensingView(stored.dispensingConsent);
    const security = securityOf(req);
    if (security) security.readDispenses(ownershipOf(found), objects);
    else if (objects) throw HttpProblem.of(403, 'forbidden', `access refused: ${objectionMessage(number)}`);
    const at = now();
    sendFhir(res, 200, dispensesBundle(stored, prescriptionStatusOf(stored.state, parisDateOf(at)), { now: at, fullUrlBase: auditApiBaseOf(req) }));
  });

  router.post('/prescriptions/:number/cancel', async (req: Request, res: Response) => {
    const number = numberFromPath(String(req.params.number));
    const security = securityOf(req);
    const result = await cancelPrescription(deps, number, security ? (owner) => security.cancelPrescription(owner) : undefined);
    req.log.info({ number, revoked: result.revoked }, 'prescription cancellation');
    sendFhir(res, 200, result.outcome);
  });

  router.post('/prescriptions/:number/consent', rawBody, async (req: Request, res: Response) => {
    const number = numberFromPath(String(req.params.number));
    requireFhirJson(req);
    const choice = readPatientChoice(jsonBody(req));
    if (!choice.ok) throw new HttpProblem(422, choice.problems);
    const security = securityOf(req);
    const consent = await recordPatientChoice(deps, number, choice.value, security ? (owner) => security.recordConsent(owner) : undefined);
    req.log.info({ number, objects: choice.value }, 'patient choice recorded');
    sendFhir(res, 200, consent);
  });

  router.get('/prescriptions/:number/:document', async (req: Request, res: Response) => {
    const kind = DOCUMENT_KINDS[String(req.params.document)];
    if (!kind) throw HttpProblem.of(404, 'not-found', `no document "${req.params.document}"; try qr.png, qr.svg or ordonnance.pdf`);
    const number = numberFromPath(String(req.params.number));
    const found = await loadPrescription(deps, number);
    auditLoaded(req, found);
    securityOf(req)?.readPrescription(ownershipOf(found));
    const document = await kind.render(storedPrescriptionOf(found));
    res.type(kind.contentType).setHeader('cache-control', 'private, no-store');
    res.send(document);
  });

  return router;
}
