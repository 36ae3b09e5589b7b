package org.ordo.fhirserver;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.ValidationModeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The first {@code $validate} has to load the R4 base profiles, value sets and code systems and
 * build the validator (several seconds). Do that once in the background right after start-up so the
 * first real {@code $validate} call is fast. Disable with {@code ordo.fhir.warmup-validation=false}.
 */
@Component
public class ValidatorWarmup {

	private static final Logger ourLog = LoggerFactory.getLogger(ValidatorWarmup.class);

	private static final String SAMPLE = "{\"resourceType\":\"MedicationRequest\",\"status\":\"active\","
			+ "\"intent\":\"order\",\"groupIdentifier\":{\"system\":\"urn:ordo:warmup\",\"value\":\"1\"},"
			+ "\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
			+ "\"code\":\"387458008\"}],\"text\":\"warm-up\"},\"subject\":{\"display\":\"warm-up\"},"
			+ "\"authoredOn\":\"2024-01-01\",\"dosageInstruction\":[{\"text\":\"1 daily\"}]}";

	private final FhirContext myFhirContext;
	private final DaoRegistry myDaoRegistry;
	private final boolean myEnabled;

	public ValidatorWarmup(
			FhirContext theFhirContext,
			DaoRegistry theDaoRegistry,
			@Value("${ordo.fhir.warmup-validation:true}") boolean theEnabled) {
		myFhirContext = theFhirContext;
		myDaoRegistry = theDaoRegistry;
		myEnabled = theEnabled;
	}

	@EventListener(ApplicationReadyEvent.class)
	public void warmUp() {
		if (!myEnabled) {
			return;
		}
		Thread t = new Thread(this::validateSample, "validator-warmup");
		t.setDaemon(true);
		t.setPriority(Thread.MIN_PRIORITY);
		t.start();
	}

	@SuppressWarnings({"unchecked", "rawtypes"})
	private void validateSample() {
		long start = System.currentTimeMillis();
		try {
			IBaseResource resource = myFhirContext.newJsonParser().parseResource(SAMPLE);
			myDaoRegistry
					.getResourceDao((Class) resource.getClass())
					.validate(
							resource,
							null,
							SAMPLE,
							EncodingEnum.JSON,
							ValidationModeEnum.CREATE,
							null,
							new SystemRequestDetails());
			ourLog.info("Validator warm-up done in {} ms", System.currentTimeMillis() - start);
		} catch (Exception e) {
			// validation errors are thrown as exceptions by the DAO; either way the caches are warm now
			ourLog.info("Validator warm-up finished in {} ms ({})", System.currentTimeMillis() - start, e.getMessage());
		}
	}
}
