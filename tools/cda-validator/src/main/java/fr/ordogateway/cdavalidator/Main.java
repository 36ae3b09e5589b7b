package fr.ordogateway.cdavalidator;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import net.sf.saxon.lib.Feature;
import net.sf.saxon.s9api.Processor;

/**
 * CLI: validates XML files against a W3C XML Schema and an ISO Schematron.
 *
 * <pre>
 *   java -jar cda-validator.jar --xsd CDA_extended.xsd --sch CI-SIS_EP-MED-DM_2024.01.sch
 *        [--phase NAME|#ALL|#DEFAULT] [--no-schematron] [--cache-dir DIR] file.xml...
 * </pre>
 *
 * Prints one JSON report per file and per line (NDJSON) on stdout, in argument order; exits 1 when
 * any file has an XSD error or a schematron error, 2 on a usage or set-up problem.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args, System.out, System.err);
    } catch (UsageException e) {
      System.err.println("cda-validator: " + e.getMessage());
      System.err.println("usage: --xsd FILE [--sch FILE [--phase NAME]] [--no-schematron] [--cache-dir DIR] FILE.xml...");
      status = 2;
    } catch (Exception e) {
      System.err.println("cda-validator: " + e);
      status = 2;
    }
    System.exit(status);
  }

  static final class UsageException extends Exception {
    UsageException(String message) { super(message); }
  }

  record Options(Path xsd, Path schematron, String phase, Path cacheDir, List<Path> files) {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Options options = parse(args);
    Properties versions = versions();
    long start = System.nanoTime();

    XsdValidator xsd = new XsdValidator(options.xsd());
    SchematronValidator schematron = null;
    if (options.schematron() != null) {
      Processor processor = new Processor(false);
      // Compiled schematrons may call document(): local files and our own jar only.
      processor.setConfigurationProperty(Feature.ALLOWED_PROTOCOLS, "file,jar");
      SchematronCompiler compiler =
          new SchematronCompiler(processor, options.cacheDir(), versions.getProperty("schxslt", "unknown"));
      SchematronCompiler.Loaded loaded = compiler.load(options.schematron(), options.phase());
      err.printf("cda-validator: schematron %s (%s) ready in %d ms%n", options.schematron().getFileName(),
          loaded.fromCache() ? "cached" : "compiled", (System.nanoTime() - start) / 1_000_000);
      schematron = new SchematronValidator(processor, loaded.stylesheet());
    }

    boolean anyError = false;
    PrintStream utf8 = new PrintStream(out, true, StandardCharsets.UTF_8);
    for (Path file : options.files()) {
      XsdValidator.Result xsdResult = xsd.validate(file);
      List<Issue.Xsd> xsdIssues = xsdResult.issues();
      SchematronValidator.Findings findings = new SchematronValidator.Findings(List.of(), List.of());
      // No tree to run the schematron on when the parse itself failed.
      if (schematron != null && xsdResult.wellFormed()) {
        try {
          findings = schematron.validate(file);
        } catch (net.sf.saxon.s9api.SaxonApiException e) {
          xsdIssues = new ArrayList<>(xsdIssues);
          xsdIssues.add(new Issue.Xsd(0, 0, "document could not be read for schematron: " + e.getMessage()));
        }
      }
      anyError |= !xsdIssues.isEmpty() || !findings.errors().isEmpty();
      utf8.println(Json.report(file.toString(), xsdIssues, findings.errors(), findings.warnings()));
    }
    utf8.flush();
    err.printf("cda-validator: %d file(s) in %d ms%n", options.files().size(), (System.nanoTime() - start) / 1_000_000);
    return anyError ? 1 : 0;
  }

  static Options parse(String[] args) throws UsageException {
    Path xsd = null;
    Path schematron = null;
    String phase = "#DEFAULT";
    Path cacheDir = defaultCacheDir();
    boolean noSchematron = false;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--xsd" -> xsd = Path.of(value(args, ++i, arg));
        case "--sch" -> schematron = Path.of(value(args, ++i, arg));
        case "--phase" -> phase = value(args, ++i, arg);
        case "--cache-dir" -> cacheDir = Path.of(value(args, ++i, arg));
        case "--no-schematron" -> noSchematron = true;
        default -> {
          if (arg.startsWith("--")) throw new UsageException("unknown option " + arg);
          files.add(Path.of(arg));
        }
      }
    }
    if (xsd == null) throw new UsageException("--xsd is required");
    if (schematron == null && !noSchematron) throw new UsageException("--sch is required (or --no-schematron)");
    if (files.isEmpty()) throw new UsageException("no file to validate");
    return new Options(xsd, noSchematron ? null : schematron, phase, cacheDir, files);
  }

  private static String value(String[] args, int i, String option) throws UsageException {
    if (i >= args.length) throw new UsageException(option + " needs a value");
    return args[i];
  }

  /** target/schematron-cache beside the jar, so the cache lives and dies with the build output. */
  private static Path defaultCacheDir() {
    try {
      Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return jar.getParent().resolve("schematron-cache");
    } catch (Exception e) {
      return Path.of(System.getProperty("java.io.tmpdir"), "cda-validator-schematron-cache");
    }
  }

  private static Properties versions() throws IOException {
    Properties properties = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("/cda-validator-versions.properties")) {
      if (in != null) properties.load(in);
    }
    return properties;
  }
}
