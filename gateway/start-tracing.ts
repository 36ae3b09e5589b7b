/**
 * First import of the gateway's entry point (gateway/server.ts): starts OpenTelemetry when configured
 * (platform/tracing.ts) before express and the http module are loaded, so that they are instrumented.
 */
import { startTracing } from '../platform/tracing';

startTracing('ordo-gateway');
