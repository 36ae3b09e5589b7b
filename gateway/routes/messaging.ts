/**
 * The gateway's FHIR endpoint: FHIR messaging (HAPI does not implement $process-message).
 *   GET  /fhir/metadata               the gateway's CapabilityStatement
 *   POST /fhir/$process-message       a message Bundle → a response message Bundle
 *
 * A processed message is answered 200 with a response message whose MessageHeader.response.code
 * says ok, fatal-error (the message was refused: the OperationOutcome says why) or
 * transient-error (retry later). Only a body that is not a readable message gets a bare 400/415.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { FhirResource } from 'fhir/r4';
import { toOperationOutcome, type Problem } from '../../domain/problem';
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
import { callerOf } from '../security/request-context';

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

/** What the response message says: its code, and what it is about or why it failed. */
interface Processed {
  code: ResponseCode;
  focus?: FhirResource[];
  problems?: Problem[];
}

/** The event's handler run on the message; its failures are classified by gateway/messaging/response-code.ts. */
async function processMessage(info: MessageInfo, body: Buffer, ctx: MessageContext): Promise<Processed> {
  const handler =
    info.event?.system === MESSAGE_EVENT_SYSTEM && info.event.code ? MESSAGE_HANDLERS[info.event.code] : undefined;
  if (!handler) return { code: 'fatal-error', problems: [unsupportedEvent(info)] };
  try {
    return { code: 'ok', focus: (await handler(body, ctx)).focus };
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
    const replayKey =
      info.bundleId && info.messageHeaderId ? ([info.bundleId, info.messageHeaderId] as const) : undefined;
    if (replayKey) {
      const cached = await cache.get(...replayKey);
      if (cached) {
        sendFhir(res, 200, cached);
        return;
      }
    }

    const {
      code,
      focus = [],
      problems = [],
    } = await processMessage(info, body, { deps: useCases, caller: callerOf(req), log: req.log });
    const response = buildResponseMessage({
      request: info,
      code,
      focus,
      ...(problems.length > 0 ? { outcome: toOperationOutcome(problems) } : {}),
      gatewayEndpoint: `${gatewayBaseOf(req)}/fhir/$process-message`,
      newUuid: randomUUID,
      now: useCases.now(),
    });
    // A transient failure is not remembered: the resent message must be processed again.
    if (replayKey && code !== 'transient-error') await cache.put(...replayKey, response);
    sendFhir(res, 200, response);
  };
}
