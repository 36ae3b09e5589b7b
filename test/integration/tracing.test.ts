/**
 * OpenTelemetry across the processes, on the real stack: the gateway (`node --import tsx
 * gateway/server.ts`, its dev entry point) and a worker run as child processes with an OTLP endpoint
 * set (a receiver in this test), and HAPI behind a relay that records what it is sent. One prescription
 * posted: its trace holds the gateway's server span (named after the route template, with the request
 * id answered in `x-request-id`), the gateway's calls to HAPI, the producer spans of its DMP and audit
 * jobs, and the worker's consumer spans and its own calls to HAPI — and HAPI received the trace's
 * `traceparent`. No span carries the patient's INS or a query string.
 */
import assert from 'node:assert/strict';
import { spawnTracked, type TrackedChild } from '../support/child-process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bearerFor, testIssuer, TEST_AUDIENCE } from '../support/auth';
import { childWorkerEnv, spawnWorker, waitFor, type ChildWorker } from '../support/dmp';
import { testConfig } from '../support/env';
import { freePort } from '../support/free-port';
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { startRecordingRelay, type RecordingRelay } from '../support/recording-relay';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { CONTENT_TYPES, uniquify, vendorExamples, wireBody } from '../support/vendor-fixtures';

const REPO_ROOT = path.join(__dirname, '..', '..');

let receiver: OtlpReceiver;
let relay: RecordingRelay;
let pki: ThrowawayPki;
let gateway: TrackedChild | undefined;
let worker: ChildWorker | undefined;
const config = testConfig();

/** Spans exported within a second or so, not the default 5 s. */
const otelEnv = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' });

before(async () => {
  receiver = await startOtlpReceiver();
  relay = await startRecordingRelay(config.fhirBaseUrl);
  pki = await createThrowawayPki();
});

