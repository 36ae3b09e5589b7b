package fr.ordogateway.cdavalidator;

import java.util.List;

/** Just enough JSON writing for the report (no dependency needed for four shapes). */
final class Json {
  private Json() {}

  static String report(String file, List<Issue.Xsd> xsd, List<Issue.Schematron> errors, List<Issue.Schematron> warnings) {
    StringBuilder out = new StringBuilder(256);
    out.append("{\"file\":").append(string(file));
    out.append(",\"xsdErrors\":[");
    for (int i = 0; i < xsd.size(); i++) {
      Issue.Xsd issue = xsd.get(i);
      if (i > 0) out.append(',');
      out.append("{\"line\":").append(issue.line())
          .append(",\"col\":").append(issue.col())
          .append(",\"message\":").append(string(issue.message())).append('}');
    }
    out.append("],\"schematronErrors\":");
    schematron(out, errors);
    out.append(",\"schematronWarnings\":");
    schematron(out, warnings);
    return out.append('}').toString();
  }

  private static void schematron(StringBuilder out, List<Issue.Schematron> issues) {
    out.append('[');
    for (int i = 0; i < issues.size(); i++) {
      Issue.Schematron issue = issues.get(i);
      if (i > 0) out.append(',');
      out.append("{\"id\":").append(string(issue.id()))
          .append(",\"location\":").append(string(issue.location()))
          .append(",\"message\":").append(string(issue.message()))
          .append(",\"role\":").append(string(issue.role())).append('}');
    }
    out.append(']');
  }

  static String string(String value) {
    if (value == null) return "null";
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }
}
