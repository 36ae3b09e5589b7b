/**
 * A client of the test FHIR store that counts the requests it sends, for the tests proving that
 * a refused request never reached the store (give it to startTestGateway as `fhir`).
 */
import { createFhirClient, type FhirClient } from '../../store/fhir-client';
import { testConfig } from './env';

export interface CountingFhirClient {
  fhir: FhirClient;
  /** Requests sent to the store so far. */
  calls(): number;
}

export async function countingFhirClient(): Promise<CountingFhirClient> {
  const fhir = await createFhirClient({ baseUrl: testConfig().fhirBaseUrl, timeoutMs: 30_000, retries: 1 });
  let calls = 0;
  const request = fhir.request.bind(fhir);
  fhir.request = ((...args: Parameters<FhirClient['request']>) => {
    calls++;
    return request(...args);
  }) as FhirClient['request'];
  return { fhir, calls: () => calls };
}
