/**
 * Tracing costs nothing unless configured (platform/tracing.ts): with no OTEL variable the entry
 * points' start-tracing modules load no SDK, register no instrumentation, tracer provider, context
 * manager or propagator, the queues get no telemetry and the logger no mixin. And which variables
 * turn it on.
 */
import '../support/without-otel-env';
// What the gateway's and the worker's entry points load first, then what they build.
import '../../gateway/start-tracing';
import '../../queue/start-tracing';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { createLogger } from '../../platform/logger';
import { queueTelemetry, tracingSettingsFrom, tracingStarted } from '../../platform/tracing';
import { closeQueues, createQueues } from '../../queue/queues';

const loadedOpenTelemetry = () =>
  Object.keys(require.cache).filter((file) => /node_modules[\\/]@opentelemetry[\\/](?!api[\\/])/.test(file));

test('with no OTEL variable nothing is started, loaded or registered', async () => {
  assert.equal(tracingStarted(), false);
  assert.equal(queueTelemetry(), undefined);
  assert.deepEqual(loadedOpenTelemetry(), [], 'no SDK, exporter or instrumentation module is loaded');

  // The API's no-ops: a span records nothing, no context is kept, nothing is injected into a carrier.
  const span = trace.getTracer('probe').startSpan('probe');
  assert.equal(span.isRecording(), false);
  assert.equal(
    context.with(trace.setSpan(context.active(), span), () => trace.getActiveSpan()),
    undefined,
    'no context manager',
  );
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  assert.deepEqual(carrier, {}, 'no propagator');
  span.end();

  // The logger writes no trace fields; a queue is made without the telemetry option.
  const lines: string[] = [];
  createLogger('info', { write: (line: string) => void lines.push(line) }).info('probe');
  assert.equal(JSON.parse(lines[0]!).trace_id, undefined);
  const queues = createQueues({ connection: { host: '127.0.0.1', port: 1, lazyConnect: true }, prefix: 'probe' });
  try {
    for (const queue of Object.values(queues)) assert.equal(queue.opts.telemetry, undefined);
  } finally {
    await closeQueues(queues);
  }
});

test('the standard variables turn tracing on; OTEL_SDK_DISABLED wins; the service name has a default', () => {
  assert.equal(tracingSettingsFrom({}, 'ordo-gateway'), undefined);
  assert.equal(tracingSettingsFrom({ OTEL_SERVICE_NAME: 'x' }, 'ordo-gateway'), undefined, 'no endpoint: off');
  assert.deepEqual(tracingSettingsFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'ordo-gateway'), {
    serviceName: 'ordo-gateway',
  });
  assert.deepEqual(
    tracingSettingsFrom(
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces', OTEL_SERVICE_NAME: 'ordo-worker-eu' },
      'ordo-worker',
    ),
    { serviceName: 'ordo-worker-eu' },
  );
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  assert.equal(tracingSettingsFrom({ ...endpoint, OTEL_SDK_DISABLED: 'true' }, 'ordo-gateway'), undefined);
  assert.equal(tracingSettingsFrom({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }, 'ordo-gateway'), undefined);
  assert.ok(tracingSettingsFrom({ ...endpoint, OTEL_SDK_DISABLED: 'false' }, 'ordo-gateway'));
});
