/**
 * Verified token claims → Principal, following the shape of Pro Santé Connect (PSC) tokens
 * and userinfo:
 *
 *   SubjectNameID   "8" + RPPS (idNatPs)                          → nationalId, rpps
 *   SubjectRefPro   { exercices: [{ codeProfession,               → profession (first exercice
 *                     codeSavoirFaire, activities: [{               whose code is known, table below)
 *                     numeroFinessSite, codeSectionPharmacien }] }] } → organization.finess
 *   ordo_role       prescriber | dispenser | auditor | operator   → role (gateway-specific claim added by
 *                                                                   the deployment's authorization server;
 *                                                                   when absent: doctor, dentist, midwife →
 *                                                                   prescriber, any other profession → dispenser)
 *   ordo_am         numéro Assurance Maladie of the practice      → organization.am (not a PSC claim)
 *   sub             the provider's subject                        → subject
 *
 * Claim names are configurable (AUTH_CLAIM_*). Profession codes are those of the NOS
 * TRE_G15 "ProfessionSante"; a doctor or pharmacist is a biologist when one of their
 * exercices has a configured biology savoir-faire or a pharmacist activity in section G
 * (pharmaciens biologistes).
 */
import type { JWTPayload } from './jose';
import { isSpecialtyCode } from '../../domain/specialties';
import { isValidRpps } from '../../domain/identifiers';
import type { AuthConfig } from './config';
import { isRole, type Principal, type Role } from '../../domain/principal';
import {
  EXECUTABLE_LINES,
  PRESCRIBING_PROFESSIONS,
  PROFESSION_OF_G15_CODE,
  PROFESSION_TABLE,
  type Profession,
} from '../../domain/professions';

/**
 * The TRE_G15 code a PSC-shaped token carries for a profession (the development issuer emits it; a biologist
 * is a pharmacist in section G).
 */
export const g15CodeFor = (profession: Profession): string =>
  PROFESSION_TABLE[profession === 'biologist' ? 'pharmacist' : profession].g15Codes[0]!;

export const PHARMACIST_BIOLOGY_SECTION = 'G';

export interface PscActivity {
  numeroFinessSite?: string;
  codeSectionPharmacien?: string;
  [key: string]: unknown;
}
export interface PscExercice {
  codeProfession?: string;
  codeSavoirFaire?: string;
  codeTypeSavoirFaire?: string;
  activities?: PscActivity[];
  [key: string]: unknown;
}

export class ClaimsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClaimsError';
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

function exercicesOf(refPro: unknown): PscExercice[] {
  if (!refPro || typeof refPro !== 'object') return [];
  const list = (refPro as { exercices?: unknown }).exercices;
  return Array.isArray(list) ? list.filter((e): e is PscExercice => !!e && typeof e === 'object') : [];
}

function professionOf(exercice: PscExercice, biologySavoirFaire: readonly string[]): Profession | undefined {
  const code = text(exercice.codeProfession) ?? '';
  // Own members only: a code such as 'constructor' must not find Object's.
  const base = Object.hasOwn(PROFESSION_OF_G15_CODE, code) ? PROFESSION_OF_G15_CODE[code] : undefined;
  if (base !== 'doctor' && base !== 'pharmacist') return base;
  const savoirFaire = text(exercice.codeSavoirFaire);
  const biologySection = (exercice.activities ?? []).some(
    (a) => text(a?.codeSectionPharmacien) === PHARMACIST_BIOLOGY_SECTION,
  );
  if ((savoirFaire && biologySavoirFaire.includes(savoirFaire)) || (base === 'pharmacist' && biologySection))
    return 'biologist';
  return base;
}

/** PSC's TRE_R04 savoir-faire type "S": a spécialité ordinale, whose code is TRE_R38's (SM54, SCD01…). */
const SPECIALITE_ORDINALE = 'S';

function specialtyOf(exercice: PscExercice): string | undefined {
  const code = text(exercice.codeSavoirFaire);
  return text(exercice.codeTypeSavoirFaire) === SPECIALITE_ORDINALE && isSpecialtyCode(code) ? code : undefined;
}

/** Without a role claim: a profession that only prescribes (doctor, dentist, midwife) prescribes; any other dispenses. */
const defaultRole = (profession: Profession | undefined): Role | undefined => {
  if (profession === undefined) return undefined;
  const onlyPrescribes = PRESCRIBING_PROFESSIONS.includes(profession) && EXECUTABLE_LINES[profession].length === 0;
  return onlyPrescribes ? 'prescriber' : 'dispenser';
};

/** The principal a verified token describes, or a ClaimsError saying which claim is missing or wrong. */
export function principalFromClaims(
  payload: JWTPayload,
  config: Pick<AuthConfig, 'claims' | 'biologySavoirFaire'>,
): Principal {
  const subject = text(payload.sub);
  if (!subject) throw new ClaimsError('the token has no subject');
  const nationalId = text(payload[config.claims.nationalId]);
  if (!nationalId || !/^[0-9A-Za-z/-]{2,40}$/.test(nationalId))
    throw new ClaimsError(`the token has no usable ${config.claims.nationalId} claim`);
  const rpps = /^8[0-9]{11}$/.test(nationalId) ? nationalId.slice(1) : '';

  const exercices = exercicesOf(payload[config.claims.refPro]);
  let profession: Profession | undefined;
  let exercice: PscExercice | undefined;
  for (const candidate of exercices) {
    profession = professionOf(candidate, config.biologySavoirFaire);
    if (profession) {
      exercice = candidate;
      break;
    }
  }

  const roleClaim = payload[config.claims.role];
  if (roleClaim !== undefined && !isRole(roleClaim))
    throw new ClaimsError(`the ${config.claims.role} claim is not a known role`);
  const role = (roleClaim as Role | undefined) ?? defaultRole(profession);
  if (!role) throw new ClaimsError(`the token grants no role: no ${config.claims.role} claim and no known profession`);
  if ((role === 'prescriber' || role === 'dispenser') && (!profession || !isValidRpps(rpps))) {
    throw new ClaimsError(`a ${role} needs an RPPS-based ${config.claims.nationalId} and a known profession`);
  }

  const finess = (exercice?.activities ?? []).map((a) => text(a?.numeroFinessSite)).find((f) => f !== undefined);
  const specialty = exercice ? specialtyOf(exercice) : undefined;
  const am = text(payload[config.claims.am]);
  return {
    nationalId,
    rpps,
    ...(profession ? { profession } : {}),
    ...(specialty ? { specialty } : {}),
    organization: { ...(finess ? { finess } : {}), ...(am ? { am } : {}) },
    role,
    subject,
  };
}
