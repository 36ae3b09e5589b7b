package fr.ordogateway.fhirvalidator;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * A standard client at work: HAPI's generic client with its default settings (server validation
 * on: it reads [base]/metadata before the first call) and a bearer token. Sends messages with
 * {@code $process-message}, pages through searches and reads one resource of each page by its
 * fullUrl. Every answer is returned as served and queued for validation; an exception is a
 * finding, reported with its message.
 */
final class StandardClient {
  private final FhirContext context;
  private final ObjectMapper json;
  private final int maxPages;

  StandardClient(FhirContext context, ObjectMapper json, int maxPages) {
    this.context = context;
    this.json = json;
    this.maxPages = maxPages;
  }

  static IGenericClient newClient(FhirContext context, String base, String authorization) {
    IGenericClient client = context.newRestfulGenericClient(base);
    String token = bearerToken(authorization);
    if (token != null) client.registerInterceptor(new BearerTokenAuthInterceptor(token));
    return client;
  }

  /** "Bearer abc" or "abc" → "abc"; blank → null. */
  static String bearerToken(String authorization) {
    if (authorization == null || authorization.isBlank()) return null;
    String trimmed = authorization.trim();
    return trimmed.regionMatches(true, 0, "Bearer ", 0, 7) ? trimmed.substring(7).trim() : trimmed;
  }

  /** The Authorization header for a token given either way ("Bearer x" or "x"); null when none. */
  static String authorizationHeader(String tokenOrHeader) {
    String token = bearerToken(tokenOrHeader);
    return token == null ? null : "Bearer " + token;
  }

