package fr.ordogateway.cdavalidator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.transform.sax.SAXSource;
import javax.xml.validation.Schema;
import javax.xml.validation.Validator;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/** W3C XML Schema validation; the schema set is compiled once and reused for every file. */
final class XsdValidator {
  private final Schema schema;

  XsdValidator(Path xsd) throws SAXException {
    Path absolute = xsd.toAbsolutePath().normalize();
    this.schema = SecureXml.newSchemaFactory(absolute.getParent()).newSchema(absolute.toFile());
  }

  /** {@code wellFormed} is false when parsing stopped (not XML, DOCTYPE refused, unreadable). */
  record Result(List<Issue.Xsd> issues, boolean wellFormed) {}

  /** Every error of the file (validation goes on after the first one); a parse failure ends it. */
  Result validate(Path file) {
    List<Issue.Xsd> issues = new ArrayList<>();
    ErrorHandler collect = new ErrorHandler() {
      @Override public void warning(SAXParseException e) {}
      @Override public void error(SAXParseException e) { issues.add(toIssue(e)); }
      @Override public void fatalError(SAXParseException e) throws SAXParseException {
        issues.add(toIssue(e));
        throw e;
      }
    };
    try {
      Validator validator = schema.newValidator();
      // The instance's xsi:schemaLocation must not make us load anything.
      validator.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      validator.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      validator.setErrorHandler(collect);
      InputSource input = new InputSource(file.toUri().toString());
      validator.validate(new SAXSource(SecureXml.newDocumentReader(), input));
    } catch (SAXParseException alreadyRecorded) {
      // fatal (not well-formed, DOCTYPE...): recorded by the handler
      return new Result(issues, false);
    } catch (SAXException | IOException e) {
      issues.add(new Issue.Xsd(0, 0, String.valueOf(e.getMessage())));
      return new Result(issues, false);
    }
    return new Result(issues, true);
  }

  private static Issue.Xsd toIssue(SAXParseException e) {
    return new Issue.Xsd(e.getLineNumber(), e.getColumnNumber(), String.valueOf(e.getMessage()));
  }
}
