import { Redis } from 'ioredis';

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections used by workers (blocking commands);
 * queues and health checks use the same settings so one factory serves all.
 */
export function createRedisConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Commands sent while Redis is unreachable wait in the offline queue until it is back (BullMQ
    // workers rely on it); callers that must not wait bound their call (pingRedis, the audit enqueue).
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    lazyConnect: false,
  });
}

/** PING with a deadline: a Redis that does not answer quickly counts as down. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([redis.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
