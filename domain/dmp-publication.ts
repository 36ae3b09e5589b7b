/** Where a prescription stands in the DMP feed, as the dispensing summary shows it (usecases/dmp/status.ts decides). */
export type DmpPublicationState =
  'queued' | 'publishing' | 'published' | 'failed' | 'not-requested' | 'withdrawing' | 'withdrawn' | 'unknown';

export interface DmpPublicationStatus {
  state: DmpPublicationState;
  documentReferenceId?: string;
  /**
   * Status of the document entry in the DMP store: current, or superseded after a cancellation (FHIR
   * DocumentReference.status).
   */
  documentStatus?: 'current' | 'superseded' | 'entered-in-error';
  reason?: string;
  /** Attempts made by the publication job so far. */
  attempts?: number;
}
