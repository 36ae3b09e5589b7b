/**
 * The path parameters of the route table, by name (`:number` in a path → components.parameters.number).
 * A route whose path names a parameter described neither here nor in its own entry of operations.ts
 * (`pathParameters`, for a name that means something else there) fails to document (document.ts throws).
 */
import { DOCUMENT_KINDS } from '../../documents/prescription-documents';
import { auditableTypes } from '../audit/search-whitelist';
import { DOCS_ASSETS } from '../routes/docs';
import { FHIR_RESOURCE_ID } from '../routes/audit';
import { EXAMPLE_NUMBER, NUMBER_SEGMENT_PATTERN } from './schemas';
import type { JsonObject } from './types';

const pathParameter = (name: string, description: string, schema: JsonObject): JsonObject => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});

export const PATH_PARAMETERS: Readonly<Record<string, JsonObject>> = {
  number: pathParameter(
    'number',
    'The prescription number: 18 characters of 0-9 A-Z, case-insensitive; spaces and dashes, which people type to group characters, are ignored.',
    { type: 'string', pattern: NUMBER_SEGMENT_PATTERN, example: EXAMPLE_NUMBER },
  ),
  document: pathParameter('document', 'Which document.', { type: 'string', enum: [...DOCUMENT_KINDS.keys()] }),
  type: pathParameter('type', 'A resource type the auditor API serves.', { type: 'string', enum: auditableTypes() }),
  id: pathParameter('id', 'The resource’s id on the FHIR store.', {
    type: 'string',
    pattern: FHIR_RESOURCE_ID.source,
    example: '1234',
  }),
  asset: pathParameter('asset', 'A file of the documentation page.', {
    type: 'string',
    enum: Object.keys(DOCS_ASSETS),
  }),
};
