/**
 * Who is calling: the authenticated professional, as the rest of the gateway sees them.
 * Built once per request from the verified access token (see claims.ts), never from the body.
 */
import type { Profession } from './professions';

export const ROLES = ['prescriber', 'dispenser', 'auditor', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface PrincipalOrganization {
  finess?: string;
  /** Numéro Assurance Maladie of the practice. */
  am?: string;
}

export interface Principal {
  /** idNatPs: "8" + RPPS. */
  nationalId: string;
  /** 11-digit RPPS (idNatPs without its "8" prefix). */
  rpps: string;
  /** Absent for auditors and operators who do not act as a health professional. */
  profession?: Profession;
  /** TRE_R38 specialty code (PSC codeSavoirFaire of type "S") of the exercice the profession comes from. */
  specialty?: string;
  organization: PrincipalOrganization;
  role: Role;
  /** The token's `sub`: the identity provider's own subject identifier. */
  subject: string;
}

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);
