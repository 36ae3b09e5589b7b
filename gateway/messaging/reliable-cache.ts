/**
 * FHIR reliable messaging: a message sent again with the same Bundle.id and MessageHeader.id
 * gets the original response again. The cache is per sender and per content:
 *   - the key holds the authenticated sender, so another professional reusing the ids never
 *     receives someone else's response (his message is processed as his own);
 *   - the entry holds the content hash of the message (canonical JSON), so the same ids with
 *     other content is told apart from a resend (a `fatal-error` conflict), never answered with
 *     the response to the first message.
 * Responses are kept in Redis (shared by every gateway process) for the period declared in the
 * CapabilityStatement (messaging.reliableCache); Redis down, the message is answered 503.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Bundle, FhirResource } from 'fhir/r4';
import { whileRedisAnswers } from '../../platform/redis';

/** Minutes, as CapabilityStatement.messaging.reliableCache counts them. */
export const RELIABLE_CACHE_MINUTES = 24 * 60;

/** Who sent which message: the cache's key. */
export interface MessageIdentity {
  sender: string;
  bundleId: string;
  headerId: string;
}

export interface CachedResponse {
  /** SHA-256 of the message the response answered. */
  contentSha256: string;
  response: Bundle<FhirResource>;
  /** The prescription number the message was about, for the audit record of a resend. */
  number?: string;
}

export type CacheLookup = { found: 'none' } | { found: 'resend'; cached: CachedResponse } | { found: 'other-content' };

export class ReliableMessageCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key({ sender, bundleId, headerId }: MessageIdentity): string {
    const ids = createHash('sha256')
      .update(JSON.stringify([sender, bundleId, headerId]))
      .digest('hex');
    return `${this.prefix}:message-response:${ids}`;
  }

  async lookup(identity: MessageIdentity, contentSha256: string): Promise<CacheLookup> {
    const raw = await whileRedisAnswers('the message cache', () => this.redis.get(this.key(identity)));
    if (!raw) return { found: 'none' };
    const cached = JSON.parse(raw) as CachedResponse;
    return cached.contentSha256 === contentSha256 ? { found: 'resend', cached } : { found: 'other-content' };
  }

  /** Keeps the response unless an entry is already there (two copies racing: the first one wins). */
  async put(identity: MessageIdentity, entry: CachedResponse): Promise<void> {
    await whileRedisAnswers('the message cache', () =>
      this.redis.set(this.key(identity), JSON.stringify(entry), 'EX', RELIABLE_CACHE_MINUTES * 60, 'NX'),
    );
  }
}
