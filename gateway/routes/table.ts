/**
 * Every route of the HTTP API, one declaration each: method, path, who may call it, what the
 * audit trail records, and its handler (route.ts says
 * what each field means). The security interceptor matches requests against this table before
 * any handler runs — a request no entry matches, or a role an entry does not name, is refused —
 * and gateway/app.ts registers the handlers from it. The README prints the access part; the API
 * documentation (gateway/openapi) describes every entry: a route added here needs its entry in
 * gateway/openapi/operations.ts (the type check says so).
 */
import { conformanceRead, conformanceSearch } from './conformance';
import { DISPENSING_PROFESSIONS, PRESCRIBING_PROFESSIONS } from '../../domain/professions';
import { auditMetadata, auditPage, auditRead, auditSearch, auditWrite } from './audit';
import { docsAsset, docsPage, openApiJson } from './docs';
import { health, ready } from './health';
import { capabilityStatement, processMessageRoute } from './messaging';
import { queueDashboard, queueMetrics } from './operations';
import { deadLetterRetry, deadLettersList } from './dead-letters';
import { consoleApp, consoleCallback, consoleLogin, consoleLogout, consoleMe } from './console';
import {
  cancel,
  createPrescription,
  replace,
  validatePrescription,
  readDispenses,
  readDocument,
  readPrescription,
  recordConsent,
  recordDispenses,
  scanPrescription,
} from './prescriptions';
import { routeMatcher, type MatchedRoute, type RouteDefinition } from './route';

const PRESCRIBERS = { prescriber: PRESCRIBING_PROFESSIONS } as const;
const DISPENSERS = { dispenser: DISPENSING_PROFESSIONS } as const;
const PROFESSIONALS = { ...PRESCRIBERS, ...DISPENSERS } as const;
const AUDITORS = { auditor: 'any' } as const;
const CONSOLE_USERS = { auditor: 'any', operator: 'any' } as const;

