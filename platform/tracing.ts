/**
 * OpenTelemetry traces, on only when an OTLP endpoint is configured (the standard variables
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SDK_DISABLED=true wins).
 * Unconfigured, the SDK is never loaded and nothing is registered: the @opentelemetry/api calls of
 * platform/trace-context.ts are then its no-ops, the queues get no telemetry option, the gateway
 * installs no tracing middleware and the logger no mixin.
 *
 * The process's entry point starts it before anything else is loaded (gateway/start-tracing.ts,
 * queue/start-tracing.ts), so that the http module is patched before express and the worker's
 * health server use it. Global fetch (fhir-kit-client's transport to HAPI and to the DMP server) is
 * traced through undici's diagnostics channels, BullMQ through its own `telemetry` option.
 *
 * The gateway's request id travels as W3C baggage (`ordo.request_id`): into the job's telemetry
 * metadata and so to the worker, and every span started under it gets it as an attribute.
 */
import type { BullMQOtel } from 'bullmq-otel';
import type { Tracing, TracingSettings } from './trace-context';

/** What the environment asks for: undefined when tracing is off. */
export function tracingSettingsFrom(env: NodeJS.ProcessEnv, defaultServiceName: string): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return undefined;
  return { serviceName: env.OTEL_SERVICE_NAME?.trim() || defaultServiceName };
}

let running: Tracing | undefined;

/** Starts tracing when the environment configures it; once per process. */
export function startTracing(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (running) return running;
  const settings = tracingSettingsFrom(env, defaultServiceName);
  if (!settings) return undefined;
  // Loaded only here, so that a process without tracing never loads the SDK or its instrumentations.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./tracing-sdk') as { startTracingSdk: (settings: TracingSettings) => Tracing };
  running = sdk.startTracingSdk(settings);
  return running;
}

/** Whether this process exports traces. */
export const tracingStarted = (): boolean => running !== undefined;

/** Flushes and stops tracing, if it was started. */
export async function shutdownTracing(): Promise<void> {
  const tracing = running;
  running = undefined;
  await tracing?.shutdown().catch(() => undefined);
}

/** BullMQ's `telemetry` option (producer and consumer spans, context carried in the job): only when tracing. */
export function queueTelemetry(): BullMQOtel | undefined {
  if (!running) return undefined;
  // Loaded only when tracing runs, like the SDK: an untraced process never loads bullmq-otel.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BullMQOtel: Telemetry } = require('bullmq-otel') as { BullMQOtel: typeof BullMQOtel };
  return new Telemetry({ tracerName: 'ordo-queue' });
}
