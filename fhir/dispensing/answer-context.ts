/**
 * What an answer about a prescription carries besides its records, so that every reference in it
 * resolves inside the Bundle (R4 Bundle rules) for whoever receives it — a pharmacist or a
 * prescriber cannot read the stored resources at their addresses (the auditor API is for
 * auditors): the prescription (header, requests, patient, prescriber, structure, consents) and
 * the parties of its records (performer, structure). Pure.
 */
import type { FhirResource } from 'fhir/r4';
import { isExecutionRecord } from './read-state';

const keyOf = (r: FhirResource): string => `${r.resourceType}/${r.id}`;

/**
 * The stored resources of the prescription an answer is about, once each, the newest version
 * first (`written`: what the answer's write stored; `before`: what was read before it), leaving
 * out the records (the answer lists its own) and anything not a resource of the prescription
 * (the write's outbox entry).
 */
export function answerContext(written: readonly FhirResource[], before: readonly FhirResource[]): FhirResource[] {
  const context = new Map<string, FhirResource>();
  for (const resource of [...written, ...before]) {
    if (!resource.id || isExecutionRecord(resource) || resource.resourceType === 'Task') continue;
    if (!context.has(keyOf(resource))) context.set(keyOf(resource), resource);
  }
  return [...context.values()];
}