export const ROUTES = [
  { id: 'health', method: 'GET', path: '/health', public: true, allow: {}, audit: null, handler: health },
  { id: 'ready', method: 'GET', path: '/ready', public: true, allow: {}, audit: null, handler: ready },
  {
    id: 'docs.openapi',
    method: 'GET',
    path: '/openapi.json',
    public: true,
    allow: {},
    audit: null,
    handler: openApiJson,
  },
  { id: 'docs.page', method: 'GET', path: '/docs', public: true, allow: {}, audit: null, handler: docsPage },
  { id: 'docs.asset', method: 'GET', path: '/docs/:asset', public: true, allow: {}, audit: null, handler: docsAsset },

  {
    id: 'prescription.create',
    method: 'POST',
    path: '/prescriptions',
    allow: PRESCRIBERS,
    audit: { interaction: 'create', action: 'C', entity: 'location' },
    rawBody: true,
    handler: createPrescription,
  },
  // Before any `/prescriptions/:number…` route, so that `$validate` is never read as a number.
  {
    id: 'prescription.validate',
    method: 'POST',
    path: '/prescriptions/$validate',
    allow: PRESCRIBERS,
    // No number and no stored record, but the payload holds patient data: recorded like a create.
    audit: { interaction: 'operation', action: 'E', entity: 'none' },
    rawBody: true,
    handler: validatePrescription,
  },
  {
    id: 'prescription.scan',
    method: 'POST',
    path: '/prescriptions/scan',
    allow: DISPENSERS,
    audit: { interaction: 'read', action: 'R', entity: 'location' },
    rawBody: true,
    handler: scanPrescription,
  },
  {
    id: 'prescription.read',
    method: 'GET',
    path: '/prescriptions/:number',
    allow: PROFESSIONALS,
    audit: { interaction: 'read', action: 'R', entity: 'number' },
    handler: readPrescription,
  },
  {
    id: 'dispense.record',
    method: 'POST',
    path: '/prescriptions/:number/dispenses',
    allow: DISPENSERS,
    audit: { interaction: 'create', action: 'C', entity: 'number' },
    rawBody: true,
    handler: recordDispenses,
  },
  {
    id: 'dispense.read',
    method: 'GET',
    path: '/prescriptions/:number/dispenses',
    allow: PRESCRIBERS,
    audit: { interaction: 'search-type', action: 'R', entity: 'number' },
    handler: readDispenses,
  },
  {
    id: 'prescription.cancel',
    method: 'POST',
    path: '/prescriptions/:number/cancel',
    allow: PRESCRIBERS,
    audit: { interaction: 'update', action: 'U', entity: 'number' },
    handler: cancel,
  },
  {
    id: 'prescription.replace',
    method: 'POST',
    path: '/prescriptions/:number/replace',
    allow: PRESCRIBERS,
    // A new prescription (its Location) that deactivates the old one (noted by the use case).
    audit: { interaction: 'create', action: 'C', entity: 'location' },
    rawBody: true,
    handler: replace,
  },
  {
    id: 'consent.record',
    method: 'POST',
    path: '/prescriptions/:number/consent',
    allow: PROFESSIONALS,
    audit: { interaction: 'update', action: 'U', entity: 'number' },
    rawBody: true,
    handler: recordConsent,
  },
  {
    id: 'prescription.document',
    method: 'GET',
    path: '/prescriptions/:number/:document',
    allow: PROFESSIONALS,
    audit: { interaction: 'read', action: 'R', entity: 'number' },
    handler: readDocument,
  },

  // A FHIR server's CapabilityStatement and conformance resources are public: clients read them
  // before anything else (HAPI's generic client, validators); they name no patient.
  {
    id: 'fhir.metadata',
    method: 'GET',
    path: '/fhir/metadata',
    public: true,
    allow: {},
    audit: null,
    handler: capabilityStatement,
  },
  {
    id: 'fhir.conformance.search',
    method: 'GET',
    path: '/fhir/:type',
    public: true,
    allow: {},
    audit: null,
    handler: conformanceSearch,
  },
  {
    id: 'fhir.conformance.read',
    method: 'GET',
    path: '/fhir/:type/:id',
    public: true,
    allow: {},
    audit: null,
    handler: conformanceRead,
  },
  {
    id: 'fhir.process-message',
    method: 'POST',
    path: '/fhir/$process-message',
    allow: PROFESSIONALS,
    audit: { interaction: 'operation', action: 'E', entity: 'location' },
    rawBody: true,
    handler: processMessageRoute,
  },

  // A FHIR server's CapabilityStatement is public (clients read it before anything else); it names no patient.
  {
    id: 'audit.metadata',
    method: 'GET',
    path: '/audit/fhir/metadata',
    public: true,
    allow: {},
    audit: null,
    handler: auditMetadata,
  },
  {
    id: 'audit.search',
    method: 'GET',
    path: '/audit/fhir/:type',
    allow: AUDITORS,
    audit: { interaction: 'search-type', action: 'R', entity: 'fhir' },
    handler: auditSearch,
  },
  {
    id: 'audit.read',
    method: 'GET',
    path: '/audit/fhir/:type/:id',
    allow: AUDITORS,
    audit: { interaction: 'read', action: 'R', entity: 'fhir' },
    handler: auditRead,
  },
  {
    id: 'audit.page',
    method: 'GET',
    path: '/audit/fhir',
    allow: AUDITORS,
    audit: { interaction: 'search-type', action: 'R', entity: 'fhir' },
    handler: auditPage,
  },
  { id: 'audit.write', method: '*', path: '/audit/fhir/*', allow: AUDITORS, audit: null, handler: auditWrite },

  {
    id: 'ops.queues',
    method: '*',
    path: '/admin/queues/*',
    allow: { operator: 'any' },
    audit: null,
    mount: true,
    handler: queueDashboard,
  },
  // The dead letters (routes/dead-letters.ts), for the console's Operations page: no patient data,
  // but each listing and retry is recorded under the operator's identity (a retry re-runs a job).
  {
    id: 'ops.dead-letters.list',
    method: 'GET',
    path: '/admin/dead-letters',
    allow: { operator: 'any' },
    audit: { interaction: 'search-type', action: 'R', entity: 'request' },
    handler: deadLettersList,
  },
  {
    id: 'ops.dead-letters.retry',
    method: 'POST',
    path: '/admin/dead-letters/:queue/:jobId/retry',
    allow: { operator: 'any' },
    audit: { interaction: 'update', action: 'U', entity: 'request' },
    handler: deadLetterRetry,
  },
  {
    id: 'ops.metrics',
    method: 'GET',
    path: '/metrics',
    allow: { operator: 'any' },
    audit: null,
    handler: queueMetrics,
  },

  // The audit console (routes/console.ts): its sign-in is public (it is how one gets a session), its
  // data comes from the routes above, called with the session cookie.
  {
    id: 'console.login',
    method: 'GET',
    path: '/console/auth/login',
    public: true,
    allow: {},
    audit: null,
    handler: consoleLogin,
  },
  {
    id: 'console.callback',
    method: 'GET',
    path: '/console/auth/callback',
    public: true,
    allow: {},
    // Sign-ins, admitted or refused, are recorded by the handler (no session yet when it runs).
    audit: null,
    handler: consoleCallback,
  },
  {
    id: 'console.logout',
    method: 'POST',
    path: '/console/auth/logout',
    public: true,
    allow: {},
    audit: null,
    handler: consoleLogout,
  },
  { id: 'console.me', method: 'GET', path: '/console/api/me', allow: CONSOLE_USERS, audit: null, handler: consoleMe },
  {
    id: 'console.app',
    method: 'GET',
    path: '/console/*',
    public: true,
    allow: {},
    audit: null,
    mount: true,
    handler: consoleApp,
  },
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof ROUTES)[number];
export type RouteId = Route['id'];

/** The route a request is for, or undefined: then nobody may call it. */
export const matchRoute: (method: string, path: string) => MatchedRoute<Route> | undefined =
  routeMatcher<Route>(ROUTES);
