package fr.ordogateway.cdavalidator;

/** One finding. XSD findings carry a line/column, schematron findings an assert id and an XPath. */
sealed interface Issue permits Issue.Xsd, Issue.Schematron {

  record Xsd(int line, int col, String message) implements Issue {}

  /** {@code role} is the assert's @role (or @flag) as written in the schematron, null when absent. */
  record Schematron(String id, String location, String message, String role) implements Issue {}
}
