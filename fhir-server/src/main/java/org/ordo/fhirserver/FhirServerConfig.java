package org.ordo.fhirserver;

import ca.uhn.fhir.batch2.jobs.bulkmodify.reindex.ReindexProvider;
import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.JpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import ca.uhn.fhir.jpa.provider.IJpaSystemProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.ValueSetOperationProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.narrative2.NullNarrativeGenerator;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.ETagSupportEnum;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.LoggingInterceptor;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import jakarta.persistence.EntityManagerFactory;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * Wires HAPI FHIR's JPA server (R4) on top of the Spring Boot DataSource.
 *
 * <ul>
 *   <li>{@link JpaR4Config}: FhirContext R4, DAOs, resource providers, system DAO/provider,
 *       and (via {@link JpaConfig}) the validation support chain ({@code JpaValidationSupportChain}:
 *       DefaultProfileValidationSupport, JPA-persisted StructureDefinitions/ValueSets/CodeSystems,
 *       terminology, SnapshotGeneratingValidationSupport, InMemoryTerminologyServerValidationSupport,
 *       CommonCodeSystemsTerminologyService).</li>
 *   <li>{@link HapiJpaConfig}: fulltext service stub, stale-search cleanup, paging provider, ...</li>
 *   <li>{@link JpaBatch2Config} + {@link Batch2JobsConfig}: batch jobs (needed for $reindex,
 *       DELETE with _expunge=true and other async operations), plus {@link SubscriptionChannelConfig}
 *       for the in-memory message broker that Batch2 uses.</li>
 * </ul>
 *
 * Subscriptions, MDM, CQL, IPS, bulk export/import endpoints, GraphQL, OpenAPI UI and Hibernate
 * Search / Lucene are intentionally not wired (faster start-up, smaller surface).
 */
@Configuration
@EnableTransactionManagement
@Import({
	JpaR4Config.class,
	HapiJpaConfig.class,
	JpaBatch2Config.class,
	Batch2JobsConfig.class,
	ThreadPoolFactoryConfig.class,
	// only the in-memory message broker (LinkedBlockingBrokerClient) that Batch2 needs;
	// no subscription matching/delivery is wired
	SubscriptionChannelConfig.class
})
public class FhirServerConfig {

	private static final Logger ourLog = LoggerFactory.getLogger(FhirServerConfig.class);

	@Value("${ordo.fhir.default-page-size:50}")
	private int myDefaultPageSize;

	@Value("${ordo.fhir.max-page-size:500}")
	private int myMaxPageSize;

	/** 0 or negative disables re-use of cached search results (HAPI default would be 60000 ms). */
	@Value("${ordo.fhir.reuse-cached-search-results-millis:0}")
	private long myReuseCachedSearchResultsMillis;

	@Value("${ordo.fhir.hibernate-dialect:ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect}")
	private String myHibernateDialect;

	@Value("${ordo.fhir.hbm2ddl-auto:update}")
	private String myHbm2ddlAuto;

	/** auto: skip the hbm2ddl update while the schema marker matches (see SchemaUpdateGuard); always */
	@Value("${ordo.fhir.schema-update:auto}")
	private String mySchemaUpdateMode;

	private SchemaUpdateGuard mySchemaUpdateGuard;
	private String myEffectiveHbm2ddl;

	@Value("${ordo.fhir.request-logging:true}")
	private boolean myRequestLogging;

	@Value("${ordo.fhir.if-match-conflict-as-412:true}")
	private boolean myIfMatchConflictAs412;

	/**
	 * Cache of conditional-create/match URLs that matched a resource (skips the search next time). Off:
	 * HAPI serves a cached match even after the resource was deleted (200 with the deleted resource).
	 */
	@Value("${ordo.fhir.match-url-cache:false}")
	private boolean myMatchUrlCache;

	/** Store meta.source (one provenance row per resource version); nobody reads or searches it here. */
	@Value("${ordo.fhir.store-meta-source:false}")
	private boolean myStoreMetaSource;

	/** Index rows keyed by hashes only (no resource type / parameter name columns written). */
	@Value("${ordo.fhir.index-storage-optimized:true}")
	private boolean myIndexStorageOptimized;

