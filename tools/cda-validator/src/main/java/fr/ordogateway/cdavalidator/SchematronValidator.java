package fr.ordogateway.cdavalidator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.xml.transform.sax.SAXSource;
import net.sf.saxon.s9api.DocumentBuilder;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.SaxonApiException;
import net.sf.saxon.s9api.XPathCompiler;
import net.sf.saxon.s9api.XPathExecutable;
import net.sf.saxon.s9api.XdmDestination;
import net.sf.saxon.s9api.XdmItem;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.XsltExecutable;
import net.sf.saxon.s9api.XsltTransformer;
import org.xml.sax.InputSource;

/**
 * Runs a compiled schematron on one document and sorts the SVRL findings into errors and warnings.
 *
 * ISO Schematron has no fixed severity; by convention it is written in @role (sometimes @flag).
 * A failed assert is an error unless its role says warning/info; a successful report is a
 * warning unless its role says error/fatal. The CI-SIS eP-MED-DM schematron uses no role at all:
 * all its findings are failed asserts, i.e. errors.
 */
final class SchematronValidator {
  static final String SVRL_NS = "http://purl.oclc.org/dsdl/svrl";
  private static final Set<String> ERROR_ROLES = Set.of("error", "fatal", "erreur");
  private static final Set<String> NON_ERROR_ROLES =
      Set.of("warning", "warn", "info", "information", "informational", "note", "avertissement");

  record Findings(List<Issue.Schematron> errors, List<Issue.Schematron> warnings) {}

  private final Processor processor;
  private final XsltExecutable validation;
  private final XPathExecutable findingsPath;

  SchematronValidator(Processor processor, XsltExecutable validation) throws SaxonApiException {
    this.processor = processor;
    this.validation = validation;
    XPathCompiler xpath = processor.newXPathCompiler();
    xpath.declareNamespace("svrl", SVRL_NS);
    this.findingsPath = xpath.compile("//svrl:failed-assert | //svrl:successful-report");
  }

  Findings validate(Path file) throws SaxonApiException {
    DocumentBuilder builder = processor.newDocumentBuilder();
    builder.setLineNumbering(true);
    XdmNode document =
        builder.build(new SAXSource(SecureXml.newDocumentReader(), new InputSource(file.toUri().toString())));
    XsltTransformer transformer = validation.load();
    transformer.setInitialContextNode(document);
    XdmDestination svrl = new XdmDestination();
    transformer.setDestination(svrl);
    transformer.transform();

    List<Issue.Schematron> errors = new ArrayList<>();
    List<Issue.Schematron> warnings = new ArrayList<>();
    var selector = findingsPath.load();
    selector.setContextItem(svrl.getXdmNode());
    for (XdmItem item : selector.evaluate()) {
      XdmNode finding = (XdmNode) item;
      boolean failedAssert = "failed-assert".equals(finding.getNodeName().getLocalName());
      String role = attribute(finding, "role");
      if (role == null) role = attribute(finding, "flag");
      Issue.Schematron issue = new Issue.Schematron(
          attribute(finding, "id"), attribute(finding, "location"), text(finding), role);
      if (isError(failedAssert, role)) errors.add(issue);
      else warnings.add(issue);
    }
    return new Findings(errors, warnings);
  }

  static boolean isError(boolean failedAssert, String role) {
    String normalized = role == null ? "" : role.trim().toLowerCase(Locale.ROOT);
    if (ERROR_ROLES.contains(normalized)) return true;
    if (NON_ERROR_ROLES.contains(normalized)) return false;
    return failedAssert;
  }

  private static String attribute(XdmNode node, String name) {
    return node.getAttributeValue(new net.sf.saxon.s9api.QName(name));
  }

  private static String text(XdmNode finding) {
    StringBuilder out = new StringBuilder();
    for (XdmNode child : finding.children()) {
      if (SVRL_NS.equals(child.getNodeName() == null ? null : child.getNodeName().getNamespace())
          && "text".equals(child.getNodeName().getLocalName())) {
        out.append(child.getStringValue());
      }
    }
    return out.toString().replaceAll("\\s+", " ").trim();
  }
}
