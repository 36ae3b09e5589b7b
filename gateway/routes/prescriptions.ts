/**
 * Prescription intake and retrieval over HTTP.
 *   POST /prescriptions                  vendor payload → stored FHIR prescription (201, or 200 on replay)
 *   GET  /prescriptions/:number          the prescription as a FHIR Bundle
 *   GET  /prescriptions/:number/qr.png   QR code (also qr.svg) and the printable ordonnance.pdf
 */
import express, { Router, type Request, type Response } from 'express';
import type { Bundle, FhirResource } from 'fhir/r4';
import { isWellFormedNumber, normalizePrescriptionNumber } from '../../domain/prescription-number';
import { mapperForFormat, mapperForMediaType, MAPPERS } from '../../mappers/registry';
import type { VendorMapper } from '../../mappers/types';
import { PAYLOAD_LIMITS } from '../../mappers/types';
import type { AppDeps } from '../app';
import { HttpProblem } from '../http-problem';
import { acceptPrescription } from '../intake/accept';
import type { IntakeResult } from '../intake/store';
import { findPrescriptionByNumber, type StoredPrescriptionBundle } from '../prescriptions/repository';
import { renderPrescriptionDocument, DOCUMENT_KINDS } from '../prescriptions/documents';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** The whole body as bytes, whatever its type: each mapper decodes its own format. */
export const rawBody = express.raw({ type: () => true, limit: PAYLOAD_LIMITS.maxBytes });

export function selectMapper(req: Request): VendorMapper {
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

export function intakeResponseBody(result: IntakeResult) {
  const base = `/prescriptions/${result.number}`;
  return {
    number: result.number,
    status: result.status,
    resources: result.resources,
    links: { qr: `${base}/qr.png`, pdf: `${base}/ordonnance.pdf`, fhir: base },
  };
}

/** A number from the URL: normalised, well-formed, or a 400 saying what is wrong with it. */
export function numberFromPath(raw: string): string {
  const number = normalizePrescriptionNumber(decodeURIComponent(raw));
  if (!isWellFormedNumber(number)) {
    throw HttpProblem.of(400, 'value', `"${raw}" is not a prescription number: 18 characters from 0-9 and A-Z are expected`);
  }
  return number;
}

export async function loadOr404(deps: AppDeps, number: string): Promise<StoredPrescriptionBundle> {
  const found = await findPrescriptionByNumber(deps.fhir, number);
  if (!found) throw HttpProblem.of(404, 'not-found', `no prescription has the number ${number}`);
  return found;
}

/** The search result as a plain collection Bundle: the prescription, not a query. */
function asCollection(found: StoredPrescriptionBundle, number: string): Bundle<FhirResource> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    identifier: { system: 'urn:oid:1.2.250.1.215.500.1.1', value: number },
    entry: (found.bundle.entry ?? []).map((e) => ({ fullUrl: e.fullUrl, resource: e.resource })),
  };
}

export function prescriptionsRouter(deps: AppDeps): Router {
  const router = Router();
  router.post('/prescriptions', rawBody, async (req: Request, res: Response) => {
    const mapper = selectMapper(req);
    const result = await acceptPrescription(deps, mapper, bodyBytes(req));
    req.log.info({ number: result.number, format: mapper.format, created: result.created }, 'prescription intake');
    res
      .status(result.created ? 201 : 200)
      .location(`/prescriptions/${result.number}`)
      .json(intakeResponseBody(result));
  });

  router.get('/prescriptions/:number', async (req: Request, res: Response) => {
    const number = numberFromPath(String(req.params.number));
    const found = await loadOr404(deps, number);
    res.type(FHIR_JSON).send(JSON.stringify(asCollection(found, number)));
  });

  router.get('/prescriptions/:number/:document', async (req: Request, res: Response) => {
    const kind = DOCUMENT_KINDS[String(req.params.document)];
    if (!kind) throw HttpProblem.of(404, 'not-found', `no document "${req.params.document}"; try qr.png, qr.svg or ordonnance.pdf`);
    const number = numberFromPath(String(req.params.number));
    const found = await loadOr404(deps, number);
    const document = await renderPrescriptionDocument(kind, found);
    res.type(kind.contentType).setHeader('cache-control', 'private, no-store');
    res.send(document);
  });

  return router;
}
