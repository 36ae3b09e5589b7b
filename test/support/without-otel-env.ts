/**
 * Imported first by a test that must see a process with no OpenTelemetry configuration, whatever the
 * shell that runs it exports: the OTEL_* variables are gone before the modules after it are loaded.
 */
for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
