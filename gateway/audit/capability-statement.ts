/**
 * The auditor API's CapabilityStatement (GET /audit/fhir/metadata): what a standard FHIR client
 * reads before its first search. Written from the search whitelist (./search-whitelist.ts), so
 * that what it announces is exactly what the API lets through: per served type, read and
 * search-type only, and the whitelisted search parameters with their types. Public, like any
 * FHIR server's /metadata: it says nothing about patients.
 */
import type { CapabilityStatement, CapabilityStatementRestResourceSearchParam } from 'fhir/r4';
import { SEARCH_PARAMETERS } from '../../store/conformance';
import {
  AUDITED_TYPES,
  MAX_COUNT,
  PATIENT_IDENTIFIER_CHAIN,
  searchParametersOf,
  type AuditedType,
} from './search-whitelist';
import { AUDITOR_VIEW } from './auditor-view';

const RESTFUL_SECURITY_SERVICE = 'http://terminology.hl7.org/CodeSystem/restful-security-service';

/** The canonical URL of the gateway's own search parameters (profiles/search-parameters), for the others none. */
const definitionOf = (type: string, code: string): string | undefined =>
  SEARCH_PARAMETERS.find((sp) => sp.code === code && sp.base?.includes(type as never))?.url;

function searchParams(type: AuditedType): CapabilityStatementRestResourceSearchParam[] {
  return Object.entries(searchParametersOf(type)).map(([name, kind]) => {
    const definition = definitionOf(type, name);
    return { name, type: kind, ...(definition ? { definition } : {}) };
  });
}

export function auditorCapabilityStatement(apiBase: string, date: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    kind: 'instance',
    name: 'OrdoGatewayAuditorApi',
    title: 'ordo-gateway — auditor API (read-only)',
    publisher: 'ordo-gateway',
    software: { name: 'ordo-gateway' },
    implementation: {
      description: 'Read-only, whitelisted view of the audit trail and the prescriptions, for auditors',
      url: apiBase,
    },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation:
          `Read and search only. Besides the parameters listed per type: ${PATIENT_IDENTIFIER_CHAIN}=<system>|<INS> ` +
          `(the patient by their INS; no other chain), the modifiers :not and :exact, and _count (at most ` +
          `${MAX_COUNT}), _sort, _summary, _total. No _include, _revinclude, _has or :missing. Paging links ` +
          'point at this API. Patient demographics are never shown (see the README, "Auditor API").',
        security: {
          cors: false,
          service: [
            {
              coding: [{ system: RESTFUL_SECURITY_SERVICE, code: 'OAuth', display: 'OAuth' }],
              text: 'Bearer access token',
            },
          ],
          description:
            'Every request except GET /metadata needs Authorization: Bearer <access token> of the deployment’s ' +
            'OpenID Connect provider (e.g. Pro Santé Connect), whose ordo_role claim is "auditor". Every request ' +
            'is recorded as an AuditEvent.',
        },
        resource: AUDITED_TYPES.map((type) => ({
          type,
          interaction: [{ code: 'read' as const }, { code: 'search-type' as const }],
          readHistory: false,
          updateCreate: false,
          conditionalCreate: false,
          conditionalUpdate: false,
          conditionalDelete: 'not-supported' as const,
          searchParam: searchParams(type),
          documentation: `Not shown to auditors: the narrative, patient demographics${
            AUDITOR_VIEW[type].remove.length > 0 ? `, ${AUDITOR_VIEW[type].remove.join(', ')}` : ''
          }.`,
        })),
      },
    ],
  };
}