  static String describe(Throwable e) {
    if (e instanceof BaseServerResponseException server) {
      return e.getClass().getSimpleName() + " (HTTP " + server.getStatusCode() + "): " + e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  ArrayNode run(JsonNode request, List<ToValidate> toValidate, Failures failures) {
    ArrayNode out = json.createArrayNode();
    String base = request.path("base").asText(null);
    int index = 0;
    for (JsonNode message : request.path("messages")) {
      index++;
      String name = message.path("name").asText("message-" + index);
      if (base == null) {
        failures.add("client", name, "client.base is missing");
        continue;
      }
      out.add(sendMessage(base, name, message, toValidate));
    }
    String auditBase = request.path("auditBase").asText(null);
    String auditorToken = request.path("auditorToken").asText(null);
    index = 0;
    for (JsonNode search : request.path("auditSearches")) {
      index++;
      String type = search.path("type").asText("AuditEvent");
      String name = search.path("name").asText("search-" + index + "-" + type);
      if (auditBase == null) {
        failures.add("client", name, "client.auditBase is missing");
        continue;
      }
      out.add(search(auditBase, auditorToken, name, type, search.path("params"), toValidate));
    }
    return out;
  }

  private ObjectNode sendMessage(String base, String name, JsonNode message, List<ToValidate> toValidate) {
    ObjectNode result = json.createObjectNode().put("kind", "message").put("name", name);
    String token = message.path("token").asText(null);
    IGenericClient client = newClient(context, base, token);
    ResponseCapture capture = new ResponseCapture();
    client.registerInterceptor(capture);
    try {
      // Strict: a message the harness cannot represent faithfully is the test's mistake, not the server's.
      IParser parser = context.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
      Bundle bundle = parser.parseResource(Bundle.class, json.writeValueAsString(message.path("bundle")));
      client.operation().processMessage().setMessageBundle(bundle).synchronous(Bundle.class).execute();
    } catch (Exception e) {
      result.put("error", describe(e));
    }
    ResponseCapture.Exchange last = lastCall(capture, result);
    if (last != null) {
      putBody(result, "response", last.body());
      if (isJsonResource(last.body())) {
        toValidate.add(new ToValidate(name + "/response", last.body(), null, authorizationHeader(token)));
      }
    }
    return result;
  }

  private ObjectNode search(
      String auditBase, String token, String name, String type, JsonNode params, List<ToValidate> toValidate) {
    ObjectNode result = json.createObjectNode().put("kind", "search").put("name", name).put("type", type);
    result.set("params", params.isMissingNode() ? json.createObjectNode() : params);
    ArrayNode pages = result.putArray("pages");
    IGenericClient client = newClient(context, auditBase, token);
    ResponseCapture capture = new ResponseCapture();
    client.registerInterceptor(capture);
    try {
      Bundle page = client.search().forResource(type).whereMap(queryOf(params)).returnBundle(Bundle.class).execute();
      for (int number = 1; ; number++) {
        ResponseCapture.Exchange served = capture.last();
        ObjectNode pageNode = pages.addObject()
            .put("number", number)
            .put("url", served.url())
            .put("status", served.status())
            .put("entries", page.getEntry().size());
        if (page.hasTotal()) pageNode.put("total", page.getTotal());
        Bundle.BundleLinkComponent next = page.getLink(Bundle.LINK_NEXT);
        pageNode.put("next", next == null ? null : next.getUrl());
        putBody(pageNode, "bundle", served.body());
        String pageName = name + "/page-" + number;
        toValidate.add(new ToValidate(pageName, served.body(), null, authorizationHeader(token)));
        pageNode.set("read", readOne(client, capture, page, pageName + "/read", token, toValidate));
        if (next == null) break;
        if (number >= maxPages) {
          result.put("error", "more than " + maxPages + " pages; stopped");
          break;
        }
        page = client.loadPage().next(page).execute();
      }
    } catch (Exception e) {
      result.put("error", describe(e));
      ResponseCapture.Exchange last = capture.last();
      if (last != null) {
        result.put("failedUrl", last.url()).put("failedStatus", last.status());
        putBody(result, "failedBody", last.body());
      }
    }
    result.set("exchanges", exchanges(capture));
    return result;
  }

  /** Reads the first entry of the page that has a fullUrl, at that address. */
  private ObjectNode readOne(
      IGenericClient client, ResponseCapture capture, Bundle page, String name, String token, List<ToValidate> toValidate) {
    for (Bundle.BundleEntryComponent entry : page.getEntry()) {
      Resource resource = entry.getResource();
      if (resource == null || !entry.hasFullUrl()) continue;
      ObjectNode read = json.createObjectNode().put("fullUrl", entry.getFullUrl());
      int before = capture.exchanges().size();
      try {
        client.read().resource(resource.fhirType()).withUrl(entry.getFullUrl()).execute();
      } catch (Exception e) {
        read.put("error", describe(e));
      }
      List<ResponseCapture.Exchange> all = capture.exchanges();
      if (all.size() > before) {
        ResponseCapture.Exchange last = all.get(all.size() - 1);
        read.put("url", last.url()).put("status", last.status());
        putBody(read, "resource", last.body());
        if (last.status() == 200 && isJsonResource(last.body())) {
          toValidate.add(new ToValidate(name, last.body(), entry.getFullUrl(), authorizationHeader(token)));
        }
      }
      return read;
    }
    return null;
  }

  private ResponseCapture.Exchange lastCall(ResponseCapture capture, ObjectNode result) {
    result.set("exchanges", exchanges(capture));
    ResponseCapture.Exchange last = capture.last();
    if (last != null) result.put("url", last.url()).put("status", last.status());
    return last;
  }

  private ArrayNode exchanges(ResponseCapture capture) {
    ArrayNode list = json.createArrayNode();
    for (ResponseCapture.Exchange e : capture.exchanges()) {
      list.addObject().put("method", e.method()).put("url", e.url()).put("status", e.status());
    }
    return list;
  }

  /** The body as JSON when it is JSON, else as text. */
  private void putBody(ObjectNode node, String field, String body) {
    try {
      JsonNode parsed = json.readTree(body);
      if (parsed != null && parsed.isObject()) {
        node.set(field, parsed);
        return;
      }
    } catch (Exception ignored) {
      // not JSON: kept as text below
    }
    node.put(field, body);
  }

  private boolean isJsonResource(String body) {
    try {
      JsonNode parsed = json.readTree(body);
      return parsed != null && parsed.has("resourceType");
    } catch (Exception e) {
      return false;
    }
  }

  /** {"date": "ge2026-01-01", "_count": 2, "agent": ["a", "b"]} → repeated query parameters. */
  private static Map<String, List<String>> queryOf(JsonNode params) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      List<String> values = new ArrayList<>();
      if (p.getValue().isArray()) {
        p.getValue().forEach(v -> values.add(v.asText()));
      } else {
        values.add(p.getValue().asText());
      }
      query.put(p.getKey(), values);
    }
    return query;
  }
}