	@Bean
	public JpaStorageSettings jpaStorageSettings() {
		JpaStorageSettings s = new JpaStorageSettings();
		// Write semantics
		s.setAutoCreatePlaceholderReferenceTargets(false);
		s.setEnforceReferentialIntegrityOnWrite(true);
		s.setEnforceReferentialIntegrityOnDelete(true);
		s.setAllowExternalReferences(false);
		// Test clean-up: DELETE /Type?param=..., $expunge, DELETE ...&_expunge=true
		s.setAllowMultipleDelete(true);
		s.setDeleteEnabled(true);
		s.setExpungeEnabled(true);
		s.setDeleteExpungeEnabled(true);
		// Less work per write (README "Benchmarks" measures each): no meta.source provenance row per
		// version, hash-only index rows; the match URL cache only when asked (see myMatchUrlCache).
		s.setMatchUrlCacheEnabled(myMatchUrlCache);
		s.setStoreMetaSourceInformation(
				myStoreMetaSource
						? JpaStorageSettings.StoreMetaSourceInformationEnum.SOURCE_URI_AND_REQUEST_ID
						: JpaStorageSettings.StoreMetaSourceInformationEnum.NONE);
		s.setIndexStorageOptimized(myIndexStorageOptimized);
		// Search
		s.setIndexMissingFields(StorageSettings.IndexEnabledEnum.DISABLED);
		// NB: no setFetchSizeDefaultMaximum(): it caps the *total* results of a search, not the page size
		if (myReuseCachedSearchResultsMillis > 0) {
			s.setReuseCachedSearchResultsForMillis(myReuseCachedSearchResultsMillis);
		} else {
			// otherwise an identical search repeated within 60 s would return stale (cached) results
			s.setReuseCachedSearchResultsForMillis(null);
		}
		// No Hibernate Search / Lucene
		s.setHibernateSearchIndexFullText(false);
		s.setHibernateSearchIndexSearchParams(false);
		s.setStoreResourceInHSearchIndex(false);
		return s;
	}

	@Bean
	public PartitionSettings partitionSettings() {
		return new PartitionSettings();
	}

	@Bean
	public SubscriptionSettings subscriptionSettings() {
		// No subscription channel types enabled; subscription processing is not wired at all.
		return new SubscriptionSettings();
	}

	@Primary
	@Bean
	public LocalContainerEntityManagerFactoryBean entityManagerFactory(
			ConfigurableListableBeanFactory theBeanFactory,
			FhirContext theFhirContext,
			JpaStorageSettings theStorageSettings,
			DataSource theDataSource) {
		LocalContainerEntityManagerFactoryBean emf =
				HapiEntityManagerFactoryUtil.newEntityManagerFactory(theBeanFactory, theFhirContext, theStorageSettings);
		mySchemaUpdateGuard =
				SchemaUpdateGuard.decide(theDataSource, myHbm2ddlAuto, mySchemaUpdateMode, myHibernateDialect);
		myEffectiveHbm2ddl = mySchemaUpdateGuard.effectiveHbm2ddl(myHbm2ddlAuto);
		Map<String, Object> p = new HashMap<>();
		p.put("hibernate.dialect", myHibernateDialect);
		p.put("hibernate.hbm2ddl.auto", myEffectiveHbm2ddl);
		// Same naming strategies as the hapi-fhir-jpaserver-starter / hapiproject/hapi image
		p.put("hibernate.implicit_naming_strategy", "org.springframework.boot.orm.jpa.hibernate.SpringImplicitNamingStrategy");
		p.put("hibernate.physical_naming_strategy", "org.hibernate.boot.model.naming.CamelCaseToUnderscoresNamingStrategy");
		p.put("hibernate.archive.scanner", "org.hibernate.boot.archive.scan.internal.DisabledScanner");
		p.put("hibernate.format_sql", "false");
		p.put("hibernate.show_sql", "false");
		p.put("hibernate.jdbc.batch_size", "20");
		p.put("hibernate.cache.use_query_cache", "false");
		p.put("hibernate.cache.use_second_level_cache", "false");
		p.put("hibernate.cache.use_structured_entries", "false");
		p.put("hibernate.cache.use_minimal_puts", "false");
		// Hibernate Search (Lucene/Elasticsearch fulltext) off
		p.put("hibernate.search.enabled", "false");
		emf.setPersistenceUnitName("HAPI_PU");
		emf.setJpaPropertyMap(p);
		emf.setDataSource(theDataSource);
		return emf;
	}

