/**
 * A DMP publication job: identifiers only, never patient data (the worker reads what it needs
 * back from the FHIR store). The job id derives from the prescription number and version, so
 * enqueuing the same publication twice (a replayed request, two gateway processes) adds one job.
 */
export interface DmpPublishJob {
  number: string;
  /** Version of the prescription header that is published (a cancellation publishes a new one). */
  version: number;
  /**
   * publish: a new document; deprecate: the prescription was cancelled; withdraw: the patient
   * objected to the DMP feed after publication (the documents are deleted logically).
   */
  action: 'publish' | 'deprecate' | 'withdraw';
}

export const dmpJobId = (job: DmpPublishJob): string => `${job.action}-${job.number}-v${job.version}`;
