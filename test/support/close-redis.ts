/**
 * Closing a Redis connection a test helper opened. BullMQ never closes a connection it is given
 * (Queue and Worker alike), and one left open keeps the test process alive after its last test.
 */
import type { Redis } from 'ioredis';

/**
 * QUIT when Redis answers (the replies still due arrive first); otherwise drop the connection,
 * so that a Redis that has gone away cannot hold the test up.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
