/**
 * The signer's profession (and TRE_R38 specialty, when the token names one) on the prescription: the access
 * token's (the TRE_G15 code Pro Santé Connect
 * vouches for), never the payload's free-text specialty. Set once the caller may submit the payload, after
 * its hash was taken (the hash is the payload's: a replay matches whoever's token it comes with), so it is
 * stored with the Practitioner and named on the ordonnance and in the CDA.
 */
import type { Principal } from '../../domain/principal';
import type { CheckedPayload } from './prepare';

export function signedWithProfession(
  checked: CheckedPayload,
  principal: Pick<Principal, 'profession' | 'specialty'>,
): CheckedPayload {
  if (principal.profession === undefined) return checked;
  const { prescription } = checked;
  const prescriber = {
    ...prescription.prescriber,
    profession: principal.profession,
    ...(principal.specialty !== undefined ? { specialtyCode: principal.specialty } : {}),
  };
  return { ...checked, prescription: { ...prescription, prescriber } };
}
