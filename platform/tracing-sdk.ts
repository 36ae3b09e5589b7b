/**
 * The OpenTelemetry SDK of a process that exports traces: loaded by platform/tracing.ts only when an
 * OTLP endpoint is configured. OTLP over HTTP with JSON bodies (@opentelemetry/exporter-trace-otlp-http
 * reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT and _HEADERS itself), batched (OTEL_BSP_SCHEDULE_DELAY).
 */
import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  getNumberFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { REQUEST_ID_ATTRIBUTE, requestIdIn, type Tracing, type TracingSettings } from './trace-context';

/** Probes and scrapes: a span every few seconds that says nothing. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

/** Attributes that hold a whole URL or its query string: the query is dropped, as in the logs. */
const URL_ATTRIBUTES = ['url.full', 'http.url', 'http.target'];
const QUERY_ATTRIBUTES = ['url.query'];

const pathOf = (url: string | undefined): string => (url ?? '').split('?')[0] ?? '';

/**
 * Every span started under a request gets its request id (from the baggage: on the gateway's calls
 * to HAPI and its producer spans, and in the worker, whose job carried it); and no span leaves with
 * a query string, which may name a patient (`Patient?identifier=…`) — the README "Logs" rule.
 */
class RequestIdAndPrivacyProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const requestId = requestIdIn(parentContext);
    if (requestId) span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
  }

  onEnding(span: Span): void {
    for (const key of URL_ATTRIBUTES) {
      const value = span.attributes[key];
      if (typeof value === 'string' && value.includes('?')) span.setAttribute(key, pathOf(value));
    }
    for (const key of QUERY_ATTRIBUTES) {
      if (span.attributes[key]) span.setAttribute(key, '[redacted]');
    }
  }

  onEnd(_span: ReadableSpan): void {}
  forceFlush = (): Promise<void> => Promise.resolve();
  shutdown = (): Promise<void> => Promise.resolve();
}

export function startTracingSdk(settings: TracingSettings): Tracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  const resource = resourceFromAttributes({ 'service.name': settings.serviceName }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new TracerProvider({
    resource,
    spanProcessors: [
      new RequestIdAndPrivacyProcessor(),
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY') ?? 5_000,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has(pathOf(req.url)),
        // Outgoing node:http calls only inside a trace (nothing of ours calls out through it today).
        requireParentforOutgoingSpans: true,
      }),
      // Global fetch: fhir-kit-client's requests to HAPI and to the DMP server. Only inside a trace,
      // so that the worker's periodic outbox sweep does not make a trace of each poll.
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
  return {
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}
