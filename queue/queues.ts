/**
 * The gateway's queues. Job payloads carry identifiers only (prescription number, version),
 * never patient data: workers read what they need back from the FHIR store.
 */
import { Queue, type ConnectionOptions } from 'bullmq';

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
  const make = (name: QueueName) => new Queue(name, { connection, prefix });
  return {
    [QUEUE_NAMES.dmpPublish]: make(QUEUE_NAMES.dmpPublish),
    [QUEUE_NAMES.audit]: make(QUEUE_NAMES.audit),
  } as GatewayQueues;
}

export async function closeQueues(queues: GatewayQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
