/**
 * The gateway's FHIR endpoint: FHIR messaging (HAPI does not implement $process-message).
 *   GET  /fhir/metadata               the gateway's CapabilityStatement
 *   POST /fhir/$process-message       a message Bundle → a response message Bundle
 *
 * A processed message is answered 200 with a response message whose MessageHeader.response.code
 * says ok, fatal-error (the message was refused: the OperationOutcome says why) or
 * transient-error (retry later). Only a body that is not a readable message gets a bare 400/415.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { FhirResource } from 'fhir/r4';
import { canonicalJson } from '../../domain/canonical-json';
import { toOperationOutcome, type Problem } from '../../domain/problem';
import { prescriptionNumberOf } from '../../fhir/read-prescription';
import { MESSAGE_EVENT_SYSTEM } from '../../fhir/systems';
import { readMessageInfo, type MessageInfo } from '../../mappers/fhir-message';
import { MESSAGE_HANDLERS, type MessageContext } from '../../usecases/messaging/handlers';
import { buildResponseMessage, type ResponseCode } from '../../usecases/messaging/response-message';
import type { RouteContext } from './route';
import { bodyBytes, gatewayBaseOf, requireFhirJson } from '../http/body';
import { sendFhir, sendOutcome } from '../http/fhir-response';
import { gatewayCapabilityStatement } from '../messaging/capability-statement';
import { ReliableMessageCache } from '../messaging/reliable-cache';
import { failedMessageOf } from '../messaging/response-code';
import { callerOf, noteOutcome } from '../security/request-context';
import { auditApiBaseOf } from './audit';

function unsupportedEvent(info: MessageInfo): Problem {
  if (!info.event) {
    return {
      code: 'structure',
      rule: 'V12',
      path: 'Bundle.entry[0].resource',
      message: 'the first entry must be the MessageHeader of the message, with its eventCoding',
    };
  }
  return {
    code: 'not-supported',
    rule: 'V12',
    path: 'Bundle.entry[0].resource.eventCoding',
    message: `event ${info.event.system ?? '(no system)'}|${info.event.code ?? '(no code)'} is not supported; supported: ${Object.keys(
      MESSAGE_HANDLERS,
    )
      .map((c) => `${MESSAGE_EVENT_SYSTEM}|${c}`)
      .join(', ')}`,
  };
}

/** What the response message says: its code, and what it is about or why it failed (as an HTTP status would). */
interface Processed {
  code: ResponseCode;
  focus?: FhirResource[];
  included?: FhirResource[];
  problems?: Problem[];
  status?: number;
}

/** The event's handler run on the message; its failures are classified by gateway/messaging/response-code.ts. */
async function processMessage(info: MessageInfo, body: Buffer, ctx: MessageContext): Promise<Processed> {
  const handler =
    info.event?.system === MESSAGE_EVENT_SYSTEM && info.event.code ? MESSAGE_HANDLERS[info.event.code] : undefined;
  if (!handler) return { code: 'fatal-error', status: 422, problems: [unsupportedEvent(info)] };
  try {
    const handled = await handler(body, ctx);
    return { code: 'ok', focus: handled.focus, ...(handled.included ? { included: handled.included } : {}) };
  } catch (err) {
    const failed = failedMessageOf(err);
    if (failed) return failed;
    throw err;
  }
}

/** GET /fhir/metadata: the gateway's CapabilityStatement. */
export function capabilityStatement({ useCases }: RouteContext): RequestHandler {
  const startedAt = useCases.now().toISOString();
  return (req, res) => {
    sendFhir(res, 200, gatewayCapabilityStatement(gatewayBaseOf(req), Object.keys(MESSAGE_HANDLERS), startedAt), {
      cacheable: true,
    });
  };
}

/** The response's focus names the prescription: its number, for the audit trail. */
const numberOfFocus = (focus: FhirResource[]): string | undefined =>
  focus.flatMap((r) => (r.resourceType === 'RequestGroup' ? [prescriptionNumberOf(r)] : []))[0];

const contentSha256 = (body: Buffer): string =>
  createHash('sha256')
    .update(canonicalJson(JSON.parse(body.toString('utf8'))))
    .digest('hex');

const otherContent = (info: MessageInfo): Problem => ({
  code: 'conflict',
  rule: 'V12',
  path: 'Bundle.id',
  message: `Bundle.id ${info.bundleId} and MessageHeader.id ${info.messageHeaderId} were already used by you for a message with other content; a new message needs new ids`,
});

/** POST /fhir/$process-message: a message Bundle → a response message Bundle. */
export function processMessageRoute({ deps, useCases }: RouteContext): RequestHandler {
  const cache = new ReliableMessageCache(deps.redis, deps.config.queuePrefix);
  return async (req, res) => {
    requireFhirJson(req, '$process-message takes');
    const body = bodyBytes(req);
    const read = readMessageInfo(body);
    if (!read.ok) {
      sendOutcome(res, 400, read.problems);
      return;
    }
    const info = read.value;
    const caller = callerOf(req);
    const respond = (processed: Processed) => {
      const { code, focus = [], included = [], problems = [] } = processed;
      const response = buildResponseMessage({
        request: info,
        code,
        focus,
        included,
        fullUrlBase: auditApiBaseOf(req),
        ...(problems.length > 0 ? { outcome: toOperationOutcome(problems) } : {}),
        gatewayEndpoint: `${gatewayBaseOf(req)}/fhir/$process-message`,
        newUuid: randomUUID,
        now: useCases.now(),
      });
      if (code !== 'ok') noteOutcome(req, processed.status ?? 422, problems[0]?.message);
      return response;
    };

    const identity =
      info.bundleId && info.messageHeaderId
        ? { sender: caller.principal.nationalId, bundleId: info.bundleId, headerId: info.messageHeaderId }
        : undefined;
    const hash = identity ? contentSha256(body) : undefined;
    if (identity && hash) {
      const seen = await cache.lookup(identity, hash);
      if (seen.found === 'resend') {
        if (seen.cached.number) caller.noteAccess({ number: seen.cached.number });
        sendFhir(res, 200, seen.cached.response);
        return;
      }
      if (seen.found === 'other-content') {
        sendFhir(res, 200, respond({ code: 'fatal-error', status: 409, problems: [otherContent(info)] }));
        return;
      }
    }

    const processed = await processMessage(info, body, { deps: useCases, caller, log: req.log });
    const number = numberOfFocus(processed.focus ?? []);
    if (number) caller.noteAccess({ number });
    const response = respond(processed);
    // A transient failure is not remembered: the resent message must be processed again.
    if (identity && hash && processed.code !== 'transient-error') {
      await cache.put(identity, { contentSha256: hash, response, ...(number ? { number } : {}) });
    }
    sendFhir(res, 200, response);
  };
}
