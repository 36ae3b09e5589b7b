package org.ordo.fhirserver;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import org.apache.commons.lang3.StringUtils;

/**
 * Stock HAPI answers an update whose {@code If-Match} version is stale with
 * {@code 409 Conflict} (ResourceVersionConflictException, HAPI-0989). FHIR R4 (http.html#concurrency)
 * specifies {@code 412 Precondition Failed}; this interceptor rewrites the status for PUT/PATCH
 * requests that carried an If-Match header. The OperationOutcome body is kept unchanged.
 */
@Interceptor
public class IfMatchPreconditionInterceptor {

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException preProcessOutgoingException(RequestDetails theRequest, Throwable theException) {
		if (!(theException instanceof ResourceVersionConflictException conflict) || theRequest == null) {
			return null;
		}
		RequestTypeEnum verb = theRequest.getRequestType();
		if (verb != RequestTypeEnum.PUT && verb != RequestTypeEnum.PATCH) {
			return null;
		}
		if (StringUtils.isBlank(theRequest.getHeader(Constants.HEADER_IF_MATCH))) {
			return null;
		}
		return new PreconditionFailedException(conflict.getMessage(), conflict.getOperationOutcome());
	}
}
