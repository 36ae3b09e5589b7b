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
import { Router, type Request, type Response } from 'express';
import type { FhirResource } from 'fhir/r4';
import { toOperationOutcome, type Problem } from '../../domain/problem';
import { FhirServerError } from '../../store/fhir-client';
import { MESSAGE_EVENT_SYSTEM } from '../../fhir/systems';
import { readMessageInfo, type MessageInfo } from '../../mappers/fhir-message';
import type { AppDeps } from '../app';
import { clockOf } from '../../platform/clock';
import { FHIR_JSON, sendOutcome } from '../error-handler';
import { HttpProblem } from '../http-problem';
import { gatewayCapabilityStatement } from '../messaging/capability-statement';
import { MESSAGE_HANDLERS, type MessageContext } from '../../usecases/messaging/handlers';
import { ReliableMessageCache } from '../messaging/reliable-cache';
import { buildResponseMessage, type ResponseCode } from '../../usecases/messaging/response-message';
import { gatewayBaseOf } from './audit';
import { bodyBytes, rawBody, requireFhirJson } from './prescriptions';

function unsupportedEvent(info: MessageInfo): Problem {
  if (!info.event) {
    return { code: 'structure', rule: 'V12', path: 'Bundle.entry[0].resource', message: 'the first entry must be the MessageHeader of the message, with its eventCoding' };
  }
  return {
    code: 'not-supported',
    rule: 'V12',
    path: 'Bundle.entry[0].resource.eventCoding',
    message: `event ${info.event.system ?? '(no system)'}|${info.event.code ?? '(no code)'} is not supported; supported: ${Object.keys(MESSAGE_HANDLERS)
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

/** The event's handler run on the message; a refusal is fatal, a store outage transient, anything else a fault. */
async function processMessage(info: MessageInfo, body: Buffer, ctx: MessageContext): Promise<Processed> {
  const handler = info.event?.system === MESSAGE_EVENT_SYSTEM && info.event.code ? MESSAGE_HANDLERS[info.event.code] : undefined;
  if (!handler) return { code: 'fatal-error', problems: [unsupportedEvent(info)] };
  try {
    return { code: 'ok', focus: (await handler(body, ctx)).focus };
  } catch (err) {
    if (err instanceof HttpProblem) return { code: 'fatal-error', problems: err.problems };
    if (err instanceof FhirServerError && err.transient) {
      return { code: 'transient-error', problems: [{ code: 'transient', message: 'the FHIR store is unavailable; send the same message again later' }] };
    }
    throw err;
  }
}

export function messagingRouter(deps: AppDeps): Router {
  const router = Router();
  const cache = new ReliableMessageCache(deps.redis, deps.config.queuePrefix);
  const now = clockOf(deps);
  const startedAt = now().toISOString();

  router.get('/fhir/metadata', (req: Request, res: Response) => {
    res.type(FHIR_JSON).send(JSON.stringify(gatewayCapabilityStatement(gatewayBaseOf(req), Object.keys(MESSAGE_HANDLERS), startedAt)));
  });

  router.post(/^\/fhir\/\$process-message$/, rawBody, async (req: Request, res: Response) => {
    requireFhirJson(req, '$process-message takes');
    const body = bodyBytes(req);
    const read = readMessageInfo(body);
    if (!read.ok) {
      sendOutcome(res, 400, read.problems);
      return;
    }
    const info = read.value;
    const replayKey = info.bundleId && info.messageHeaderId ? ([info.bundleId, info.messageHeaderId] as const) : undefined;
    if (replayKey) {
      const cached = await cache.get(...replayKey);
      if (cached) {
        res.type(FHIR_JSON).send(JSON.stringify(cached));
        return;
      }
    }

    const { code, focus = [], problems = [] } = await processMessage(info, body, { deps, req });
    const response = buildResponseMessage({
      request: info,
      code,
      focus,
      ...(problems.length > 0 ? { outcome: toOperationOutcome(problems) } : {}),
      gatewayEndpoint: `${gatewayBaseOf(req)}/fhir/$process-message`,
      newUuid: randomUUID,
      now: now(),
    });
    // A transient failure is not remembered: the resent message must be processed again.
    if (replayKey && code !== 'transient-error') await cache.put(...replayKey, response);
    res.type(FHIR_JSON).send(JSON.stringify(response));
  });

  return router;
}
