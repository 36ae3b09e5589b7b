/**
 * Which function handles the jobs of which queue. Each job module registers here; the worker
 * process starts one BullMQ Worker per entry.
 */
import type { Processor } from 'bullmq';
import type { FhirClient } from '../store/fhir-client';
import { createAuditProcessor } from './audit/processor';
import { createDmpProcessor, type DmpRuntime } from './dmp/processor';
import { QUEUE_NAMES, type QueueName } from './queues';

export interface ProcessorDeps {
  /** The gateway's FHIR store (where the AuditEvents are written). */
  fhir: FhirClient;
  /** DMP feed: clients, signing credentials, metrics (queue/dmp/runtime.ts prepares it). */
  dmp: DmpRuntime;
}

export type ProcessorTable = Partial<Record<QueueName, Processor>>;

export function buildProcessors(deps: ProcessorDeps): ProcessorTable {
  return {
    [QUEUE_NAMES.dmpPublish]: createDmpProcessor(deps.dmp) as Processor,
    [QUEUE_NAMES.audit]: createAuditProcessor({ fhir: deps.fhir }) as Processor,
  };
}
