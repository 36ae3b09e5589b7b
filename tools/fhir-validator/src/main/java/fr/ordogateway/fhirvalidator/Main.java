package fr.ordogateway.fhirvalidator;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CLI: one JSON request on stdin, one JSON report on stdout (see README.md for both shapes).
 *
 * <ol>
 *   <li>{@code conformance}: loads what a server serves (HAPI default generic client) into the validator;
 *   <li>{@code client}: drives a server with the generic client (messages, paged searches, reads);
 *   <li>{@code validate}: validates the given resources and everything the client received
 *       (FhirInstanceValidator issues + unresolved references).
 * </ol>
 *
 * Exit 0 when the report was written (findings or not), 2 when the request could not be read or
 * the harness itself broke.
 */
public final class Main {
  private static final int DEFAULT_MAX_PAGES = 50;

  private Main() {}

  public static void main(String[] args) {
    int status;
    try {
      ObjectMapper json = new ObjectMapper();
      JsonNode request = json.readTree(System.in);
      if (request == null || !request.isObject()) throw new IllegalArgumentException("stdin: expected one JSON object");
      ObjectNode report = run(request, json);
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      out.println(json.writeValueAsString(report));
      status = 0;
    } catch (Exception e) {
      System.err.println("fhir-validator: " + e);
      e.printStackTrace(System.err);
      status = 2;
    }
    System.exit(status);
  }

  static ObjectNode run(JsonNode request, ObjectMapper json) throws Exception {
    long start = System.nanoTime();
    FhirContext context = FhirContext.forR4();
    JsonNode options = request.path("options");
    int maxPages = options.path("maxPages").asInt(DEFAULT_MAX_PAGES);
    Failures failures = new Failures();
    ObjectNode report = json.createObjectNode();
    List<ToValidate> toValidate = new ArrayList<>();

    ServedConformance served = new ServedConformance(context);
    JsonNode conformance = request.get("conformance");
    ConformanceLoader.Loaded loaded = null;
    if (conformance != null) {
      String base = conformance.path("base").asText(null);
      if (base == null) throw new IllegalArgumentException("conformance.base is missing");
      loaded = new ConformanceLoader(context, maxPages)
          .load(base, conformance.path("authorization").asText(null), served, failures);
      if (conformance.path("validateResponses").asBoolean(false)) {
        for (ConformanceLoader.Page page : loaded.pages()) {
          toValidate.add(new ToValidate("conformance/" + page.type() + "/page-" + page.number(), page.body(), null, null));
        }
      }
    }
    InstanceValidation validation =
        new InstanceValidation(context, served, options.path("anyExtensionsAllowed").asBoolean(false));
    if (loaded != null) {
      List<String> snapshotFailures = validation.generateSnapshots(served);
      snapshotFailures.forEach(f -> failures.add("conformance", "snapshot", f));
      ObjectNode node = report.putObject("conformance");
      node.put("base", conformance.path("base").asText()).put("loaded", loaded.total());
      ObjectNode byType = node.putObject("byType");
      loaded.byType().forEach(byType::put);
      ArrayNode urls = node.putArray("structureDefinitions");
      for (Object sd : served.fetchAllStructureDefinitions()) {
        urls.add(((org.hl7.fhir.r4.model.StructureDefinition) sd).getUrl());
      }
    }
    long loadedAt = System.nanoTime();

    JsonNode client = request.get("client");
    if (client != null) {
      // A client of its own, as an independent program would be: it reads each base's /metadata itself.
      StandardClient standardClient = new StandardClient(FhirContext.forR4(), json, maxPages);
      report.set("client", standardClient.run(client, toValidate, failures));
    }

    String authorization = request.path("authorization").asText(null);
    List<ToValidate> requested = new ArrayList<>();
    int index = 0;
    for (JsonNode item : request.path("validate")) {
      index++;
      JsonNode resource = item.get("resource");
      String name = item.path("name").asText("resource-" + index);
      if (resource == null || !resource.isObject()) {
        failures.add("validate", name, "no resource object");
        continue;
      }
      requested.add(new ToValidate(name, json.writeValueAsString(resource), item.path("fullUrl").asText(null),
          item.path("authorization").asText(authorization)));
    }
    requested.addAll(toValidate);

    Set<String> resourceTypes = new HashSet<>(context.getResourceTypes());
    AddressReader reader = options.path("readReferences").asBoolean(true) ? new AddressReader() : null;
    ReferenceCheck references = new ReferenceCheck(resourceTypes, reader);
    ArrayNode results = report.putArray("results");
    for (ToValidate item : requested) {
      try {
        results.add(validateOne(item, validation, references, json));
      } catch (Exception e) {
        failures.add("validate", item.name(), StandardClient.describe(e));
      }
    }

    report.set("failures", json.valueToTree(failures.list()));
    report.putObject("timings")
        .put("conformanceMs", (loadedAt - start) / 1_000_000)
        .put("totalMs", (System.nanoTime() - start) / 1_000_000);
    return report;
  }

  private static ObjectNode validateOne(
      ToValidate item, InstanceValidation validation, ReferenceCheck references, ObjectMapper json) throws Exception {
    JsonNode resource = json.readTree(item.json());
    InstanceValidation.Result result = validation.validate(item.json());
    ReferenceCheck.Findings findings = references.check(resource, item.fullUrl(), item.authorization());

    ObjectNode node = json.createObjectNode();
    node.put("name", item.name()).put("resourceType", resource.path("resourceType").asText(null));
    node.set("errors", issues(result.errors(), json));
    node.set("warnings", issues(result.warnings(), json));
    List<ReferenceCheck.Unresolved> unresolved = new ArrayList<>(findings.unresolved);
    // The validator reports at most one bundle-reference problem per Bundle; ours lists them all.
    // Its finding is added when it flags an element ours did not.
    for (InstanceValidation.Issue issue : result.referenceIssues()) {
      String path = issue.location() == null ? null : issue.location().replaceAll("/\\*.*?\\*/", "");
      boolean known = findings.unresolved.stream().anyMatch(u -> u.path().equals(path));
      if (!known) {
        unresolved.add(new ReferenceCheck.Unresolved(
            path, referenceIn(issue.message()), issue.message(), "validator:" + issue.messageId()));
      }
    }
    node.set("unresolvedReferences", json.valueToTree(unresolved));
    node.set("resolvedByRead", json.valueToTree(findings.resolvedByRead));
    return node;
  }

  private static ArrayNode issues(List<InstanceValidation.Issue> issues, ObjectMapper json) {
    ArrayNode list = json.createArrayNode();
    for (InstanceValidation.Issue issue : issues) {
      ObjectNode node = list.addObject()
          .put("location", issue.location())
          .put("message", issue.message())
          .put("messageId", issue.messageId());
      if (issue.line() != null) node.put("line", issue.line());
      if (issue.col() != null) node.put("col", issue.col());
    }
    return list;
  }

  private static final java.util.regex.Pattern QUOTED_REFERENCE = java.util.regex.Pattern.compile(
      "(?:Can't find '|reference '|the reference )([^' ]+)");

  /** The reference a validator message names ("Can't find 'X'", "the reference X by…"), if any. */
  private static String referenceIn(String message) {
    if (message == null) return null;
    java.util.regex.Matcher m = QUOTED_REFERENCE.matcher(message);
    return m.find() ? m.group(1) : null;
  }
}
