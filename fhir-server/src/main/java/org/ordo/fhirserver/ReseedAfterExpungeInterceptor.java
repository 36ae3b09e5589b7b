package org.ordo.fhirserver;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.provider.ProviderConstants;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /fhir/$expunge} with {@code expungeEverything=true} (the usual way tests wipe the
 * server) also deletes the seeded resources, e.g. the {@code group-identifier} SearchParameter.
 * After every successful {@code $expunge} this interceptor re-applies the seeds.
 */
@Interceptor
public class ReseedAfterExpungeInterceptor {

	private static final Logger ourLog = LoggerFactory.getLogger(ReseedAfterExpungeInterceptor.class);

	private final SeedResourceLoader mySeedResourceLoader;

	public ReseedAfterExpungeInterceptor(SeedResourceLoader theSeedResourceLoader) {
		mySeedResourceLoader = theSeedResourceLoader;
	}

	/** Runs after the operation but before the response is written, so the client never sees the gap. */
	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean outgoingResponse(RequestDetails theRequestDetails) {
		if (theRequestDetails != null && ProviderConstants.OPERATION_EXPUNGE.equals(theRequestDetails.getOperation())) {
			ourLog.info("$expunge completed; re-applying seed resources");
			mySeedResourceLoader.seedAll();
		}
		return true;
	}
}
