package fr.ordogateway.fhirvalidator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves every {@code reference} of a resource the way R4 says a reader must
 * (https://hl7.org/fhir/R4/bundle.html#references), on the JSON as served:
 *
 * <ul>
 *   <li>{@code #id}: a contained resource of the containing resource ({@code #} alone: the container);
 *   <li>{@code Type/id}: only when the referring entry's fullUrl is a RESTful URL
 *       ({@code [base]Type/id}), as {@code [base]Type/id}; under a {@code urn:uuid:}/{@code urn:oid:}
 *       fullUrl (or none) it has no defined meaning: unresolved;
 *   <li>an absolute URL: the entry with that fullUrl; else, for http(s), the resource read at that
 *       address (reported in {@code resolvedByRead}, so a test can also demand none).
 * </ul>
 *
 * A version-specific reference ({@code …/_history/v}) matches the fullUrl without the version and
 * then {@code meta.versionId}. Outside a Bundle, a relative reference resolves against the fullUrl
 * the resource was read from, when the request gives it.
 */
final class ReferenceCheck {
  record Unresolved(String path, String reference, String reason, String source) {}

  record ReadResolved(String path, String reference, String url) {}

  static final class Findings {
    final List<Unresolved> unresolved = new ArrayList<>();
    final List<ReadResolved> resolvedByRead = new ArrayList<>();
  }

  private static final Pattern ABSOLUTE = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");
  private static final Pattern RELATIVE =
      Pattern.compile("^([A-Z][A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})(/_history/[A-Za-z0-9\\-.]{1,64})?$");
  private static final Pattern RESTFUL_URL =
      Pattern.compile("^(https?://.+/)([A-Z][A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})(/_history/[A-Za-z0-9\\-.]{1,64})?$");
  private static final Pattern VERSIONED = Pattern.compile("^(.*)/_history/([^/]+)$");

  private final Set<String> resourceTypes;
  private final AddressReader reader; // null: never read an address

  ReferenceCheck(Set<String> resourceTypes, AddressReader reader) {
    this.resourceTypes = resourceTypes;
    this.reader = reader;
  }

  /** Where a resource sits: its own fullUrl and, inside a Bundle, the Bundle's entries by fullUrl. */
  private record Context(String fullUrl, Map<String, List<JsonNode>> entriesByFullUrl, String authorization) {}

  Findings check(JsonNode resource, String fullUrl, String authorization) {
    Findings findings = new Findings();
    String type = resource.path("resourceType").asText("Resource");
    if ("Bundle".equals(type)) {
      checkBundle(resource, "Bundle", authorization, findings);
    } else {
      walk(resource, type, resource, new Context(fullUrl, null, authorization), findings);
    }
    return findings;
  }

  private void checkBundle(JsonNode bundle, String path, String authorization, Findings findings) {
    JsonNode entries = bundle.path("entry");
    Map<String, List<JsonNode>> byFullUrl = new HashMap<>();
    for (JsonNode entry : entries) {
      String fullUrl = entry.path("fullUrl").asText(null);
      JsonNode resource = entry.get("resource");
      if (fullUrl != null && resource != null && resource.isObject()) {
        byFullUrl.computeIfAbsent(fullUrl, k -> new ArrayList<>()).add(resource);
      }
    }
    for (int i = 0; i < entries.size(); i++) {
      JsonNode resource = entries.get(i).get("resource");
      if (resource == null || !resource.isObject()) continue;
      String entryPath = path + ".entry[" + i + "].resource";
      if ("Bundle".equals(resource.path("resourceType").asText())) {
        checkBundle(resource, entryPath, authorization, findings); // a Bundle in a Bundle has its own entries
      } else {
        Context context = new Context(entries.get(i).path("fullUrl").asText(null), byFullUrl, authorization);
        walk(resource, entryPath, resource, context, findings);
      }
    }
  }

  private void walk(JsonNode node, String path, JsonNode container, Context context, Findings findings) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) walk(node.get(i), path + "[" + i + "]", container, context, findings);
      return;
    }
    if (!node.isObject()) return;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if ("reference".equals(name) && value.isTextual()) {
        resolve(value.asText(), path, container, context, findings);
      } else if (value.isContainerNode()) {
        walkChild(value, path + "." + name, container, context, findings);
      }
    }
  }

  /** A child that is itself a resource (contained, Parameters.parameter.resource…) is walked as such. */
  private void walkChild(JsonNode value, String path, JsonNode container, Context context, Findings findings) {
    if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) walkChild(value.get(i), path + "[" + i + "]", container, context, findings);
      return;
    }
    if (value.has("resourceType")) {
      if ("Bundle".equals(value.path("resourceType").asText())) {
        checkBundle(value, path, context.authorization(), findings);
        return;
      }
      // Contained resources resolve in their container's context (R4: same rules as the container).
      boolean contained = path.matches(".*\\.contained(\\[\\d+])?$");
      walk(value, path, contained ? container : value, context, findings);
      return;
    }
    walk(value, path, container, context, findings);
  }

  private void resolve(String reference, String path, JsonNode container, Context context, Findings findings) {
    if (reference.isEmpty()) {
      unresolved(findings, path, reference, "empty reference");
      return;
    }
    if (reference.startsWith("#")) {
      resolveLocal(reference, path, container, findings);
      return;
    }
    String target = reference.contains("#") ? reference.substring(0, reference.indexOf('#')) : reference;
    if (target.contains("?")) {
      unresolved(findings, path, reference, "conditional reference (only meaningful in a transaction a server processes)");
      return;
    }
    String expectedType;
    if (ABSOLUTE.matcher(target).matches()) {
      Matcher restful = RESTFUL_URL.matcher(target);
      expectedType = restful.matches() && resourceTypes.contains(restful.group(2)) ? restful.group(2) : null;
    } else {
      Matcher relative = RELATIVE.matcher(target);
      if (!relative.matches() || !resourceTypes.contains(relative.group(1))) {
        unresolved(findings, path, reference, "neither an absolute URL nor a relative Type/id reference");
        return;
      }
      expectedType = relative.group(1);
      String base = restfulBase(context.fullUrl());
      if (base == null) {
        unresolved(findings, path, reference, context.fullUrl() == null
            ? "relative reference, and no fullUrl to take a base from"
            : "relative reference under fullUrl " + context.fullUrl()
                + ", which is not a RESTful URL: no base to resolve it against");
        return;
      }
      target = base + target;
    }
    resolveAbsolute(reference, target, expectedType, path, context, findings);
  }

  private void resolveAbsolute(
      String reference, String target, String expectedType, String path, Context context, Findings findings) {
    Matcher versioned = VERSIONED.matcher(target);
    String unversioned = versioned.matches() ? versioned.group(1) : target;
    String version = versioned.matches() ? versioned.group(2) : null;
    if (context.entriesByFullUrl() != null) {
      List<JsonNode> matches = context.entriesByFullUrl().getOrDefault(unversioned, List.of());
      if (matches.size() > 1) {
        unresolved(findings, path, reference, matches.size() + " entries have fullUrl " + unversioned);
        return;
      }
      if (matches.size() == 1) {
        String versionId = matches.get(0).path("meta").path("versionId").asText(null);
        if (version != null && !version.equals(versionId)) {
          unresolved(findings, path, reference, "entry " + unversioned + " found, but "
              + (versionId == null ? "it has no meta.versionId" : "its meta.versionId is " + versionId)
              + " (the reference wants version " + version + ")");
        }
        return;
      }
    }
    String where = context.entriesByFullUrl() == null ? "" : "no entry has fullUrl " + unversioned + "; ";
    if (!target.startsWith("http://") && !target.startsWith("https://")) {
      unresolved(findings, path, reference, where + "a " + target.substring(0, target.indexOf(':'))
          + ": address cannot be read");
      return;
    }
    if (reader == null) {
      unresolved(findings, path, reference, where + "reading addresses is off");
      return;
    }
    AddressReader.Outcome read = reader.read(target, expectedType, context.authorization());
    if (read.resolved()) {
      findings.resolvedByRead.add(new ReadResolved(path, reference, target));
    } else {
      unresolved(findings, path, reference, where + read.detail());
    }
  }

  private void resolveLocal(String reference, String path, JsonNode container, Findings findings) {
    if (reference.equals("#")) return; // the container itself
    String id = reference.substring(1);
    for (JsonNode contained : container.path("contained")) {
      if (id.equals(contained.path("id").asText(null))) return;
    }
    unresolved(findings, path, reference, "no contained resource has id " + id);
  }

  /** [base] of a RESTful fullUrl ([base]Type/id[/_history/v]); null for urn:uuid:, urn:oid: and others. */
  private String restfulBase(String fullUrl) {
    if (fullUrl == null) return null;
    Matcher m = RESTFUL_URL.matcher(fullUrl);
    return m.matches() && resourceTypes.contains(m.group(2)) ? m.group(1) : null;
  }

  private static void unresolved(Findings findings, String path, String reference, String reason) {
    findings.unresolved.add(new Unresolved(path, reference, reason, "r4-rules"));
  }
}
