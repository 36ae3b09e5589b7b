/**
 * `cache forget <number>`: the gateway's cached lookups of a prescription are no longer served (the
 * next lookup searches the store). For an operator who changed a line, Consent or record straight in
 * HAPI, around the gateway: the cache sees a change of the header by itself, not of those (README
 * "Lookup cache"). Always safe: it only costs the next lookup its search.
 */
import { normalizePrescriptionNumber } from '../../domain/prescription-number';
import { numberAsked, requiredNumber, type AdminCommand } from '../command';

export const cacheForget: AdminCommand = {
  name: 'cache.forget',
  usage: 'cache forget <number>',
  interaction: 'update',
  action: 'U',
  failedEntity: numberAsked,
  async run(session, input) {
    const number = normalizePrescriptionNumber(requiredNumber(input));
    await session.prescriptionCache.changed(number);
    return {
      json: { number, forgotten: true },
      text: `the cached lookups of ${number} are forgotten: the next lookup searches the store`,
      records: [{ status: 200, number }],
    };
  },
};
