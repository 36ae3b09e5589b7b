/**
 * The gateway's queues. Job payloads carry identifiers only (prescription number, version),
 * never patient data: workers read what they need back from the FHIR store.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { queueTelemetry } from '../platform/tracing';

export const QUEUE_NAMES = {
  /** Build, sign and publish the prescription document to the DMP. */
  dmpPublish: 'dmp-publish',
  /** Write AuditEvents off the request path. */
  audit: 'audit',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export interface QueueSettings {
  connection: ConnectionOptions;
  prefix: string;
}

export type GatewayQueues = Record<QueueName, Queue>;

export function createQueues({ connection, prefix }: QueueSettings): GatewayQueues {
  const make = (name: QueueName) => {
    // With tracing on, each add is a producer span whose context travels in the job (platform/tracing.ts).
    const queue = new Queue(name, { connection, prefix, telemetry: queueTelemetry() });
    // A Redis outage is re-emitted by each queue as an 'error' event, which would end the process
    // if nobody listened. It is reported elsewhere: /ready says Redis is down, each request that
    // needs Redis is answered 503 (platform/redis.ts).
    queue.on('error', () => undefined);
    return queue;
  };
  return {
    [QUEUE_NAMES.dmpPublish]: make(QUEUE_NAMES.dmpPublish),
    [QUEUE_NAMES.audit]: make(QUEUE_NAMES.audit),
  } as GatewayQueues;
}

export async function closeQueues(queues: GatewayQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
