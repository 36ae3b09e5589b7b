/**
 * The tracing vocabulary shared by the gateway, the worker and the SDK set-up (platform/tracing.ts),
 * on @opentelemetry/api only: without a registered SDK every call here is the API's no-op.
 */
import { context, propagation, trace, type Context } from '@opentelemetry/api';

/** Span attribute and baggage key of the gateway's request id (the `x-request-id` answered). */
export const REQUEST_ID_ATTRIBUTE = 'ordo.request_id';

export interface TracingSettings {
  serviceName: string;
}

export interface Tracing {
  /** Exports the spans still buffered, then stops the provider (on SIGTERM). */
  shutdown(): Promise<void>;
}

/**
 * Runs `fn` with the request id on the active span and in the baggage of everything it starts (the
 * calls to HAPI, the jobs it queues). Without an active span (tracing off) it only calls `fn`.
 */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  const span = trace.getActiveSpan();
  if (!span) return fn();
  span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
  // A baggage of its own: what a client sent in a `baggage` header is not passed on to HAPI or the jobs.
  const baggage = propagation.createBaggage({ [REQUEST_ID_ATTRIBUTE]: { value: requestId } });
  return context.with(propagation.setBaggage(context.active(), baggage), fn);
}

/** Names the active server span after the route template (`POST /prescriptions`) instead of the bare method. */
export function nameServerSpan(method: string, routeTemplate: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute('http.route', routeTemplate);
  span.updateName(`${method} ${routeTemplate}`);
}

/** The request id carried in a context's baggage, if any. */
export const requestIdIn = (ctx: Context): string | undefined =>
  propagation.getBaggage(ctx)?.getEntry(REQUEST_ID_ATTRIBUTE)?.value;

/** trace_id/span_id of the active span, for the log lines written under it (platform/logger.ts). */
export function activeTraceIds(): { trace_id: string; span_id: string } | Record<string, never> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
}
