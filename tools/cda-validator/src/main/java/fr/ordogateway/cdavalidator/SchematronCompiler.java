package fr.ordogateway.cdavalidator;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.xml.transform.stream.StreamSource;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.QName;
import net.sf.saxon.s9api.SaxonApiException;
import net.sf.saxon.s9api.Serializer;
import net.sf.saxon.s9api.XdmAtomicValue;
import net.sf.saxon.s9api.XsltExecutable;
import net.sf.saxon.s9api.XsltTransformer;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Turns an ISO Schematron into a validation XSLT with SchXslt, and keeps the result on disk.
 *
 * Compiling the CI-SIS schematron takes a few seconds; the cache key is a SHA-256 over the
 * schematron, every file it includes, the phase and the SchXslt version, so editing any of them
 * compiles anew and an unchanged set is reused across runs.
 */
final class SchematronCompiler {
  private static final String SCH_NS = "http://purl.oclc.org/dsdl/schematron";
  private static final String PIPELINE = "/xslt/2.0/pipeline-for-svrl.xsl";

  private final Processor processor;
  private final Path cacheDir;
  private final String schxsltVersion;

  /** The validation stylesheet, and whether it came from the disk cache. */
  record Loaded(XsltExecutable stylesheet, boolean fromCache) {}

  SchematronCompiler(Processor processor, Path cacheDir, String schxsltVersion) {
    this.processor = processor;
    this.cacheDir = cacheDir;
    this.schxsltVersion = schxsltVersion;
  }

  Loaded load(Path schematron, String phase) throws IOException, SaxonApiException {
    Path main = schematron.toAbsolutePath().normalize();
    String key = cacheKey(main, phase);
    Path cached = cacheDir.resolve("schematron-" + key + ".xsl");
    boolean fromCache = Files.isRegularFile(cached);
    if (!fromCache) compileTo(main, phase, cached);
    return new Loaded(processor.newXsltCompiler().compile(new StreamSource(cached.toFile())), fromCache);
  }

  private void compileTo(Path schematron, String phase, Path target) throws IOException, SaxonApiException {
    URL pipeline = SchematronCompiler.class.getResource(PIPELINE);
    if (pipeline == null) throw new IllegalStateException("SchXslt stylesheets missing from the classpath");
    XsltExecutable compiler;
    try (InputStream in = pipeline.openStream()) {
      compiler = processor.newXsltCompiler().compile(new StreamSource(in, pipeline.toExternalForm()));
    }
    Files.createDirectories(cacheDir);
    // Write beside the target, then rename: concurrent runs never read a half-written stylesheet.
    Path partial = Files.createTempFile(cacheDir, "schematron-", ".partial");
    try {
      XsltTransformer transformer = compiler.load();
      transformer.setParameter(new QName("phase"), new XdmAtomicValue(phase));
      transformer.setSource(new StreamSource(schematron.toFile()));
      Serializer out = processor.newSerializer(partial.toFile());
      transformer.setDestination(out);
      transformer.transform();
      out.close();
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private String cacheKey(Path schematron, String phase) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(("schxslt " + schxsltVersion + "\nphase " + phase + "\n").getBytes(StandardCharsets.UTF_8));
      for (Path file : schematronFiles(schematron)) {
        sha.update(schematron.getParent().relativize(file).toString().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(Files.readAllBytes(file));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The schematron and, transitively, every file reached through sch:include / sch:extends @href. */
  private static Set<Path> schematronFiles(Path main) throws IOException {
    Set<Path> seen = new LinkedHashSet<>();
    Deque<Path> todo = new ArrayDeque<>();
    todo.add(main);
    while (!todo.isEmpty()) {
      Path file = todo.removeFirst();
      if (!seen.add(file)) continue;
      for (String localName : new String[] {"include", "extends"}) {
        NodeList refs = parse(file).getElementsByTagNameNS(SCH_NS, localName);
        for (int i = 0; i < refs.getLength(); i++) {
          String href = ((Element) refs.item(i)).getAttribute("href");
          if (!href.isEmpty()) todo.add(file.getParent().resolve(href).normalize());
        }
      }
    }
    return seen;
  }

  private static org.w3c.dom.Document parse(Path file) throws IOException {
    try {
      return SecureXml.newDomFactory().newDocumentBuilder().parse(file.toFile());
    } catch (SAXException | javax.xml.parsers.ParserConfigurationException e) {
      throw new IOException("cannot read schematron " + file + ": " + e.getMessage(), e);
    }
  }
}
