/**
 * FHIR reliable messaging: a message sent again with the same Bundle.id and MessageHeader.id
 * gets the original response again. Responses are kept in Redis (shared by every gateway
 * process) for the period declared in the CapabilityStatement (messaging.reliableCache).
 */
import type { Redis } from 'ioredis';
import type { Bundle, FhirResource } from 'fhir/r4';

/** Minutes, as CapabilityStatement.messaging.reliableCache counts them. */
export const RELIABLE_CACHE_MINUTES = 24 * 60;

export class ReliableMessageCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(bundleId: string, headerId: string): string {
    return `${this.prefix}:message-response:${bundleId}:${headerId}`;
  }

  async get(bundleId: string, headerId: string): Promise<Bundle<FhirResource> | undefined> {
    const cached = await this.redis.get(this.key(bundleId, headerId));
    return cached ? (JSON.parse(cached) as Bundle<FhirResource>) : undefined;
  }

  async put(bundleId: string, headerId: string, response: Bundle<FhirResource>): Promise<void> {
    await this.redis.set(this.key(bundleId, headerId), JSON.stringify(response), 'EX', RELIABLE_CACHE_MINUTES * 60);
  }
}
