package fr.ordogateway.fhirvalidator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads an absolute reference at its address (GET, FHIR JSON, the caller's Authorization), once
 * per address and credential: a reference outside the Bundle resolves when the server answers it
 * with a resource of the referenced type.
 */
final class AddressReader {
  record Outcome(boolean resolved, String detail) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
  private final Map<String, Outcome> cache = new HashMap<>();

  Outcome read(String url, String expectedType, String authorization) {
    return cache.computeIfAbsent(url + "\n" + authorization, key -> fetch(url, expectedType, authorization));
  }

  private Outcome fetch(String url, String expectedType, String authorization) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(15))
          .header("Accept", "application/fhir+json")
          .GET();
      if (authorization != null && !authorization.isBlank()) request.header("Authorization", authorization);
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) return new Outcome(false, "GET " + url + " answered " + response.statusCode());
      JsonNode body = JSON.readTree(response.body());
      String type = body == null ? null : body.path("resourceType").asText(null);
      if (type == null) return new Outcome(false, "GET " + url + " answered no FHIR resource");
      if (expectedType != null && !expectedType.equals(type)) {
        return new Outcome(false, "GET " + url + " answered a " + type + ", not a " + expectedType);
      }
      return new Outcome(true, "GET " + url + " answered a " + type);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, "GET " + url + " interrupted");
    } catch (Exception e) {
      return new Outcome(false, "GET " + url + " failed: " + e);
    }
  }
}
