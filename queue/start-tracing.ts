/**
 * First import of the worker's entry points (queue/worker.ts): starts OpenTelemetry when configured
 * (platform/tracing.ts) before the modules it instruments are loaded.
 */
import { startTracing } from '../platform/tracing';

startTracing('ordo-worker');
