package org.ordo.fhirserver;

import ca.uhn.fhir.util.VersionUtil;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hibernate.hbm2ddl.auto=update} re-reads the JDBC metadata of every HAPI table on each start
 * (about 5 s on PostgreSQL). The HAPI schema only changes with the HAPI/Hibernate version, so after a
 * successful update we store a fingerprint in a one-row table {@code ordo_schema_marker}; while it
 * matches, later starts skip the update. {@code ordo.fhir.schema-update=always} (env
 * {@code HAPI_SCHEMA_UPDATE=always}) restores the plain always-update behaviour.
 */
public final class SchemaUpdateGuard {

	private static final Logger ourLog = LoggerFactory.getLogger(SchemaUpdateGuard.class);
	static final String TABLE = "ordo_schema_marker";

	private final DataSource myDataSource;
	private final String myFingerprint;
	private final boolean mySkip;

	private SchemaUpdateGuard(DataSource theDataSource, String theFingerprint, boolean theSkip) {
		myDataSource = theDataSource;
		myFingerprint = theFingerprint;
		mySkip = theSkip;
	}

	/**
	 * @param theConfiguredHbm2ddl the configured hibernate.hbm2ddl.auto value
	 * @param theMode {@code auto} (skip while the marker matches) or {@code always}
	 */
	public static SchemaUpdateGuard decide(
			DataSource theDataSource, String theConfiguredHbm2ddl, String theMode, String theDialect) {
		String fingerprint = "hapi=" + VersionUtil.getVersion() + ";hibernate=" + org.hibernate.Version.getVersionString()
				+ ";dialect=" + theDialect;
		if (!"update".equalsIgnoreCase(theConfiguredHbm2ddl) || !"auto".equalsIgnoreCase(theMode)) {
			return new SchemaUpdateGuard(theDataSource, fingerprint, false);
		}
		try (Connection c = theDataSource.getConnection();
				Statement s = c.createStatement()) {
			s.execute("CREATE TABLE IF NOT EXISTS " + TABLE
					+ " (id INT PRIMARY KEY, fingerprint VARCHAR(500) NOT NULL, updated_at TIMESTAMP NOT NULL)");
			try (ResultSet rs = s.executeQuery("SELECT fingerprint FROM " + TABLE + " WHERE id = 1")) {
				if (rs.next() && fingerprint.equals(rs.getString(1))) {
					ourLog.info("HAPI schema is current ({}): skipping hbm2ddl update", fingerprint);
					return new SchemaUpdateGuard(theDataSource, fingerprint, true);
				}
			}
		} catch (SQLException e) {
			ourLog.warn("Could not read {} ({}); running hbm2ddl update", TABLE, e.getMessage());
		}
		ourLog.info("Running hbm2ddl update of the HAPI schema ({})", fingerprint);
		return new SchemaUpdateGuard(theDataSource, fingerprint, false);
	}

	/** The hibernate.hbm2ddl.auto value to use. */
	public String effectiveHbm2ddl(String theConfigured) {
		return mySkip ? "none" : theConfigured;
	}

	/** Called once the EntityManagerFactory (and so the schema update) has been built successfully. */
	public void schemaReady(String theEffectiveHbm2ddl) {
		if (mySkip || !"update".equalsIgnoreCase(theEffectiveHbm2ddl)) {
			return;
		}
		try (Connection c = myDataSource.getConnection();
				Statement s = c.createStatement()) {
			s.execute("CREATE TABLE IF NOT EXISTS " + TABLE
					+ " (id INT PRIMARY KEY, fingerprint VARCHAR(500) NOT NULL, updated_at TIMESTAMP NOT NULL)");
			try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
					+ " (id, fingerprint, updated_at) VALUES (1, ?, CURRENT_TIMESTAMP) ON CONFLICT (id) DO UPDATE"
					+ " SET fingerprint = EXCLUDED.fingerprint, updated_at = EXCLUDED.updated_at")) {
				ps.setString(1, myFingerprint);
				ps.executeUpdate();
			}
		} catch (SQLException e) {
			ourLog.warn("Could not write {} ({}); the next start will run hbm2ddl update again", TABLE, e.getMessage());
		}
	}
}