after(async () => {
  for (const child of [gateway?.child, worker?.child]) {
    if (!child || child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await relay?.close();
  await receiver?.close();
  await pki?.cleanup();
});

const startGateway = (env: Record<string, string>): TrackedChild =>
  spawnTracked(process.execPath, ['--import', 'tsx', 'gateway/server.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  });

const attr = (span: ReceivedSpan, key: string) => span.attributes[key];

test('one trace from the gateway request to HAPI, through the queue, to the worker, carrying the request id', async () => {
  const issuer = await testIssuer();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  gateway = startGateway({
    FHIR_BASE_URL: relay.baseUrl,
    REDIS_URL: config.redisUrl,
    QUEUE_PREFIX: config.queuePrefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    AUTH_ISSUER: issuer.issuer,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    ...otelEnv(),
  });
  await waitFor(
    'the gateway /ready',
    async () => {
      if (gateway!.child.exitCode !== null) throw new Error(`gateway exited:\n${gateway!.output()}`);
      const res = await fetch(`${base}/ready`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    90_000,
  );
  worker = await spawnWorker(childWorkerEnv({ ...config, fhirBaseUrl: relay.baseUrl }, pki, otelEnv()));

  const example = vendorExamples().find((e) => e.format === 'epu-json' && e.valid) ?? vendorExamples()[0]!;
  const unique = uniquify(example);
  const res = await fetch(`${base}/prescriptions`, {
    method: 'POST',
    headers: {
      authorization: await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! }),
      'content-type': CONTENT_TYPES[example.format],
    },
    body: wireBody(example.format, unique.body),
  });
  const answer = (await res.json()) as { number?: string };
  assert.equal(res.status, 201, `${JSON.stringify(answer)}\n${gateway.output()}`);
  const requestId = res.headers.get('x-request-id');
  assert.ok(requestId, 'the gateway answers its request id');

  const server = await waitFor(
    'the gateway server span of the request',
    async () =>
      receiver.spans.find(
        (s) => s.kind === SPAN_KIND.server && s.service === 'ordo-gateway' && attr(s, 'ordo.request_id') === requestId,
      ),
    30_000,
  );
  const inTrace = () => receiver.spans.filter((s) => s.traceId === server.traceId);
  const consumers = await waitFor(
    'the worker consumer spans of the DMP and audit jobs in the same trace',
    async () => {
      const found = inTrace().filter((s) => s.kind === SPAN_KIND.consumer && s.service === 'ordo-worker');
      const queues = new Set(found.map((s) => attr(s, 'bullmq.queue.name')));
      return queues.has('dmp-publish') && queues.has('audit') ? found : undefined;
    },
    90_000,
  );
  // The worker's own calls (reading the prescription back, publishing to the DMP store) end before its job span.
  const spans = inTrace();
  const describe = () =>
    `refused: ${receiver.refused.join(', ')}\n` +
    spans.map((s) => `${s.service} ${s.kind} ${s.name} ${JSON.stringify(s.attributes)}`).join('\n');

  assert.equal(server.name, 'POST /prescriptions', describe());
  assert.equal(attr(server, 'http.route'), '/prescriptions');
  assert.equal(attr(server, 'http.response.status_code'), 201, describe());

  const relayPort = Number(new URL(relay.baseUrl).port);
  // (The gateway's other calls, e.g. to the token issuer's keys, are client spans of the trace too.)
  const gatewayToHapi = spans.filter(
    (s) => s.service === 'ordo-gateway' && s.kind === SPAN_KIND.client && attr(s, 'server.port') === relayPort,
  );
  assert.ok(gatewayToHapi.length > 0, `the gateway's calls to HAPI are spans of the trace\n${describe()}`);
  for (const span of gatewayToHapi) {
    assert.equal(span.parentSpanId, server.spanId, 'a call to HAPI is a child of the request');
    assert.equal(attr(span, 'ordo.request_id'), requestId, 'a call to HAPI carries the request id');
  }

  const producers = spans.filter((s) => s.service === 'ordo-gateway' && s.kind === SPAN_KIND.producer);
  for (const queue of ['dmp-publish', 'audit'])
    assert.ok(
      producers.some((s) => attr(s, 'bullmq.queue.name') === queue && attr(s, 'ordo.request_id') === requestId),
      `the ${queue} job's producer span, with the request id\n${describe()}`,
    );

  for (const consumer of consumers) {
    assert.equal(attr(consumer, 'ordo.request_id'), requestId, `the worker's span carries the request id`);
    const producer = spans.find((s) => s.spanId === consumer.parentSpanId);
    assert.equal(producer?.kind, SPAN_KIND.producer, 'a job is processed under the span that queued it');
  }
  const publish = consumers.find((s) => attr(s, 'bullmq.queue.name') === 'dmp-publish')!;
  const workerCalls = await waitFor(
    "the worker's calls to HAPI / the DMP store under its DMP job",
    async () => {
      const calls = inTrace().filter(
        (s) => s.service === 'ordo-worker' && s.kind === SPAN_KIND.client && attr(s, 'server.port') === relayPort,
      );
      return calls.length > 0 ? calls : undefined;
    },
    30_000,
  );
  assert.ok(workerCalls.every((s) => attr(s, 'ordo.request_id') === requestId));
  assert.ok(publish);

  // HAPI was told: W3C trace context of this trace on the gateway's and the worker's requests.
  const traced = relay.requests.filter((r) => String(r.headers.traceparent ?? '').split('-')[1] === server.traceId);
  assert.ok(
    traced.length >= gatewayToHapi.length + workerCalls.length,
    `HAPI received the trace's traceparent (${traced.length} of ${relay.requests.length} requests)`,
  );
  for (const r of traced) assert.match(String(r.headers.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

  // No patient data and no query string in what is exported.
  const exported = JSON.stringify(spans);
  assert.ok(!exported.includes(unique.ins), 'no span names the INS');
  for (const span of spans)
    for (const key of ['url.full', 'http.url', 'http.target'])
      assert.ok(!String(attr(span, key) ?? '').includes('?'), `${key} without its query: ${attr(span, key)}`);

  // Logs and traces join: the gateway's log lines written under the request name its trace.
  assert.match(gateway.output(), new RegExp(`"trace_id":"${server.traceId}"`), 'a log line names the trace');

  for (const started of [gateway, worker]) {
    started.child.kill('SIGTERM');
    const [exitCode] = (await once(started.child, 'exit')) as [number | null];
    assert.equal(exitCode, 0, started.output());
  }
});