	@Primary
	@Bean
	public JpaTransactionManager transactionManager(EntityManagerFactory theEntityManagerFactory) {
		// the EntityManagerFactory (and with it the hbm2ddl schema update) is built at this point
		if (mySchemaUpdateGuard != null) {
			mySchemaUpdateGuard.schemaReady(myEffectiveHbm2ddl);
		}
		JpaTransactionManager tm = new JpaTransactionManager();
		tm.setEntityManagerFactory(theEntityManagerFactory);
		return tm;
	}

	@Bean
	public RestfulServer restfulServer(
			IFhirSystemDao<?, ?> theSystemDao,
			ResourceProviderFactory theResourceProviderFactory,
			IJpaSystemProvider theSystemProvider,
			JpaStorageSettings theStorageSettings,
			ISearchParamRegistry theSearchParamRegistry,
			@Qualifier(JpaConfig.JPA_VALIDATION_SUPPORT_CHAIN) IValidationSupport theValidationSupport,
			DatabaseBackedPagingProvider thePagingProvider,
			ValueSetOperationProvider theValueSetOperationProvider,
			ReindexProvider theReindexProvider,
			SeedResourceLoader theSeedResourceLoader) {
		FhirContext ctx = theSystemDao.getContext();
		ctx.setNarrativeGenerator(new NullNarrativeGenerator());

		RestfulServer server = new RestfulServer(ctx);
		server.registerProviders(theResourceProviderFactory.createProviders());
		server.registerProvider(theSystemProvider);
		server.registerProvider(theValueSetOperationProvider);
		server.registerProvider(theReindexProvider);

		JpaCapabilityStatementProvider capabilityStatementProvider = new JpaCapabilityStatementProvider(
				server, theSystemDao, theStorageSettings, theSearchParamRegistry, theValidationSupport);
		capabilityStatementProvider.setImplementationDescription("ordo-gateway local HAPI FHIR R4 server");
		server.setServerConformanceProvider(capabilityStatementProvider);

		thePagingProvider.setDefaultPageSize(myDefaultPageSize);
		thePagingProvider.setMaximumPageSize(myMaxPageSize);
		server.setPagingProvider(thePagingProvider);
		server.setDefaultPageSize(myDefaultPageSize);
		server.setMaximumPageSize(myMaxPageSize);

		server.setETagSupport(ETagSupportEnum.ENABLED);
		server.setDefaultResponseEncoding(EncodingEnum.JSON);
		server.setDefaultPrettyPrint(false);
		server.setServerAddressStrategy(new IncomingRequestAddressStrategy());

		server.registerInterceptor(new ReseedAfterExpungeInterceptor(theSeedResourceLoader));

		if (myIfMatchConflictAs412) {
			server.registerInterceptor(new IfMatchPreconditionInterceptor());
		}

		if (myRequestLogging) {
			LoggingInterceptor logging = new LoggingInterceptor();
			logging.setLoggerName("fhir.access");
			logging.setMessageFormat(
					"${operationType} ${requestVerb} ${requestUrl}${requestParameters} -> ${processingTimeMillis}ms");
			logging.setErrorMessageFormat("ERROR ${requestVerb} ${requestUrl}${requestParameters} -> ${processingTimeMillis}ms");
			logging.setLogExceptions(true);
			server.registerInterceptor(logging);
		}

		ourLog.info(
				"FHIR R4 RestfulServer configured: page size {} (max {}), search cache reuse {}",
				myDefaultPageSize,
				myMaxPageSize,
				myReuseCachedSearchResultsMillis > 0 ? myReuseCachedSearchResultsMillis + " ms" : "disabled");
		return server;
	}

	@Bean
	public ServletRegistrationBean<RestfulServer> fhirServletRegistration(RestfulServer theRestfulServer) {
		ServletRegistrationBean<RestfulServer> reg = new ServletRegistrationBean<>(theRestfulServer, "/fhir/*");
		reg.setName("fhirServlet");
		reg.setLoadOnStartup(1);
		return reg;
	}
}
