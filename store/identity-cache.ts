/**
 * The identity cache of intake (usecases/ports.ts IdentityCache) in Redis, shared by every gateway
 * process: `<prefix>:identity:<conditional-create URL>` → `<id>/<version>`. An entry only ever names
 * a resource the store answered for that URL; intake drops it when the store refuses a reference to
 * it (a store that was wiped), and entries expire after a day.
 */
import type { Redis } from 'ioredis';
import type { IdentityCache, StoredIdentity } from '../usecases/ports';

const TTL_SECONDS = 86_400;

export function redisIdentityCache(redis: Redis, keyPrefix: string): IdentityCache {
  const key = (url: string) => `${keyPrefix}:identity:${url}`;
  return {
    async get(urls) {
      const found = new Map<string, StoredIdentity>();
      if (urls.length === 0) return found;
      const values = await redis.mget(...urls.map(key));
      urls.forEach((url, i) => {
        const [id, version] = values[i]?.split('/') ?? [];
        if (id && version) found.set(url, { id, version });
      });
      return found;
    },
    async set(entries) {
      if (entries.size === 0) return;
      const multi = redis.multi();
      for (const [url, { id, version }] of entries) multi.set(key(url), `${id}/${version}`, 'EX', TTL_SECONDS);
      await multi.exec();
    },
    async drop(urls) {
      if (urls.length > 0) await redis.del(...urls.map(key));
    },
  };
}
