package org.ordo.fhirserver;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Local HAPI FHIR R4 JPA server for ordo-gateway development and tests.
 *
 * <p>Spring Boot only supplies the embedded Tomcat and the JDBC DataSource
 * ({@code spring.datasource.*}); all FHIR/JPA wiring is in {@link FhirServerConfig}.
 * Auto-configurations that would compete with HAPI's own JPA/scheduler/template setup
 * are excluded (by name, so they need not be on the compile classpath).
 */
@SpringBootApplication(
		excludeName = {
			"org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration",
			"org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration",
			"org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration",
			"org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration",
			"org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration",
			"org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchClientAutoConfiguration",
			"org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
			"org.springframework.boot.autoconfigure.websocket.servlet.WebSocketServletAutoConfiguration",
			"org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration",
			"org.springframework.boot.autoconfigure.mail.MailSenderAutoConfiguration",
			"org.springframework.boot.autoconfigure.mail.MailSenderValidatorAutoConfiguration"
		})
public class OrdoFhirServerApplication {

	public static void main(String[] args) {
		SpringApplication.run(OrdoFhirServerApplication.class, args);
	}
}
