/**
 * What a refused request on a route without audit metadata (gateway/routes/table.ts) is
 * recorded as: what its method would have done.
 */
import type { AuditAction } from '../../usecases/audit/audit-job';

const METHOD_INTERACTION: Record<string, { interaction: string; action: AuditAction }> = {
  GET: { interaction: 'read', action: 'R' },
  HEAD: { interaction: 'read', action: 'R' },
  POST: { interaction: 'create', action: 'C' },
  PUT: { interaction: 'update', action: 'U' },
  PATCH: { interaction: 'patch', action: 'U' },
  DELETE: { interaction: 'delete', action: 'D' },
};

export const interactionOfMethod = (method: string): { interaction: string; action: AuditAction } =>
  METHOD_INTERACTION[method.toUpperCase()] ?? { interaction: 'operation', action: 'E' };
