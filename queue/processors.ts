/**
 * Which function handles the jobs of which queue. Each job module registers here; the worker
 * process starts one BullMQ Worker per entry.
 */
import type { Processor } from 'bullmq';
import type { Dependencies } from '../gateway/dependencies';
import type { GatewayConfig } from '../gateway/config';
import type { Logger } from '../gateway/logger';
import type { QueueName } from './queues';

export interface ProcessorDeps extends Dependencies {
  config: GatewayConfig;
  logger: Logger;
}

export type ProcessorTable = Partial<Record<QueueName, Processor>>;

export function buildProcessors(_deps: ProcessorDeps): ProcessorTable {
  return {};
}
