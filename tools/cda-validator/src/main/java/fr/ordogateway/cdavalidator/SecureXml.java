package fr.ordogateway.cdavalidator;

import java.nio.file.Path;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.validation.SchemaFactory;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;

/**
 * Parser factories hardened against XXE and entity expansion.
 *
 * Documents under validation come from outside: they may carry no DOCTYPE at all (CDA never needs
 * one). The schema set is ours, but its XMLSchema.xsd has a DOCTYPE pointing at a local DTD, so the
 * schema loader may read local files — and only files below the schema folder.
 */
final class SecureXml {
  private SecureXml() {}

  /** SAX reader for documents to validate: no DOCTYPE, no external entities, no XInclude. */
  static XMLReader newDocumentReader() {
    try {
      SAXParserFactory factory = SAXParserFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setXIncludeAware(false);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
      factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      return factory.newSAXParser().getXMLReader();
    } catch (ParserConfigurationException | SAXException e) {
      throw new IllegalStateException("cannot configure a secure XML parser", e);
    }
  }

  /** DOM builder for our own schematron files (only read to find their includes). */
  static DocumentBuilderFactory newDomFactory() {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("cannot configure a secure DOM parser", e);
    }
  }

  /** Schema loader that may follow includes/imports, but only to local files below {@code root}. */
  static SchemaFactory newSchemaFactory(Path root) throws SAXException {
    SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    // Secure processing closes every protocol; re-open local files for the schema's own includes.
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "file");
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "file");
    Path confinedRoot = root.toAbsolutePath().normalize();
    factory.setResourceResolver((type, namespaceUri, publicId, systemId, baseUri) -> {
      if (systemId == null) return null;
      Path target = resolveLocal(systemId, baseUri);
      if (target == null || !target.startsWith(confinedRoot)) {
        throw new SecurityException("schema reference outside " + confinedRoot + ": " + systemId);
      }
      return null; // inside the root: let the default loader read it
    });
    return factory;
  }

  private static Path resolveLocal(String systemId, String baseUri) {
    try {
      java.net.URI uri = baseUri == null ? new java.net.URI(systemId) : new java.net.URI(baseUri).resolve(systemId);
      if (!"file".equals(uri.getScheme())) return null;
      return Path.of(uri).toAbsolutePath().normalize();
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }
}
