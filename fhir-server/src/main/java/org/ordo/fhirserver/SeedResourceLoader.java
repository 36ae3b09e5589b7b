package org.ordo.fhirserver;

import ca.uhn.fhir.batch2.config.Batch2JobRegisterer;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.api.model.DaoMethodOutcome;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Upserts the resources under {@code classpath:seed/*.json} (and, if {@code HAPI_SEED_DIR} is set,
 * the {@code *.json} files of that directory) before the HTTP port opens, so the server never
 * answers {@code /fhir/metadata} without them.
 *
 * <p>A file holds either one resource with an id (written with update = PUT; HAPI turns an unchanged
 * re-upload into a no-op, so restarts create no new versions) or a transaction/batch Bundle.
 * Seeds are re-applied after each {@code $expunge} operation. Currently seeded:
 * {@code SearchParameter/ordo-medicationrequest-group-identifier} (R4 has no {@code group-identifier}
 * search parameter on MedicationRequest; R5 does).
 */
@Component
public class SeedResourceLoader implements SmartLifecycle {

	private static final Logger ourLog = LoggerFactory.getLogger(SeedResourceLoader.class);

	/** Start just before the embedded web server (WebServerStartStopLifecycle = DEFAULT_PHASE - 2048). */
	private static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final FhirContext myFhirContext;
	private final DaoRegistry myDaoRegistry;
	private final IFhirSystemDao<?, ?> mySystemDao;
	private final Batch2JobRegisterer myBatch2JobRegisterer;
	private final String mySeedDir;
	private volatile boolean myRunning;

	public SeedResourceLoader(
			FhirContext theFhirContext,
			DaoRegistry theDaoRegistry,
			IFhirSystemDao<?, ?> theSystemDao,
			Batch2JobRegisterer theBatch2JobRegisterer,
			@Value("${ordo.fhir.seed-dir:}") String theSeedDir) {
		myFhirContext = theFhirContext;
		myDaoRegistry = theDaoRegistry;
		mySystemDao = theSystemDao;
		myBatch2JobRegisterer = theBatch2JobRegisterer;
		mySeedDir = theSeedDir;
	}

	@Override
	public void start() {
		// Writing a SearchParameter submits a REINDEX batch job; job definitions are normally only
		// registered on ContextRefreshedEvent (after this phase). Registering twice is a no-op.
		myBatch2JobRegisterer.start();
		seedAll();
		myRunning = true;
	}

	/**
	 * (Re-)applies all seed resources. Also called after every {@code $expunge} operation
	 * (see {@link ReseedAfterExpungeInterceptor}) because {@code expungeEverything} wipes them.
	 */
	public synchronized void seedAll() {
		try {
			for (Resource r : new PathMatchingResourcePatternResolver().getResources("classpath*:seed/*.json")) {
				try (InputStream in = r.getInputStream()) {
					seed(r.getFilename(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
				}
			}
			if (mySeedDir != null && !mySeedDir.isBlank()) {
				Path dir = Path.of(mySeedDir);
				List<Path> files = new ArrayList<>();
				try (Stream<Path> s = Files.list(dir)) {
					s.filter(p -> p.getFileName().toString().endsWith(".json"))
							.sorted(Comparator.comparing(Path::toString))
							.forEach(files::add);
				}
				for (Path p : files) {
					seed(p.toString(), Files.readString(p, StandardCharsets.UTF_8));
				}
			}
		} catch (IOException e) {
			throw new IllegalStateException("Failed to read seed resources: " + e.getMessage(), e);
		}
	}

	@SuppressWarnings({"unchecked", "rawtypes"})
	private void seed(String theName, String theJson) {
		IBaseResource resource = myFhirContext.newJsonParser().parseResource(theJson);
		SystemRequestDetails request = new SystemRequestDetails();
		if (resource instanceof IBaseBundle) {
			((IFhirSystemDao) mySystemDao).transaction(request, resource);
			ourLog.info("Seed {}: bundle processed", theName);
			return;
		}
		if (resource.getIdElement().getIdPart() == null) {
			throw new IllegalStateException("Seed resource " + theName + " must have an id");
		}
		IFhirResourceDao dao = myDaoRegistry.getResourceDao(resource);
		DaoMethodOutcome outcome = dao.update(resource, request);
		ourLog.info(
				"Seed {}: {} ({})",
				theName,
				outcome.getId().toUnqualified().getValue(),
				outcome.isNop() ? "unchanged" : Boolean.TRUE.equals(outcome.getCreated()) ? "created" : "updated");
	}

	@Override
	public void stop() {
		myRunning = false;
	}

	@Override
	public boolean isRunning() {
		return myRunning;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}
}
